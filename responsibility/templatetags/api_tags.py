"""The API client pages' words: a client's scopes by their labels."""

from django import template

from responsibility.api.models import Scope

register = template.Library()


@register.filter
def scope_labels(scopes: list[str]) -> list[str]:
    return [str(Scope(scope).label) for scope in scopes if scope in Scope.values]
