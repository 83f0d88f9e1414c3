"""Findings (问题): recorded against a signed clause of the inspected unit, with an owner and a deadline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from core.versions import StaleEdit
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.rules import EvidenceRefused
from responsibility.letters.models.letters import ClauseCategory, LetterClause
from responsibility.reminders.models import Notification
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    CheckOutcome,
    DrawMode,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.services.draws import spot_check_draw
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.plans import PlanInput, inspection_plan_close, inspection_plan_create
from responsibility.supervision.services.rectifications import (
    FindingChange,
    SubmissionInput,
    finding_record,
    finding_update,
    rectification_close,
    rectification_submit,
    rectification_verify,
)
from tests.responsibility.inspections.conftest import draw_input, finding_input, inspector_of, pdf_upload
from tests.responsibility.inspections.services.conftest import ROLES, evidence_stored, fresh

pytestmark = pytest.mark.django_db


def written() -> tuple:
    """Counts of everything recording a finding writes."""
    return (
        Finding.objects.count(),
        Rectification.objects.count(),
        Notification.objects.count(),
        InspectionEvent.objects.count(),
        EvidenceFile.objects.count(),
    )


def finding_events(finding: Finding) -> list[tuple]:
    return list(
        InspectionEvent.objects.filter(subject=f"finding:{finding.pk}").values_list(
            "kind", "from_status", "to_status", "actor_id", "digest"
        )
    )


@pytest.fixture
def inspector(committee_inspection):
    return inspector_of(committee_inspection)


@pytest.fixture
def head(supervision):
    return supervision.org.heads[0]  # head of the inspected committee


# --- Recording ------------------------------------------------------------------------------------


def test_finding_record_stores_the_finding_and_its_open_rectification(
    supervision, committee_inspection, inspector, head
):
    # given the deputy head will own the rectification, the head answers for the finding
    deputy = supervision.org.staff[0]
    clause = (
        LetterClause.objects.filter(letter__signer_unit=committee_inspection.unit).order_by("number").last()
    )
    deadline = timezone.localdate() + datetime.timedelta(days=45)
    data = finding_input(
        committee_inspection,
        clause=clause,
        category=ClauseCategory.POLITICAL,  # ignored: the clause says what it is about
        owner=deputy,
        deadline=deadline,
        severity="serious",
    )

    # when
    finding = finding_record(inspection=committee_inspection, data=data, recorded_by=inspector)

    # then
    stored = Finding.objects.select_related("rectification").get(pk=finding.pk)
    assert (stored.plan, stored.inspection, stored.unit, stored.number) == (
        supervision.plan,
        committee_inspection,
        committee_inspection.unit,
        1,
    )
    assert stored.reference == f"2026-{supervision.plan.pk}-001"
    assert (stored.clause, stored.category, stored.severity) == (clause, clause.category, "serious")
    assert (stored.responsible, stored.created_by) == (head, inspector)
    rectification = stored.rectification
    assert (rectification.owner, rectification.deadline, rectification.status) == (
        deputy,
        deadline,
        RectificationStatus.OPEN,
    )
    assert rectification.requirement == data.requirement
    assert rectification.evidence_required is True
    assert rectification.version == 1


def test_finding_record_records_an_event_and_the_evidence_fingerprint(
    committee_inspection, inspector, media_root
):
    upload = pdf_upload(name="接待清单.pdf")

    finding = finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, files=[upload]),
        recorded_by=inspector,
    )

    [evidence] = finding.evidence.all()
    assert evidence.original_name == "接待清单.pdf"
    assert evidence_stored(media_root) == [media_root / evidence.file.name]
    assert finding_events(finding) == [
        (InspectionEventKind.FINDING_RECORDED, "", RectificationStatus.OPEN, inspector.pk, ""),
        (InspectionEventKind.EVIDENCE_ADDED, "", "", inspector.pk, evidence.sha256),
    ]
    payload = InspectionEvent.objects.get(subject=f"finding:{finding.pk}", kind="finding_recorded").payload
    assert payload["reference"] == f"2026-{finding.plan_id}-001"
    assert inspection_chain_verify() is None


def test_finding_record_notifies_the_owner_and_the_responsible_person(
    supervision, committee_inspection, inspector, head
):
    deputy = supervision.org.staff[0]

    finding = finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, owner=deputy),
        recorded_by=inspector,
    )

    notifications = Notification.objects.order_by("recipient_id")
    assert sorted(n.recipient_id for n in notifications) == sorted([deputy.pk, head.pk])
    for notification in notifications:
        assert notification.url == reverse("responsibility:finding-detail", args=[finding.pk])
        assert (
            f"2026-{finding.plan_id}-001" in notification.title
            and committee_inspection.unit.name in notification.title
        )
        assert notification.body == finding.title
        assert notification.reminder_id is None and notification.read_at is None


def test_finding_record_notifies_once_when_the_owner_answers_for_it_too(
    committee_inspection, inspector, head
):
    finding_record(
        inspection=committee_inspection, data=finding_input(committee_inspection), recorded_by=inspector
    )

    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [head.pk]


def test_finding_record_numbers_findings_1_2_3_within_each_plan(supervision, committee_inspection, inspector):
    # given three findings in the plan
    numbers = [
        finding_record(
            inspection=committee_inspection, data=finding_input(committee_inspection), recorded_by=inspector
        )
        for _ in range(3)
    ]

    # and another plan, drawn, with its first finding
    other_plan = inspection_plan_create(
        data=PlanInput(
            year=2026,
            title="2026年度专项检查",
            description="",
            period_start=datetime.date(2026, 9, 1),
            period_end=datetime.date(2026, 9, 30),
            scope=[committee_inspection.unit],
            team=supervision.inspectors,
        ),
        created_by=supervision.inspectors[0],
    )
    draw = spot_check_draw(
        plan=other_plan, data=draw_input(mode=DrawMode.COUNT, requested=1), drawn_by=supervision.inspectors[0]
    )
    other_inspection = Inspection.objects.get(draw=draw)
    other = finding_record(
        inspection=other_inspection,
        data=finding_input(other_inspection),
        recorded_by=supervision.inspectors[0],
    )

    # then
    assert [finding.number for finding in numbers] == [1, 2, 3]
    plan = numbers[0].plan_id
    assert [finding.reference for finding in numbers] == [f"2026-{plan}-00{n}" for n in (1, 2, 3)]
    assert other.number == 1


def test_finding_record_from_a_check_result_keeps_the_link(committee_inspection, inspector):
    result = check_result_record(
        inspection=committee_inspection,
        checkpoint=committee_inspection.plan.checkpoints.get(number=2),
        data=ResultInput(outcome=CheckOutcome.NONCONFORMING, notes="超标准接待。"),
        recorded_by=inspector,
    )

    finding = finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, check_result=result),
        recorded_by=inspector,
    )

    assert Finding.objects.get(pk=finding.pk).check_result == result


def test_finding_record_in_a_unit_without_a_signed_letter_takes_the_category(supervision, drawn):
    # given the inspection of a unit whose head signed no letter
    unit = supervision.units[2]
    inspection = Inspection.objects.get(draw=drawn, unit=unit)
    assert not LetterClause.objects.filter(letter__signer_unit=unit).exists()

    # when
    finding = finding_record(
        inspection=inspection,
        data=finding_input(inspection, clause=None, category=ClauseCategory.WORK_STYLE),
        recorded_by=inspector_of(inspection),
    )

    # then
    stored = Finding.objects.get(pk=finding.pk)
    assert (stored.clause, stored.category, stored.responsible) == (
        None,
        ClauseCategory.WORK_STYLE,
        supervision.heads[unit.pk],
    )


def test_finding_record_accepts_a_section_chief_below_the_unit_as_owner(
    supervision, committee_inspection, inspector
):
    # given the section chief of 法规处, a section of the inspected committee
    chief = supervision.org.staff[1]

    finding = finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, owner=chief, responsible=chief),
        recorded_by=inspector,
    )

    assert finding.rectification.owner == chief


def test_finding_record_accepts_a_deadline_of_today(committee_inspection, inspector):
    finding = finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, deadline=timezone.localdate()),
        recorded_by=inspector,
    )
    assert finding.rectification.deadline == timezone.localdate()


# --- Who may record -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("team inspector", True),
        ("inspector not on the team", False),
        ("office admin", False),
        ("party group", False),
        ("unit head", False),
    ],
)
def test_finding_record_is_for_the_plans_team(supervision, committee_inspection, role, allowed):
    user = fresh(ROLES[role](supervision))
    before = written()

    if allowed:
        finding_record(
            inspection=committee_inspection, data=finding_input(committee_inspection), recorded_by=user
        )
        assert Finding.objects.get().created_by == user
    else:
        with pytest.raises(PermissionDenied):
            finding_record(
                inspection=committee_inspection, data=finding_input(committee_inspection), recorded_by=user
            )
        assert written() == before


def test_finding_record_by_the_team_member_not_drawn_for_the_unit_is_allowed(
    supervision, committee_inspection, inspector
):
    # Raising a finding is the plan team's, not only the drawn inspectors'.
    other = next(member for member in supervision.inspectors if member != inspector)

    finding = finding_record(
        inspection=committee_inspection, data=finding_input(committee_inspection), recorded_by=fresh(other)
    )

    assert finding.created_by == other


# --- Bad input ------------------------------------------------------------------------------------


def _other_units_clause(supervision):
    return (
        LetterClause.objects.filter(letter__signer_unit=supervision.org.head_posts[1].unit)
        .order_by("number")
        .first()
    )


# name → (the input's changes, made when the test runs; error code; words of the message)
BAD_INPUTS = {
    "a clause the unit did not sign": (
        lambda s: {"clause": _other_units_clause(s)},
        "clause",
        "one of the clauses this unit signed",
    ),
    "no clause although the unit signed": (
        lambda s: {"clause": None},
        "clause_required",
        "Choose the signed clause",
    ),
    "an unknown severity": (lambda s: {"severity": "fatal"}, "severity", "Choose a severity"),
    "a responsible person outside the unit": (
        lambda s: {"responsible": s.org.heads[1]},
        "person",
        "responsible person must hold a post in the unit",
    ),
    "an owner outside the unit": (
        lambda s: {"owner": s.org.outsider},
        "person",
        "rectification owner must hold a post in the unit",
    ),
    "no owner": (lambda s: {"owner": None}, "person", "rectification owner must hold a post"),
    "a deadline in the past": (
        lambda s: {"deadline": timezone.localdate() - datetime.timedelta(days=1)},
        "deadline_past",
        "cannot be in the past",
    ),
    "a deadline more than three years away": (
        lambda s: {"deadline": timezone.localdate() + datetime.timedelta(days=3 * 365 + 1)},
        "deadline_far",
        "within three years",
    ),
}


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_finding_record_refuses_bad_input_and_writes_nothing(
    supervision, committee_inspection, inspector, media_root, bad
):
    changes, code, words = BAD_INPUTS[bad]
    before = written()

    with pytest.raises(ApplicationError, match=words) as refused:
        finding_record(
            inspection=committee_inspection,
            data=finding_input(committee_inspection, files=[pdf_upload()], **changes(supervision)),
            recorded_by=inspector,
        )

    assert refused.value.code == code
    assert written() == before
    assert evidence_stored(media_root) == []


def test_finding_record_in_a_unit_without_a_signed_letter_needs_a_category(supervision, drawn):
    inspection = Inspection.objects.get(draw=drawn, unit=supervision.units[2])
    before = written()

    with pytest.raises(ApplicationError, match="Choose the clause category") as refused:
        finding_record(
            inspection=inspection,
            data=finding_input(inspection, clause=None, category=""),
            recorded_by=inspector_of(inspection),
        )

    assert refused.value.code == "category"
    assert written() == before


def test_finding_record_refuses_a_result_of_another_inspection(
    supervision, drawn, committee_inspection, inspector
):
    # given a result recorded in another unit's inspection
    elsewhere = Inspection.objects.get(draw=drawn, unit=supervision.units[1])
    result = check_result_record(
        inspection=elsewhere,
        checkpoint=elsewhere.plan.checkpoints.get(number=2),
        data=ResultInput(outcome=CheckOutcome.NONCONFORMING, notes=""),
        recorded_by=inspector_of(elsewhere),
    )
    before = written()

    with pytest.raises(ApplicationError, match="belongs to another inspection") as refused:
        finding_record(
            inspection=committee_inspection,
            data=finding_input(committee_inspection, check_result=result),
            recorded_by=inspector,
        )

    assert refused.value.code == "result"
    assert written() == before


def test_finding_record_refuses_a_forbidden_file_and_writes_nothing(
    committee_inspection, inspector, media_root
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = written()
    with pytest.raises(EvidenceRefused):
        finding_record(
            inspection=committee_inspection,
            data=finding_input(
                committee_inspection,
                files=[pdf_upload(), SimpleUploadedFile("截图.png", b"<svg onload=alert(1)>", "image/png")],
            ),
            recorded_by=inspector,
        )

    assert written() == before
    assert evidence_stored(media_root) == []


def test_finding_record_refuses_a_closed_plan_and_a_cancelled_inspection(
    supervision, committee_inspection, inspector
):
    # given the plan drawn again: the first draw's inspections are cancelled
    spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=5, public_value="777", reason="重新抽取。"),
        drawn_by=supervision.inspectors[0],
    )
    before = written()
    with pytest.raises(ApplicationError, match="cancelled") as cancelled:
        finding_record(
            inspection=committee_inspection, data=finding_input(committee_inspection), recorded_by=inspector
        )

    assert written() == before

    # and then closed
    inspection_plan_close(plan=supervision.plan, closed_by=supervision.inspectors[0])
    before = written()
    with pytest.raises(ApplicationError, match="This plan is closed") as closed:
        finding_record(
            inspection=committee_inspection, data=finding_input(committee_inspection), recorded_by=inspector
        )

    assert (cancelled.value.code, closed.value.code) == ("cancelled", "closed")
    assert written() == before


# --- Changing a finding ---------------------------------------------------------------------------


def change_of(finding: Finding, **overrides) -> FindingChange:
    rectification = finding.rectification
    values = {
        "title": finding.title,
        "description": finding.description,
        "severity": finding.severity,
        "responsible": finding.responsible,
        "owner": rectification.owner,
        "requirement": rectification.requirement,
        "deadline": rectification.deadline,
    }
    values.update(overrides)
    return FindingChange(**values)


def test_finding_update_changes_the_finding_and_its_terms_with_an_event(supervision, finding):
    # given
    member = supervision.inspectors[1]
    deputy = supervision.org.staff[0]
    new_deadline = finding.rectification.deadline + datetime.timedelta(days=10)

    # when
    finding_update(
        finding=finding,
        data=change_of(finding, severity="serious", owner=deputy, deadline=new_deadline),
        updated_by=member,
        expected_version=1,
    )

    # then
    stored = Finding.objects.select_related("rectification").get(pk=finding.pk)
    assert (stored.severity, stored.version) == ("serious", 2)
    assert (stored.rectification.owner, stored.rectification.deadline, stored.rectification.version) == (
        deputy,
        new_deadline,
        2,
    )
    event = InspectionEvent.objects.filter(subject=f"finding:{finding.pk}").last()
    assert (event.kind, event.actor) == (InspectionEventKind.FINDING_UPDATED, member)
    assert (
        "severity" in event.payload["changes"] and event.payload["changes"]["owner"]["to"]["id"] == deputy.pk
    )
    assert inspection_chain_verify() is None


def test_finding_update_without_a_change_writes_nothing(supervision, finding):
    events = InspectionEvent.objects.count()

    finding_update(
        finding=finding, data=change_of(finding), updated_by=supervision.inspectors[0], expected_version=1
    )

    assert Finding.objects.get(pk=finding.pk).version == 1
    assert InspectionEvent.objects.count() == events


def test_finding_update_from_a_stale_page_is_refused_and_changes_nothing(supervision, finding):
    first, second = supervision.inspectors
    finding_update(
        finding=finding, data=change_of(finding, title="第一人的修改"), updated_by=first, expected_version=1
    )
    events = InspectionEvent.objects.count()

    with pytest.raises(StaleEdit, match="Someone else changed this finding"):
        finding_update(
            finding=finding,
            data=change_of(finding, title="第二人的修改"),
            updated_by=second,
            expected_version=1,
        )

    stored = Finding.objects.get(pk=finding.pk)
    assert (stored.title, stored.version) == ("第一人的修改", 2)
    assert InspectionEvent.objects.count() == events


@pytest.mark.parametrize("role", ["inspector not on the team", "office admin", "party group", "unit head"])
def test_finding_update_is_for_the_plans_team(supervision, finding, role):
    with pytest.raises(PermissionDenied):
        finding_update(
            finding=finding,
            data=change_of(finding, title="改"),
            updated_by=fresh(ROLES[role](supervision)),
            expected_version=1,
        )
    assert Finding.objects.get(pk=finding.pk).title != "改"


def test_finding_update_of_a_closed_rectification_is_refused(supervision, finding):
    # given the rectification ticked off
    member = supervision.inspectors[0]
    rectification = rectification_submit(
        rectification=finding.rectification,
        data=SubmissionInput(measures="已整改。", files=[pdf_upload()]),
        submitted_by=finding.rectification.owner,
        expected_version=1,
    )
    rectification = rectification_verify(rectification=rectification, verified_by=member, expected_version=2)
    rectification_close(rectification=rectification, closed_by=member, expected_version=3)

    with pytest.raises(ApplicationError, match="ticked off") as refused:
        finding_update(
            finding=Finding.objects.get(pk=finding.pk),
            data=change_of(finding, title="改"),
            updated_by=member,
            expected_version=1,
        )

    assert refused.value.code == "closed"
    assert Finding.objects.get(pk=finding.pk).title != "改"
