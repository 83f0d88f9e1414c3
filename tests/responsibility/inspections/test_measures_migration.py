"""Migration 0023: each rectification made before measures becomes a problem with one measure, and the
inspection chain records it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from responsibility.supervision.audit import inspection_chain_verify, inspection_event_describe
from responsibility.supervision.models import (
    InspectionEvent,
    InspectionEventKind,
    Measure,
    MeasureStatus,
    Rectification,
)
from responsibility.supervision.services.rectifications import SubmissionInput, rectification_submit
from tests.responsibility.inspections.conftest import pdf_upload


def _migrate(target: tuple[str, str] | None) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_every_earlier_rectification_becomes_one_measure_that_the_chain_records(
    supervision, finding, settings, tmp_path
):
    """Migrates the app back before measures and forward again (several seconds: every later migration is
    reversed and applied again on a real schema)."""
    settings.MEDIA_ROOT = tmp_path
    rectification = Rectification.objects.select_related("finding").get(finding=finding)
    rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="已召开专题会议。", files=[pdf_upload()]),
        submitted_by=rectification.owner,
        expected_version=None,
    )
    rectification.refresh_from_db()
    events_before = InspectionEvent.objects.count()

    _migrate(("responsibility", "0022_problem_batches"))
    _migrate(None)

    [measure] = Measure.objects.filter(finding=finding)
    assert (measure.number, measure.action, measure.owner_id, measure.deadline) == (
        1,
        rectification.requirement,
        rectification.owner_id,
        rectification.deadline,
    )
    assert (measure.status, measure.report) == (MeasureStatus.REPORTED, "已召开专题会议。")
    assert (measure.reported_at, measure.reported_by_id) == (
        rectification.submitted_at,
        rectification.owner_id,
    )
    [carried] = InspectionEvent.objects.filter(kind=InspectionEventKind.MEASURE_ADDED)
    assert InspectionEvent.objects.count() == events_before + 1
    assert carried.subject == f"finding:{finding.pk}"
    assert carried.actor_id == finding.created_by_id
    assert carried.payload["carried_from_rectification"] is True
    assert carried.payload["status"] == MeasureStatus.REPORTED
    with translation.override("en"):
        assert "Carried from the rectification" in inspection_event_describe(carried)
    assert inspection_chain_verify() is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_is_not_reversed_once_the_chain_records_measures(supervision, finding):
    """Migrates back and forward (several seconds), then refuses to go back."""
    _migrate(("responsibility", "0022_problem_batches"))
    _migrate(None)

    with pytest.raises(RuntimeError, match="cannot be reversed"):
        _migrate(("responsibility", "0022_problem_batches"))
    assert Measure.objects.filter(finding=finding).exists()
