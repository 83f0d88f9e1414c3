"""Opening a problem list with its problems (scope write:supervision): another system's list (an audit
office's findings, a 巡察 report) recorded as the office records one on its pages, all or nothing
(responsibility.supervision.services.problems.problem_batch_open_with_problems)."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import OrgUnit
from responsibility.api.endpoints.common import ClientWriteViewSet
from responsibility.api.endpoints.supervision import BatchSerializer
from responsibility.api.models import Scope
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models.problems import Finding, ProblemBatch, ProblemSource, Severity
from responsibility.supervision.services.measures import MAX_MEASURES, MeasureInput
from responsibility.supervision.services.problems import (
    MAX_PROBLEMS_AT_ONCE,
    BatchInput,
    ProblemInput,
    ProblemListRefused,
    problem_batch_open_with_problems,
)

User = get_user_model()


class SourceCodeField(serializers.SlugRelatedField):
    """A problem source by its code. Text no code can be (a NUL character, which PostgreSQL refuses with an
    error, or more than a code's length) is an unknown source, refused before any lookup."""

    def to_internal_value(self, data):
        if isinstance(data, str) and (
            "\x00" in data or len(data) > ProblemSource._meta.get_field("code").max_length
        ):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class MeasureWriteSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=500, help_text=_("What is done (整改措施)."))
    deadline = serializers.DateField(help_text=_("Its deadline, not in the past."))
    owner = serializers.CharField(max_length=150, help_text=_("The account name of who carries it out."))


class ProblemWriteSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=32, help_text=_("The code of the unit the problem is in."))
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
    category = serializers.ChoiceField(choices=ClauseCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.MINOR)
    responsible = serializers.CharField(
        max_length=150, help_text=_("The account name of the leader (责任领导).")
    )
    owner = serializers.CharField(max_length=150, help_text=_("The account name of who sees it through."))
    requirement = serializers.CharField(max_length=1000, help_text=_("What the rectification must achieve."))
    measures = MeasureWriteSerializer(many=True, min_length=1, max_length=MAX_MEASURES)


class ProblemListWriteSerializer(serializers.Serializer):
    source = SourceCodeField(
        slug_field="code", queryset=ProblemSource.objects.all(), help_text=_("The source's code, e.g. audit.")
    )
    title = serializers.CharField(max_length=200)
    year = serializers.IntegerField()
    raised_on = serializers.DateField()
    raised_by = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    problems = ProblemWriteSerializer(many=True, min_length=1, max_length=MAX_PROBLEMS_AT_ONCE)

    def validate(self, data):
        """Units by code and people by account name, each read once for the whole list."""
        problems = data["problems"]
        codes = {problem["unit"] for problem in problems}
        names = {name for problem in problems for name in _people_named(problem)}
        units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes, is_active=True)}
        people = {
            person.username: person
            for person in User.objects.filter(username__in=names, is_active=True, is_machine=False)
        }
        errors = [{} for _problem in problems]
        for index, problem in enumerate(problems):
            if problem["unit"] not in units:
                errors[index]["unit"] = [
                    _("No unit in use has the code “%(code)s”.") % {"code": problem["unit"]}
                ]
            for key in ("responsible", "owner"):
                if problem[key] not in people:
                    errors[index][key] = [
                        _("No active person has the account name “%(name)s”.") % {"name": problem[key]}
                    ]
            measure_errors = [
                {
                    "owner": [
                        _("No active person has the account name “%(name)s”.") % {"name": measure["owner"]}
                    ]
                }
                if measure["owner"] not in people
                else {}
                for measure in problem["measures"]
            ]
            if any(measure_errors):
                errors[index]["measures"] = measure_errors
        if any(errors):
            raise serializers.ValidationError({"problems": errors})
        data["units"], data["people"] = units, people
        return data


def _people_named(problem: dict) -> list[str]:
    return [problem["responsible"], problem["owner"], *(measure["owner"] for measure in problem["measures"])]


class ProblemListCreatedSerializer(BatchSerializer):
    problems = serializers.SerializerMethodField(help_text=_("The ids of its problems, in the list's order."))

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "problems"]

    def get_problems(self, batch) -> list[int]:
        return list(Finding.objects.filter(batch=batch).order_by("number").values_list("pk", flat=True))


class ProblemListViewSet(ClientWriteViewSet):
    required_scope = Scope.WRITE_SUPERVISION
    queryset = ProblemBatch.objects.none()  # the schema's model
    serializer_class = ProblemListWriteSerializer

    @extend_schema(
        summary=_("Open a problem list with its problems"),
        request=ProblemListWriteSerializer,
        responses={201: ProblemListCreatedSerializer},
    )
    def create(self, request):
        """All or nothing: the list and every problem with its measures are recorded, or none is (the
        refusals are named by their place, `problems[2].unit`). The client's account needs the role that
        opens lists on the pages (the office or the inspection team)."""
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        units, people = data["units"], data["people"]
        try:
            batch = problem_batch_open_with_problems(
                data=BatchInput(
                    source=data["source"],
                    title=data["title"],
                    year=data["year"],
                    raised_on=data["raised_on"],
                    raised_by=data["raised_by"],
                ),
                problems=[
                    ProblemInput(
                        unit=units[problem["unit"]],
                        title=problem["title"],
                        description=problem["description"],
                        category=problem["category"],
                        severity=problem["severity"],
                        responsible=people[problem["responsible"]],
                        owner=people[problem["owner"]],
                        requirement=problem["requirement"],
                        measures=[
                            MeasureInput(
                                action=measure["action"],
                                owner=people[measure["owner"]],
                                deadline=measure["deadline"],
                            )
                            for measure in problem["measures"]
                        ],
                    )
                    for problem in data["problems"]
                ],
                opened_by=request.user,
            )
        except ProblemListRefused as refused:
            raise serializers.ValidationError(
                {f"problems[{index}]": [reason] for index, reason in refused.refused.items()}
            ) from None
        body = ProblemListCreatedSerializer(
            ProblemBatch.objects.select_related("source").get(pk=batch.pk)
        ).data
        location = reverse("api:problem-list") + f"?batch={batch.pk}"
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})
