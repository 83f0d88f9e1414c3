"""The API client pages' words: a client's scopes by their labels, and whether its token has expired."""

from django import template

from core import clock
from responsibility.api.models import ApiClient, Scope

register = template.Library()


@register.filter
def scope_labels(scopes: list[str]) -> list[str]:
    return [str(Scope(scope).label) for scope in scopes if scope in Scope.values]


@register.filter
def is_expired(client: ApiClient) -> bool:
    return client.expires_on < clock.today()
