"""Migrations 0022 and 0023: each finding made before problem lists is in its plan's list (批次), and each
rectification made before measures becomes a problem with one measure, which the inspection chain
records; and once the chain records measures or lists, the migrations are not reversed."""

import datetime

import pytest
from django.utils import timezone, translation

from responsibility.supervision.audit import inspection_chain_verify, inspection_event_describe
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    InspectionEventKind,
    Measure,
    MeasureStatus,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
    Rectification,
)
from tests.responsibility.inspections.migration_helpers import finding_written_before, migrate_to

# A minute each: the app migrated back and forward on a real schema. CI runs them on PostgreSQL, whose
# triggers refuse what a migration may not do (pyproject.toml, production_engine).
pytestmark = pytest.mark.production_engine

BEFORE_BATCHES = ("responsibility", "0021_rectification_to_verify_order")
BEFORE_MEASURES = ("responsibility", "0022_problem_batches")


@pytest.mark.django_db(transaction=True)
def test_earlier_findings_go_to_their_plans_batch_and_earlier_rectifications_become_measures(
    supervision, committee_inspection
):
    """Migrations 0022 and 0023 in one round trip: the app goes back before batches, a finding is written
    as the app wrote it then; forward to batches, another as the app wrote it then; forward to the latest
    (about a minute on SQLite: every later migration is reversed and applied again on a real schema, so
    the two share one trip)."""
    head, inspector = supervision.org.heads[0], supervision.inspectors[0]
    plan_pk = supervision.plan.pk
    events_before = InspectionEvent.objects.count()
    before_batches = migrate_to(BEFORE_BATCHES)
    earlier = finding_written_before(
        before_batches, inspection=committee_inspection, recorded_by=inspector, owner=head
    )
    before = migrate_to(BEFORE_MEASURES)
    batch = before.get_model("responsibility", "ProblemBatch").objects.get(plan_id=plan_pk)
    written = finding_written_before(
        before,
        inspection=committee_inspection,
        recorded_by=inspector,
        owner=head,
        submitted=True,
        number=2,
        batch_id=batch.pk,
    )
    migrate_to(None)

    # 0022: the finding written before batches is in its plan's batch, from the supervision source
    migrated = Finding.objects.select_related("batch__source", "batch__plan").get(pk=earlier.pk)
    assert migrated.batch.plan_id == plan_pk
    assert migrated.batch.source.code == ProblemSourceCode.SUPERVISION
    assert migrated.batch.title == supervision.plan.title
    assert migrated.batch.raised_on == timezone.localtime(supervision.plan.created_at).date()
    # 0027: the plan's list takes the plan's year, with its version step.
    assert (migrated.batch.year, migrated.batch.version) == (supervision.plan.year, 2)
    assert migrated.version == earlier.version + 1
    assert ProblemBatch.objects.count() == 1
    assert ProblemSource.objects.count() == len(ProblemSourceCode)
    assert isinstance(migrated.batch.raised_on, datetime.date)

    # 0023: each rectification made before measures is one measure, recorded in the chain
    rectification = Rectification.objects.get(finding_id=written.pk)
    [measure] = Measure.objects.filter(finding_id=written.pk)
    assert (measure.number, measure.action, measure.owner_id, measure.deadline) == (
        1,
        rectification.requirement,
        rectification.owner_id,
        rectification.deadline,
    )
    assert (measure.status, measure.report) == (MeasureStatus.REPORTED, "已召开专题会议。")
    assert (measure.reported_at, measure.reported_by_id) == (rectification.submitted_at, head.pk)
    [earlier_measure] = Measure.objects.filter(finding_id=earlier.pk)  # the open one: carried as open
    assert (earlier_measure.status, earlier_measure.report) == (MeasureStatus.OPEN, "")
    carried_events = InspectionEvent.objects.filter(kind=InspectionEventKind.MEASURE_ADDED)
    assert InspectionEvent.objects.count() == events_before + 2  # one a carried rectification
    assert sorted(event.subject for event in carried_events) == sorted(
        [f"finding:{earlier.pk}", f"finding:{written.pk}"]
    )
    [carried] = carried_events.filter(subject=f"finding:{written.pk}")
    assert (carried.actor_id, carried.chain_format) == (inspector.pk, 2)
    assert carried.payload["carried_from_rectification"] is True
    assert carried.payload["status"] == MeasureStatus.REPORTED
    with translation.override("en"):
        assert "Carried from the rectification" in inspection_event_describe(carried)
    assert inspection_chain_verify() is None


@pytest.mark.django_db(transaction=True)
def test_the_migrations_are_not_reversed_once_the_chain_records_measures_or_problem_lists(
    supervision, finding
):
    """Tries to migrate back (a few seconds): refused, and nothing is lost. The later migrations reversed
    before the refusal are applied again, so the database is left as the other tests expect it."""
    try:
        with pytest.raises(RuntimeError, match="cannot be reversed"):
            migrate_to(BEFORE_MEASURES)
    finally:
        migrate_to(None)

    assert Measure.objects.filter(finding=finding).exists()
    assert InspectionEvent.objects.filter(batch=finding.batch).exists()
    assert inspection_chain_verify() is None
