"""Migration 0023: each rectification made before measures becomes a problem with one measure, and the
inspection chain records it."""

import pytest
from django.utils import translation

from responsibility.supervision.audit import inspection_chain_verify, inspection_event_describe
from responsibility.supervision.models import (
    InspectionEvent,
    InspectionEventKind,
    Measure,
    MeasureStatus,
    Rectification,
)
from tests.responsibility.inspections.migration_helpers import finding_written_before, migrate_to

BEFORE_MEASURES = ("responsibility", "0022_problem_batches")


@pytest.mark.django_db(transaction=True)
def test_every_earlier_rectification_becomes_one_measure_that_the_chain_records(
    supervision, committee_inspection
):
    """Migrates the app back before measures and forward again (several seconds: every later migration is
    reversed and applied again on a real schema)."""
    head, inspector = supervision.org.heads[0], supervision.inspectors[0]
    events_before = InspectionEvent.objects.count()
    before = migrate_to(BEFORE_MEASURES)
    batch = before.get_model("responsibility", "ProblemBatch").objects.get(plan_id=supervision.plan.pk)
    written = finding_written_before(
        before,
        inspection=committee_inspection,
        recorded_by=inspector,
        owner=head,
        submitted=True,
        batch_id=batch.pk,
    )
    migrate_to(None)

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
    [carried] = InspectionEvent.objects.filter(kind=InspectionEventKind.MEASURE_ADDED)
    assert InspectionEvent.objects.count() == events_before + 1
    assert (carried.subject, carried.actor_id, carried.chain_format) == (
        f"finding:{written.pk}",
        inspector.pk,
        2,
    )
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
