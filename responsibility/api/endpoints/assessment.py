"""Published assessment results (scope read:assessment): rounds whose results the Party Group approved,
and each unit's final points and grade, to the readers of the score cards
(responsibility.assessment.selectors); a page of results costs two queries for its points."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404

from responsibility.api.endpoints.common import ClientReadViewSet, UnitSerializer
from responsibility.api.models import Scope
from responsibility.assessment.models import AssessmentRound, RoundStatus
from responsibility.assessment.results import final_totals, unit_points
from responsibility.assessment.rules import grade_bands_of, grade_of
from responsibility.assessment.selectors import round_list_visible_to, unit_assessment_list_visible_to


class AssessmentRoundSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.name")
    grades = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentRound
        fields = ["id", "year", "name", "scheme", "approved_at", "grades"]

    def get_grades(self, assessment_round) -> list[dict]:
        """The grades, best first, with the fewest points each takes."""
        return [{"name": band.name, "lowest": str(band.lowest)} for band in grade_bands_of(assessment_round)]


class UnitResultSerializer(serializers.Serializer):
    unit = UnitSerializer()
    points = serializers.DecimalField(max_digits=7, decimal_places=2, help_text=_("After upheld objections."))
    grade = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary=_("Assessment rounds whose results are published")),
    retrieve=extend_schema(summary=_("An assessment round whose results are published")),
)
class AssessmentRoundViewSet(ClientReadViewSet):
    required_scope = Scope.READ_ASSESSMENT
    paged_actions = frozenset({"list", "results"})
    queryset = AssessmentRound.objects.none()  # the schema's model; get_queryset reads through the selector
    serializer_class = AssessmentRoundSerializer

    def get_queryset(self):
        return round_list_visible_to(user=self.request.user).filter(status=RoundStatus.APPROVED)

    @extend_schema(
        summary=_("Each unit's final points and grade in a round"), responses=UnitResultSerializer(many=True)
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        assessment_round = get_object_or_404(self.get_queryset(), pk=pk)
        cards = unit_assessment_list_visible_to(user=request.user).filter(round=assessment_round)
        page = self.paginate_queryset(cards.select_related(None).select_related("unit"))
        finals = final_totals(assessment_round=assessment_round, unit_ids=[card.pk for card in page])
        bands = grade_bands_of(assessment_round)
        rows = []
        for card in page:
            points = unit_points(
                pk=card.pk, approved=card.approved_points, self_points=card.self_points, finals=finals
            )
            rows.append({"unit": card.unit, "points": points, "grade": grade_of(points, bands)})
        return self.get_paginated_response(UnitResultSerializer(rows, many=True).data)
