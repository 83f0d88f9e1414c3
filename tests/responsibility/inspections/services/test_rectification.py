"""Rectification (整改): open → submitted → verified → closed (销号), or back to open with a reason."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ApplicationError, TransitionNotAllowed
from core.versions import StaleEdit
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.rules import EvidenceRefused
from responsibility.reminders.models import Notification
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    InspectionEventKind,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.services.rectifications import (
    FindingChange,
    SubmissionInput,
    finding_record,
    finding_update,
    rectification_close,
    rectification_send_back,
    rectification_submit,
    rectification_verify,
)
from responsibility.supervision.workflow import RECTIFICATION_STEPS, RectificationStep
from tests.responsibility.inspections.conftest import finding_input, inspector_of, pdf_upload
from tests.responsibility.inspections.services.conftest import ROLES, evidence_stored, fresh

pytestmark = pytest.mark.django_db

S = RectificationStatus
MEASURES = "已召开党组会议专题研究党风廉政建设，形成会议纪要。"


@pytest.fixture
def member(supervision):
    """A member of the plan's team (the one not drawn for the committee may verify too)."""
    return supervision.inspectors[1]


@pytest.fixture
def deputy_finding(supervision, committee_inspection) -> Finding:
    """A finding whose rectification the deputy head owns; the head answers for the unit."""
    return finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, owner=supervision.org.staff[0]),
        recorded_by=inspector_of(committee_inspection),
    )


def current(finding: Finding) -> Rectification:
    return Rectification.objects.select_related("finding", "finding__plan").get(finding=finding)


def snapshot(finding: Finding) -> tuple:
    """Everything a step may change, as stored, with the events, evidence and notifications."""
    r = current(finding)
    return (
        r.status,
        r.version,
        r.measures,
        r.rejection_reason,
        r.times_rejected,
        r.submitted_at,
        r.submitted_by_id,
        r.verified_at,
        r.verified_by_id,
        r.closed_at,
        r.closed_by_id,
        InspectionEvent.objects.count(),
        EvidenceFile.objects.count(),
        Notification.objects.count(),
    )


def submit(finding: Finding, *, by=None, measures: str = MEASURES, files=None, expected_version=None):
    rectification = current(finding)
    return rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures=measures, files=[pdf_upload()] if files is None else files),
        submitted_by=by or rectification.owner,
        expected_version=expected_version,
    )


def verify(finding: Finding, *, by, expected_version=None):
    return rectification_verify(
        rectification=current(finding), verified_by=by, expected_version=expected_version
    )


def send_back(finding: Finding, *, by, reason="会议纪要未附签到表。", expected_version=None):
    return rectification_send_back(
        rectification=current(finding), sent_back_by=by, reason=reason, expected_version=expected_version
    )


def close(finding: Finding, *, by, expected_version=None):
    return rectification_close(
        rectification=current(finding), closed_by=by, expected_version=expected_version
    )


def reach(finding: Finding, state: RectificationStatus, member) -> None:
    """Move a new finding's rectification to `state` through the services."""
    if state == S.OPEN:
        return
    submit(finding)
    if state == S.SUBMITTED:
        return
    verify(finding, by=member)
    if state == S.VERIFIED:
        return
    close(finding, by=member)


ACTIONS = {
    "submit": lambda finding, member: submit(finding),
    "verify": lambda finding, member: verify(finding, by=member),
    "send back": lambda finding, member: send_back(finding, by=member),
    "close": lambda finding, member: close(finding, by=member),
}
# The table under test: (from, action) → to. Every other pair is refused.
ALLOWED = {
    (S.OPEN, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "verify"): S.VERIFIED,
    (S.SUBMITTED, "send back"): S.OPEN,
    (S.VERIFIED, "close"): S.CLOSED,
}
PAIRS = [(state, action) for state in S for action in ACTIONS]


def test_the_table_under_test_is_the_workflows_table():
    steps = {
        "submit": RectificationStep.SUBMIT,
        "verify": RectificationStep.VERIFY,
        "send back": RectificationStep.SEND_BACK,
        "close": RectificationStep.CLOSE,
    }
    assert {
        (state, action): RECTIFICATION_STEPS[steps[action]][1]
        for state, action in PAIRS
        if state in RECTIFICATION_STEPS[steps[action]][0]
    } == ALLOWED
    # and the one step not taken on the finding page: a 回头看 reopens a closed one (test_rechecks.py)
    assert RECTIFICATION_STEPS[RectificationStep.REOPEN] == ({S.CLOSED}, S.OPEN)


@pytest.mark.parametrize(
    ("state", "action"), PAIRS, ids=[f"{state.value}-{action.replace(' ', '_')}" for state, action in PAIRS]
)
def test_rectification_transitions_follow_the_table(finding, member, media_root, state, action):
    # given a rectification in `state`
    reach(finding, state, member)
    before = snapshot(finding)
    files_before = evidence_stored(media_root)

    if (state, action) in ALLOWED:
        # when the action is taken, then it moves to the table's target with one more version
        moved = ACTIONS[action](finding, member)
        assert moved.status == current(finding).status == ALLOWED[(state, action)]
        assert current(finding).version == before[1] + 1
    else:
        # when the action is taken, then it is refused and nothing changed
        with pytest.raises(TransitionNotAllowed) as refused:
            ACTIONS[action](finding, member)
        assert refused.value.code.startswith(f"{state.value}_to_")
        assert snapshot(finding) == before
        assert evidence_stored(media_root) == files_before


def test_rectification_lifecycle_writes_one_event_per_step_and_the_chain_verifies(
    supervision, finding, member
):
    # given the finding recorded by its inspector, owned by the unit head
    owner = current(finding).owner
    recorder = finding.created_by

    # when: submitted, sent back, submitted again, verified, closed
    submit(finding, expected_version=1)
    send_back(finding, by=member, expected_version=2)
    submit(finding, measures="补充签到表。", files=[], expected_version=3)  # the first file still counts
    verify(finding, by=supervision.inspectors[0], expected_version=4)
    close(finding, by=member, expected_version=5)

    # then
    events = InspectionEvent.objects.filter(subject=f"finding:{finding.pk}").order_by("sequence")
    assert [(e.kind, e.from_status, e.to_status, e.actor_id) for e in events] == [
        (InspectionEventKind.FINDING_RECORDED, "", S.OPEN, recorder.pk),
        (InspectionEventKind.EVIDENCE_ADDED, "", "", owner.pk),
        (InspectionEventKind.SUBMITTED, S.OPEN, S.SUBMITTED, owner.pk),
        (InspectionEventKind.SENT_BACK, S.SUBMITTED, S.OPEN, member.pk),
        (InspectionEventKind.SUBMITTED, S.OPEN, S.SUBMITTED, owner.pk),
        (InspectionEventKind.VERIFIED, S.SUBMITTED, S.VERIFIED, supervision.inspectors[0].pk),
        (InspectionEventKind.CLOSED, S.VERIFIED, S.CLOSED, member.pk),
    ]
    rectification = current(finding)
    assert rectification.status == S.CLOSED
    assert rectification.version == 6
    assert rectification.measures == "补充签到表。"
    assert (rectification.submitted_by, rectification.verified_by, rectification.closed_by) == (
        owner,
        supervision.inspectors[0],
        member,
    )
    assert rectification.submitted_at <= rectification.verified_at <= rectification.closed_at
    assert rectification.evidence.count() == 1
    assert inspection_chain_verify() is None


# --- Submitting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "unit head"])
def test_rectification_submit_by_the_owner_or_the_unit_head(supervision, deputy_finding, who):
    by = supervision.org.staff[0] if who == "owner" else supervision.org.heads[0]

    rectification = submit(deputy_finding, by=fresh(by))

    assert rectification.status == S.SUBMITTED
    assert (current(deputy_finding).submitted_by, current(deputy_finding).measures) == (by, MEASURES)


@pytest.mark.parametrize(
    "who",
    [
        "team inspector",
        "inspector not on the team",
        "office admin",
        "party group",
        "head of another unit",
        "section chief of the unit",  # in the unit, but neither the owner nor its head
        "outsider",
    ],
)
def test_rectification_submit_by_anyone_else_is_refused(supervision, deputy_finding, media_root, who):
    others = {
        "head of another unit": lambda s: s.org.heads[1],
        "section chief of the unit": lambda s: s.org.staff[1],
        "outsider": lambda s: s.org.outsider,
    }
    user = fresh((others.get(who) or ROLES[who])(supervision))
    before = snapshot(deputy_finding)

    with pytest.raises(PermissionDenied, match="owner or the unit's head"):
        submit(deputy_finding, by=user)

    assert snapshot(deputy_finding) == before
    assert evidence_stored(media_root) == []


@pytest.mark.parametrize("measures", ["", "   \n "])
def test_rectification_submit_without_measures_is_refused(finding, media_root, measures):
    before = snapshot(finding)

    with pytest.raises(ApplicationError, match="Describe the measures") as refused:
        submit(finding, measures=measures)

    assert refused.value.code == "measures"
    assert snapshot(finding) == before
    assert evidence_stored(media_root) == []


def test_rectification_submit_without_required_evidence_is_refused(finding):
    before = snapshot(finding)

    with pytest.raises(ApplicationError, match="needs evidence") as refused:
        submit(finding, files=[])

    assert refused.value.code == "evidence_required"
    assert snapshot(finding) == before


def test_rectification_submit_with_evidence_stores_it_against_the_rectification(finding, media_root):
    rectification = submit(finding, measures=f"  {MEASURES}  ", files=[pdf_upload(name="会议纪要.pdf")])

    [evidence] = EvidenceFile.objects.filter(rectification=rectification)
    assert evidence.original_name == "会议纪要.pdf"
    assert (evidence.finding_id, evidence.check_result_id) == (None, None)
    assert evidence_stored(media_root) == [media_root / evidence.file.name]
    assert current(finding).measures == MEASURES  # stripped
    assert current(finding).submitted_at is not None
    digests = InspectionEvent.objects.filter(
        subject=f"finding:{finding.pk}", kind=InspectionEventKind.EVIDENCE_ADDED
    ).values_list("digest", flat=True)
    assert list(digests) == [evidence.sha256]


def test_rectification_submit_needs_no_evidence_when_not_required(committee_inspection):
    finding = finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, evidence_required=False),
        recorded_by=inspector_of(committee_inspection),
    )

    rectification = submit(finding, files=[])

    assert rectification.status == S.SUBMITTED
    assert not rectification.evidence.exists()


def test_rectification_submit_refuses_a_forbidden_file_and_stores_nothing(finding, media_root):
    before = snapshot(finding)

    with pytest.raises(EvidenceRefused):
        submit(
            finding, files=[pdf_upload(), SimpleUploadedFile("a.pdf", b"<html></html>", "application/pdf")]
        )

    assert snapshot(finding) == before
    assert evidence_stored(media_root) == []


# --- Sending back ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  "])
def test_rectification_send_back_needs_a_reason(finding, member, reason):
    submit(finding)
    before = snapshot(finding)

    with pytest.raises(ApplicationError, match="Give the reason") as refused:
        send_back(finding, by=member, reason=reason)

    assert refused.value.code == "reason"
    assert snapshot(finding) == before


def test_rectification_send_back_refuses_a_reason_over_1000_characters(finding, member):
    submit(finding)
    before = snapshot(finding)

    with pytest.raises(ApplicationError, match="at most 1000"):
        send_back(finding, by=member, reason="理" * 1001)

    assert snapshot(finding) == before


def test_rectification_send_back_reopens_it_counts_and_tells_the_owner(finding, member):
    owner = current(finding).owner
    submit(finding)
    send_back(finding, by=member, reason="  未附签到表。 ")
    submit(finding, files=[])

    send_back(finding, by=member, reason="会议纪要未盖章。")

    rectification = current(finding)
    assert rectification.status == S.OPEN
    assert rectification.times_rejected == 2
    assert rectification.rejection_reason == "会议纪要未盖章。"
    sent_back = Notification.objects.filter(recipient=owner, title__contains="sent back").order_by("pk")
    assert [n.body for n in sent_back] == ["未附签到表。", "会议纪要未盖章。"]


# --- Verifying and ticking off: the plan's team only ----------------------------------------------


VERIFIERS_REFUSED = ["inspector not on the team", "office admin", "party group", "unit head", "owner"]


def _user(supervision, finding, who):
    if who == "owner":
        return fresh(current(finding).owner)
    return fresh(ROLES[who](supervision))


@pytest.mark.parametrize("action", ["verify", "send back"])
@pytest.mark.parametrize("who", ["drawn inspector", "team member not drawn"])
def test_rectification_verify_and_send_back_by_a_team_member(supervision, finding, action, who):
    user = inspector_of(finding.inspection) if who == "drawn inspector" else supervision.inspectors[1]
    submit(finding)

    moved = ACTIONS[action](finding, fresh(user))

    assert moved.status == (S.VERIFIED if action == "verify" else S.OPEN)


@pytest.mark.parametrize("action", ["verify", "send back", "close"])
@pytest.mark.parametrize("who", VERIFIERS_REFUSED)
def test_rectification_verify_send_back_and_close_by_anyone_else_are_refused(
    supervision, finding, member, action, who
):
    reach(finding, S.VERIFIED if action == "close" else S.SUBMITTED, member)
    before = snapshot(finding)

    with pytest.raises(PermissionDenied):
        ACTIONS[action](finding, _user(supervision, finding, who))

    assert snapshot(finding) == before


# --- Stale pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action"),
    [(S.OPEN, "submit"), (S.SUBMITTED, "verify"), (S.SUBMITTED, "send back"), (S.VERIFIED, "close")],
)
def test_rectification_step_from_a_stale_page_is_refused_and_changes_nothing(
    supervision, finding, member, media_root, state, action
):
    # given the page was loaded, then someone else changed the rectification
    reach(finding, state, member)
    loaded_version = current(finding).version
    if state == S.OPEN:  # the team moved the deadline meanwhile
        rectification = current(finding)
        finding_update(
            finding=Finding.objects.get(pk=finding.pk),
            data=FindingChange(
                title=finding.title,
                description=finding.description,
                severity=finding.severity,
                responsible=finding.responsible,
                owner=rectification.owner,
                requirement=rectification.requirement,
                deadline=rectification.deadline + datetime.timedelta(days=7),
            ),
            updated_by=member,
            expected_version=1,
        )
    else:  # the page was loaded one step earlier
        loaded_version -= 1
    before = snapshot(finding)
    files = evidence_stored(media_root)

    # when the step is taken from that page
    steps = {
        "submit": lambda: submit(finding, expected_version=loaded_version),
        "verify": lambda: verify(finding, by=member, expected_version=loaded_version),
        "send back": lambda: send_back(finding, by=member, expected_version=loaded_version),
        "close": lambda: close(finding, by=member, expected_version=loaded_version),
    }
    with pytest.raises(StaleEdit, match="Someone else changed this rectification") as refused:
        steps[action]()

    # then
    assert refused.value.code == "stale"
    assert snapshot(finding) == before
    assert evidence_stored(media_root) == files


def test_rectification_step_with_the_current_version_goes_through(finding, member):
    submit(finding, expected_version=1)
    assert verify(finding, by=member, expected_version=2).status == S.VERIFIED
