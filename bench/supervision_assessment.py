"""The assessment at province scale, on the supervision benchmark's organisation: a round of the demo's
unit scheme for all its units (2,000), the background count of its system items from the problems,
letters and duties built, every indicator the system has counted alone, the round's page with its
summary, and a unit head's score card."""

from bench.harness import say
from bench.supervision_measures import Measurement, measure_page, timed
from bench.supervision_organisation import World


def assessment_round_ready(world: World):
    """The year's round (opened once, at the small size; the big size counts it again)."""
    from responsibility.assessment.models import AssessmentRound
    from responsibility.assessment.services.counts import round_indicators_run
    from responsibility.assessment.services.rounds import RoundInput, round_open
    from responsibility.assessment.services.schemes import scheme_import, scheme_publish
    from responsibility.demo.assessment import UNIT_ROWS, UNIT_SCHEME, _filled_in

    existing = AssessmentRound.objects.filter(year=world.today.year).first()
    if existing is not None:
        return existing
    scheme = scheme_publish(
        scheme=scheme_import(
            workbook_file=_filled_in(UNIT_SCHEME, UNIT_ROWS), imported_by=world.office_admin
        ),
        published_by=world.office_admin,
    )
    assessment_round = round_open(
        data=RoundInput(
            scheme=scheme,
            year=world.today.year,
            name=f"{world.today.year}年度党风廉政建设责任制考核",
            deadline=world.today,
            objection_days=5,
            units=world.units,
        ),
        opened_by=world.office_admin,
    )
    round_indicators_run(round_id=assessment_round.pk)
    return assessment_round


def measure_count(world: World, assessment_round, *, runs: int) -> Measurement:
    """The task's count of every system item of every unit (as `重新统计` asks it), timed alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from responsibility.assessment.models import ItemScore
    from responsibility.assessment.services.counts import round_indicators_count, round_indicators_run

    result = Measurement(name="assessment count (every unit)", output_unit="item scores", fixed_queries=False)

    def ask() -> None:
        round_indicators_count(assessment_round=assessment_round, counted_by=world.office_admin)

    try:
        ask()
        with CaptureQueriesContext(connection) as queries:
            round_indicators_run(round_id=assessment_round.pk)
        result.queries = len(queries)
        result.output = ItemScore.objects.filter(unit_assessment__round=assessment_round).count()
        result.median_ms, result.p95_ms = timed(
            runs, lambda: round_indicators_run(round_id=assessment_round.pk), ask
        )
    except Exception as error:  # one failure must not stop the other measurements
        result.error = f"{type(error).__name__}: {error}"
    return result


def measure_every_indicator(world: World, *, runs: int) -> Measurement:
    """Every indicator the system has (over every source and over each), for every unit over the year:
    what a scheme binding all of them would count. Output: the units counted, summed over indicators."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from responsibility.assessment.indicators import INDICATORS

    result = Measurement(
        name=f"every indicator ({len(INDICATORS)} counts)", output_unit="unit figures", fixed_queries=True
    )

    def count_all() -> int:
        return sum(len(indicator.values(world.today.year)) for indicator in INDICATORS.values())

    try:
        with CaptureQueriesContext(connection) as queries:
            result.output = count_all()
        result.queries = len(queries)
        result.median_ms, result.p95_ms = timed(runs, count_all)
    except Exception as error:  # one failure must not stop the other measurements
        result.error = f"{type(error).__name__}: {error}"
    return result


def measure_assessment(world: World, *, runs: int) -> list[Measurement]:
    from django.urls import reverse

    from responsibility.assessment.models import UnitAssessment

    say("  assessment round …")
    assessment_round = assessment_round_ready(world)
    card = UnitAssessment.objects.get(round=assessment_round, unit=world.units[0])
    results = [
        measure_count(world, assessment_round, runs=min(runs, 5)),
        measure_every_indicator(world, runs=min(runs, 3)),
    ]
    for name, user, url in (
        (
            "assessment round (inspector)",
            world.inspectors[0],
            reverse("responsibility:round-detail", args=[assessment_round.pk]),
        ),
        (
            "score card (committee head)",
            world.heads[0],
            reverse("responsibility:card-detail", args=[card.pk]),
        ),
    ):
        say(f"  {name} …")
        results.append(measure_page(name, user, url, runs=runs))
    return results
