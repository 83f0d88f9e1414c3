"""一岗双责 assignments and their progress (scope read:duties): what the duty list shows, to the same
readers (responsibility.duties.selectors), each assignment's task periods counted in the same query."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from core import clock
from responsibility.api.endpoints.common import (
    ClientReadViewSet,
    LabelField,
    PersonSerializer,
    UnitSerializer,
)
from responsibility.api.models import Scope
from responsibility.duties.models import DutyAssignment
from responsibility.duties.selectors import duty_assignment_list_visible_to, duty_progress_counts


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    unit = UnitSerializer()


class DutyAssignmentSerializer(serializers.ModelSerializer):
    post = PostSerializer()
    leader = PersonSerializer()
    status_label = LabelField(source="status")
    periods_total = serializers.IntegerField(help_text=_("Task periods of tasks not withdrawn."))
    periods_done = serializers.IntegerField()
    periods_due = serializers.IntegerField(help_text=_("Periods due by today."))
    periods_overdue = serializers.IntegerField()

    class Meta:
        model = DutyAssignment
        fields = [
            "id",
            "year",
            "post",
            "leader",
            "status",
            "status_label",
            "confirmed_at",
            "periods_total",
            "periods_done",
            "periods_due",
            "periods_overdue",
        ]


class DutyQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    unit = serializers.IntegerField(
        required=False, min_value=1, help_text=_("The unit of the leader's post.")
    )


@extend_schema_view(
    list=extend_schema(summary=_("Duty assignments the client may read"), parameters=[DutyQuerySerializer]),
    retrieve=extend_schema(summary=_("A duty assignment with its progress")),
)
class DutyAssignmentViewSet(ClientReadViewSet):
    required_scope = Scope.READ_DUTIES
    list_query = DutyQuerySerializer
    queryset = DutyAssignment.objects.none()  # the schema's model; get_queryset reads through the selector
    serializer_class = DutyAssignmentSerializer

    def get_queryset(self):
        counts = duty_progress_counts(today=clock.today())
        assignments = duty_assignment_list_visible_to(user=self.request.user)
        if self.action == "list":
            params = self.query_params()
            if "year" in params:
                assignments = assignments.filter(year=params["year"])
            if "unit" in params:
                assignments = assignments.filter(post__unit_id=params["unit"])
        return assignments.annotate(
            **{
                name: counts[name]
                for name in ("periods_total", "periods_done", "periods_due", "periods_overdue")
            }
        )
