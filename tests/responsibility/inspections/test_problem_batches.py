"""Problems of every source (ADR 0015, first step): the sources, and an inspection plan's findings as
its batch (问题清单), from the plan's creation and for the plans made before batches existed."""

import pytest
from django.utils import timezone

from responsibility.supervision.models import (
    BatchStatus,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
)
from responsibility.supervision.services.plans import PlanInput, inspection_plan_update

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


# Migration 0022 (every earlier finding in its plan's batch) is tested with 0023 in one migration round
# trip: test_measures_migration.py.
