"""What every endpoint shares: read-only viewsets that name their scope, the small nested shapes
(a person, a unit), and query parameters checked by a serializer (a bad one is a 400 naming it)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from responsibility.api.models import Scope


class ClientReadViewSet(viewsets.ReadOnlyModelViewSet):
    """A list and a detail, read through the subdomain's selectors for the client's account."""

    required_scope: Scope
    lookup_value_regex = r"[0-9]+"

    def query_params(self, serializer_class) -> dict:
        params = serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data


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
