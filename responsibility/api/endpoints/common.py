"""What every endpoint shares: read-only viewsets that name their scope, the small nested shapes
(a person, a unit), and query parameters checked by a serializer (a bad one is a 400 naming it)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.views import APIView

from responsibility.api.models import Scope


def query_string_check(request, *, allowed: set[str]) -> None:
    """Only the `allowed` parameters, each once and with a value (an empty cursor is the first page);
    anything else is a 400 naming it."""
    errors = {}
    for name in request.query_params:
        values = request.query_params.getlist(name)
        if name not in allowed:
            errors[name or "?"] = [_("This endpoint takes no such parameter.")]
        elif len(values) > 1:
            errors[name] = [_("Give this parameter once.")]
        elif values[0] == "" and name != "cursor":
            errors[name] = [_("Give a value, or leave the parameter out.")]
    if errors:
        raise exceptions.ValidationError(errors)


class ClientReadViewSet(viewsets.ReadOnlyModelViewSet):
    """A list and a detail, read through the subdomain's selectors for the client's account.

    The query string holds only what the action declares (its filters, and the page's cursor and size
    where it answers a page), each once and with a value: anything else is a 400 naming it, so that a
    misspelt filter is never silently ignored."""

    required_scope: Scope
    list_query: type[serializers.Serializer] | None = None  # the list's filters
    paged_actions = frozenset({"list"})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # the token, the scope and the rate first
        self.query_check(request)

    def query_check(self, request) -> None:
        if self.action is None:
            return  # a method the endpoint does not answer: DRF's 405 follows
        allowed = set()
        if self.action in self.paged_actions:
            allowed |= {"cursor", "page_size"}
        if self.action == "list" and self.list_query is not None:
            allowed |= set(self.list_query().fields)
        query_string_check(request, allowed=allowed)

    def query_params(self) -> dict:
        """The list's filters, checked by `list_query` (a bad one: 400 naming it)."""
        params = self.list_query(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data


class ClientWriteViewSet(viewsets.GenericViewSet):
    """An endpoint that records something through a subdomain's service, as the client's account. Its
    query string must be empty (a parameter is a 400 naming it); its body is checked by its serializer."""

    required_scope: Scope

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # the token, the scope and the rate first
        query_string_check(request, allowed=set())


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_field(serializers.CharField())
class LabelField(serializers.Field):
    """The Chinese label of a choice field (`status` → `status_label`): `source` names get_FOO_display."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, f"get_{self.source}_display")()

    def to_representation(self, value):
        return str(value)


@extend_schema(exclude=True)
class ApiNotFoundView(APIView):
    """An address under /api/v1/ that names no endpoint: a 404 in the API's own shape, for anyone."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    def initial(self, request, *args, **kwargs):
        raise Http404
