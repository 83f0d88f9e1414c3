"""Problems of every source (ADR 0015, first step): the sources, and an inspection plan's findings as
its batch (问题清单), from the plan's creation and for the plans made before batches existed."""

import datetime

import pytest
from django.utils import timezone

from responsibility.supervision.models import (
    BatchStatus,
    Finding,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
)
from responsibility.supervision.services.plans import PlanInput, inspection_plan_update
from tests.responsibility.inspections.migration_helpers import finding_written_before, migrate_to

pytestmark = pytest.mark.django_db


def test_every_installation_has_the_six_sources_by_their_stable_codes():
    sources = list(ProblemSource.objects.values_list("code", "name"))

    assert sources == [
        ("democratic_life", "民主生活会"),
        ("inspection_tour", "巡视巡察"),
        ("audit", "审计"),
        ("assigned", "上级督办"),
        ("self_check", "自查"),
        ("supervision", "监督检查"),
    ]
    assert {code for code, _ in sources} == set(ProblemSourceCode)


def test_a_new_plan_has_its_batch_from_the_supervision_source(supervision):
    batch = supervision.plan.batch

    assert batch.source.code == ProblemSourceCode.SUPERVISION
    assert (batch.title, batch.status, batch.version) == (supervision.plan.title, BatchStatus.OPEN, 1)
    assert batch.raised_on == timezone.localdate()
    assert batch.created_by == supervision.plan.created_by


def test_a_finding_is_recorded_in_its_plans_batch(supervision, finding):
    assert finding.batch == supervision.plan.batch
    assert list(supervision.plan.batch.findings.all()) == [finding]


def _plan_input(plan, **changes) -> PlanInput:
    terms = {
        "year": plan.year,
        "title": plan.title,
        "description": plan.description,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "scope": list(plan.scope.all()),
        "team": list(plan.team.all()),
    }
    return PlanInput(**{**terms, **changes})


def test_renaming_a_plan_renames_its_batch_with_the_version_step(supervision):
    plan, member = supervision.plan, supervision.inspectors[0]

    inspection_plan_update(
        plan=plan, data=_plan_input(plan, description="补充说明。"), updated_by=member, expected_version=None
    )
    untouched = ProblemBatch.objects.get(plan=plan)
    renaming = _plan_input(plan, title="2026年度专项监督检查")
    inspection_plan_update(plan=plan, data=renaming, updated_by=member, expected_version=None)
    renamed = ProblemBatch.objects.get(plan=plan)

    assert (untouched.title, untouched.version) == (plan.title, 1)
    assert (renamed.title, renamed.version) == ("2026年度专项监督检查", 2)


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_every_earlier_finding_in_its_plans_batch_with_its_version_step(
    supervision, committee_inspection
):
    """Migrates the app back before batches and forward again (several seconds: every later migration is
    reversed and applied again on a real schema)."""
    plan_pk = supervision.plan.pk
    before_batches = migrate_to(("responsibility", "0021_rectification_to_verify_order"))
    written = finding_written_before(
        before_batches,
        inspection=committee_inspection,
        recorded_by=supervision.inspectors[0],
        owner=supervision.org.heads[0],
    )
    migrate_to(None)

    migrated = Finding.objects.select_related("batch__source", "batch__plan").get(pk=written.pk)
    assert migrated.batch.plan_id == plan_pk
    assert migrated.batch.source.code == ProblemSourceCode.SUPERVISION
    assert migrated.batch.title == supervision.plan.title
    assert migrated.batch.raised_on == timezone.localtime(supervision.plan.created_at).date()
    # 0027: the plan's list takes the plan's year, with its version step.
    assert (migrated.batch.year, migrated.batch.version) == (supervision.plan.year, 2)
    assert migrated.version == written.version + 1
    assert ProblemBatch.objects.count() == 1
    assert ProblemSource.objects.count() == len(ProblemSourceCode)
    assert isinstance(migrated.batch.raised_on, datetime.date)
