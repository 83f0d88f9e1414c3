"""回头看: closed problems drawn reproducibly and re-checked; 整改不到位 and 虚假整改 reopen them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import ApplicationError, TransitionNotAllowed
from responsibility.reminders.models import Notification
from responsibility.supervision.audit import inspection_chain_verify, inspection_event_describe
from responsibility.supervision.draws import DrawRefused
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    InspectionEventKind,
    Measure,
    MeasureStatus,
    ProblemBatch,
    Recheck,
    RecheckOutcome,
    RecheckResult,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.services.rechecks import (
    RecheckFinding,
    RecheckInput,
    recheck_draw,
    recheck_result_record,
    recheck_verify,
)
from responsibility.supervision.services.rectifications import (
    SubmissionInput,
    finding_record,
    rectification_submit,
)
from tests.responsibility.inspections.conftest import (
    finding_input,
    finding_ticked_off,
    inspector_of,
    pdf_upload,
)
from tests.responsibility.inspections.tampering import _raw_update

pytestmark = pytest.mark.django_db


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def member(supervision):
    return supervision.inspectors[0]


@pytest.fixture
def closed(committee_inspection, member, settings, tmp_path) -> list[Finding]:
    """Five problems of the committee ticked off, and one still open (never drawn)."""
    settings.MEDIA_ROOT = str(tmp_path)
    findings = [
        finding_record(
            inspection=committee_inspection,
            data=finding_input(committee_inspection, title=f"问题{index}"),
            recorded_by=inspector_of(committee_inspection),
        )
        for index in range(6)
    ]
    for finding in findings[:5]:
        finding_ticked_off(finding, by=member)
    return findings[:5]


def _input(supervision, **overrides) -> RecheckInput:
    values = {
        "title": "2026年度整改情况回头看",
        "batches": [ProblemBatch.objects.get(plan=supervision.plan)],
        "closed_from": None,
        "closed_to": None,
        "requested": 2,
        "public_value": "20261206",
        **overrides,
    }
    return RecheckInput(**values)


def test_a_recheck_draws_from_the_closed_problems_only_and_can_be_run_again(supervision, closed, member):
    recheck = recheck_draw(data=_input(supervision), drawn_by=member)

    assert [row["id"] for row in recheck.population] == sorted(finding.pk for finding in closed)
    assert len(recheck.result) == 2 and set(recheck.result) <= {finding.pk for finding in closed}
    assert recheck.population[0]["reference"] == Finding.objects.get(pk=recheck.population[0]["id"]).reference
    assert recheck_verify(recheck).is_valid
    event = InspectionEvent.objects.get(subject=f"recheck:{recheck.pk}")
    assert (event.kind, event.digest, event.plan_id, event.batch_id) == (
        InspectionEventKind.RECHECK_DRAWN,
        recheck.result_hash,
        None,
        None,
    )
    assert inspection_event_describe(event) == (
        "Re-check 1 “2026年度整改情况回头看”, public value 20261206: 2 of 5 closed problems drawn."
    )
    assert inspection_chain_verify() is None


def test_a_changed_record_no_longer_runs_again_to_itself(supervision, closed, member):
    recheck = recheck_draw(data=_input(supervision), drawn_by=member)
    others = [finding.pk for finding in closed if finding.pk not in recheck.result]

    _raw_update(Recheck, recheck.pk, result=others[:2])

    verification = recheck_verify(Recheck.objects.get(pk=recheck.pk))
    assert (verification.result_matches, verification.record_hash_matches) == (False, False)
    assert verification.seed_matches and verification.chain_matches


def test_the_days_closed_narrow_the_population(supervision, closed, member):
    tomorrow = _in(1)

    with pytest.raises(DrawRefused, match="nothing to re-check"):
        recheck_draw(data=_input(supervision, closed_from=tomorrow), drawn_by=member)
    assert not Recheck.objects.exists()
    recheck = recheck_draw(data=_input(supervision, closed_to=_in(0), requested=5), drawn_by=member)
    assert len(recheck.result) == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "  "}, "Give the re-check a title."),
        ({"batches": []}, "Choose the problem lists to draw from."),
        ({"requested": 6}, "from 1 to 5"),
        ({"requested": 0}, "from 1 to 5"),
        ({"public_value": ""}, "public value"),
        ({"closed_from": "later", "closed_to": "earlier"}, "must not be after"),
    ],
)
def test_a_bad_recheck_is_refused_and_nothing_is_drawn(supervision, closed, member, overrides, message):
    dates = {"later": _in(0), "earlier": _in(-1)}
    overrides = {
        name: dates.get(value, value) if isinstance(value, str) else value
        for name, value in overrides.items()
    }
    events = InspectionEvent.objects.count()

    with pytest.raises(DrawRefused, match=message):
        recheck_draw(data=_input(supervision, **overrides), drawn_by=member)

    assert not Recheck.objects.exists()
    assert InspectionEvent.objects.count() == events


def test_a_recheck_over_a_list_with_nothing_closed_is_refused(supervision, committee_inspection, member):
    with pytest.raises(DrawRefused, match="nothing to re-check"):
        recheck_draw(data=_input(supervision), drawn_by=member)


def test_only_the_team_members_who_verify_draw_and_record(supervision, closed, member):
    for outsider in (supervision.org.office_admin, supervision.org.secretary, supervision.org.heads[0]):
        with pytest.raises(PermissionDenied):
            recheck_draw(data=_input(supervision), drawn_by=outsider)
    recheck = recheck_draw(data=_input(supervision), drawn_by=member)
    with pytest.raises(PermissionDenied):
        recheck_result_record(
            recheck=recheck,
            finding=Finding.objects.get(pk=recheck.result[0]),
            data=RecheckFinding(outcome=RecheckOutcome.CONFIRMED, reason=""),
            recorded_by=supervision.org.office_admin,
        )


@pytest.fixture
def recheck(supervision, closed, member) -> Recheck:
    return recheck_draw(data=_input(supervision), drawn_by=member)


def _record(recheck, index=0, *, by, outcome=RecheckOutcome.CONFIRMED, reason="", deadline=None):
    return recheck_result_record(
        recheck=recheck,
        finding=Finding.objects.get(pk=recheck.result[index]),
        data=RecheckFinding(outcome=outcome, reason=reason, deadline=deadline),
        recorded_by=by,
    )


def test_a_confirmed_problem_stays_ticked_off(recheck, member):
    result = _record(recheck, by=member, reason="台账、制度均已落实。")

    rectification = Rectification.objects.get(finding_id=recheck.result[0])
    assert (result.outcome, rectification.status, rectification.times_reopened) == (
        RecheckOutcome.CONFIRMED,
        RectificationStatus.CLOSED,
        0,
    )
    event = InspectionEvent.objects.filter(subject=f"finding:{recheck.result[0]}").last()
    assert (
        inspection_event_describe(event) == "Re-check 1: Rectified as reported. Reason: 台账、制度均已落实。"
    )


@pytest.mark.parametrize("outcome", [RecheckOutcome.INADEQUATE, RecheckOutcome.FALSE])
def test_paper_rectification_reopens_the_problem_and_every_measure_by_a_new_deadline(
    recheck, member, outcome
):
    finding = Finding.objects.get(pk=recheck.result[0])
    before = Rectification.objects.get(finding=finding)

    _record(recheck, by=member, outcome=outcome, reason="制度未实际执行。", deadline=_in(20))

    rectification = Rectification.objects.get(finding=finding)
    assert rectification.status == RectificationStatus.OPEN
    assert (rectification.times_reopened, rectification.deadline) == (1, _in(20))
    assert rectification.rejection_reason == "制度未实际执行。"
    assert rectification.version == before.version + 1
    assert [(m.status, m.deadline) for m in Measure.objects.filter(finding=finding)] == [
        (MeasureStatus.OPEN, _in(20))
    ]
    event = InspectionEvent.objects.filter(subject=f"finding:{finding.pk}").last()
    assert (event.kind, event.from_status, event.to_status) == (
        InspectionEventKind.RECHECKED,
        "closed",
        "open",
    )
    assert "Opened again, to be rectified by" in inspection_event_describe(event)
    assert Notification.objects.filter(
        recipient=rectification.owner, title__contains="reopened by a re-check"
    ).exists()
    assert inspection_chain_verify() is None
    # and the owner reports it again, as any open rectification
    rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="已重新整改。", files=[pdf_upload()]),
        submitted_by=rectification.owner,
        expected_version=None,
    )
    assert Rectification.objects.get(finding=finding).status == RectificationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("reason", "deadline", "code"),
    [("", "later", "reason"), ("不到位。", None, "deadline"), ("不到位。", "past", "deadline_past")],
)
def test_reopening_needs_a_reason_and_a_new_deadline(recheck, member, reason, deadline, code):
    deadline = {"later": _in(20), "past": _in(-1), None: None}[deadline]
    finding_id = recheck.result[0]
    events = InspectionEvent.objects.count()

    with pytest.raises(ApplicationError) as refused:
        _record(recheck, by=member, outcome=RecheckOutcome.FALSE, reason=reason, deadline=deadline)

    assert refused.value.code == code
    assert Rectification.objects.get(finding_id=finding_id).status == RectificationStatus.CLOSED
    assert not RecheckResult.objects.exists()
    assert InspectionEvent.objects.count() == events


def test_a_problem_is_recorded_once_per_recheck_and_only_if_drawn(recheck, member, closed):
    _record(recheck, by=member)

    with pytest.raises(TransitionNotAllowed, match="already recorded"):
        _record(recheck, by=member, outcome=RecheckOutcome.FALSE, reason="再看。", deadline=_in(10))
    not_drawn = next(finding for finding in closed if finding.pk not in recheck.result)
    with pytest.raises(ApplicationError, match="not drawn"):
        recheck_result_record(
            recheck=recheck,
            finding=not_drawn,
            data=RecheckFinding(outcome=RecheckOutcome.CONFIRMED, reason=""),
            recorded_by=member,
        )
    assert RecheckResult.objects.count() == 1


def test_a_problem_reopened_since_another_recheck_was_drawn_is_not_rechecked_there(
    supervision, closed, member
):
    first = recheck_draw(data=_input(supervision, requested=5), drawn_by=member)
    second = recheck_draw(data=_input(supervision, requested=5), drawn_by=member)
    finding = Finding.objects.get(pk=first.result[0])
    _record(first, by=member, outcome=RecheckOutcome.FALSE, reason="不到位。", deadline=_in(10))

    for outcome, reason in ((RecheckOutcome.FALSE, "还是不到位。"), (RecheckOutcome.CONFIRMED, "")):
        with pytest.raises(TransitionNotAllowed, match="opened again"):
            recheck_result_record(
                recheck=second,
                finding=finding,
                data=RecheckFinding(outcome=outcome, reason=reason, deadline=_in(10)),
                recorded_by=member,
            )
    assert Rectification.objects.get(finding=finding).times_reopened == 1
    assert not RecheckResult.objects.filter(recheck=second).exists()
