"""Problems from every source and their rectification (scope read:supervision): what the rectification
ledger shows, to the same readers (responsibility.supervision.selectors)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from core import clock
from responsibility.api.endpoints.common import (
    ClientReadViewSet,
    LabelField,
    PersonSerializer,
    UnitSerializer,
)
from responsibility.api.models import Scope
from responsibility.supervision.models.problems import (
    Finding,
    Measure,
    ProblemBatch,
    RectificationStatus,
    traffic_light,
)
from responsibility.supervision.selectors import finding_list_visible_to


class BatchSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.code")
    source_label = serializers.CharField(source="source.name")

    class Meta:
        model = ProblemBatch
        fields = ["id", "title", "year", "raised_on", "raised_by", "source", "source_label"]


class RectificationSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_label = LabelField(source="status")
    light = serializers.SerializerMethodField(
        help_text=_("green, yellow or red by the deadline; none once verified.")
    )
    owner = PersonSerializer()
    deadline = serializers.DateField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    verified_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    times_rejected = serializers.IntegerField()

    def get_light(self, rectification) -> str:
        return traffic_light(
            status=rectification.status, deadline=rectification.deadline, today=clock.today()
        )


class MeasureSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()
    status_label = LabelField(source="status")

    class Meta:
        model = Measure
        fields = ["number", "action", "owner", "deadline", "status", "status_label", "reported_at"]


class ProblemSerializer(serializers.ModelSerializer):
    batch = BatchSerializer()
    unit = UnitSerializer()
    responsible = PersonSerializer()
    severity_label = LabelField(source="severity")
    category_label = LabelField(source="category")
    rectification = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "batch",
            "number",
            "unit",
            "responsible",
            "severity",
            "severity_label",
            "category",
            "category_label",
            "title",
            "created_at",
            "rectification",
        ]

    @extend_schema_field(RectificationSerializer(allow_null=True))
    def get_rectification(self, finding) -> dict | None:
        """The problem's rectification; null while none is assigned."""
        rectification = getattr(finding, "rectification", None)
        return None if rectification is None else RectificationSerializer(rectification).data


class ProblemDetailSerializer(ProblemSerializer):
    measures = MeasureSerializer(many=True)

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "description", "measures"]


class ProblemQuerySerializer(serializers.Serializer):
    batch = serializers.IntegerField(required=False, min_value=1, help_text=_("A problem list's id."))
    unit = serializers.IntegerField(required=False, min_value=1, help_text=_("The unit's id."))
    status = serializers.ChoiceField(
        required=False, choices=RectificationStatus.values, help_text=_("The rectification's status.")
    )


@extend_schema_view(
    list=extend_schema(summary=_("Problems the client may read"), parameters=[ProblemQuerySerializer]),
    retrieve=extend_schema(summary=_("A problem with its measures")),
)
class ProblemViewSet(ClientReadViewSet):
    required_scope = Scope.READ_SUPERVISION
    list_query = ProblemQuerySerializer
    queryset = Finding.objects.none()  # the schema's model; get_queryset reads through the selector

    def get_queryset(self):
        problems = (
            finding_list_visible_to(user=self.request.user)
            .select_related(None)
            .select_related(
                "batch", "batch__source", "unit", "responsible", "rectification", "rectification__owner"
            )
        )
        if self.action != "list":
            return problems.prefetch_related(
                Prefetch("measures", queryset=Measure.objects.select_related("owner").order_by("number"))
            )
        params = self.query_params()
        if "batch" in params:
            problems = problems.filter(batch_id=params["batch"])
        if "unit" in params:
            problems = problems.filter(unit_id=params["unit"])
        if "status" in params:
            problems = problems.filter(rectification__status=params["status"])
        return problems

    def get_serializer_class(self):
        return ProblemDetailSerializer if self.action == "retrieve" else ProblemSerializer
