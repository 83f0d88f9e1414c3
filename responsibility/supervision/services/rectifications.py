"""Findings (问题) and their rectification (整改) to 销号: every change, each an audit event."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Post
from accounts.org_tree import org_tree
from core import clock
from core.announcements import AnnouncementKind, announce
from core.audit import changes_payload, person_payload
from core.dates import date_text
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.evidence.rules import evidence_check_all
from responsibility.evidence.services import evidence_store
from responsibility.letters.models.letters import SIGNED_STATUSES, LetterClause
from responsibility.reminders.models import Notification, ReminderKind
from responsibility.reminders.services import reminders_close_done
from responsibility.supervision.audit import evidence_added_events, inspection_event, inspection_events_append
from responsibility.supervision.models import (
    CheckResult,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionPlan,
    InspectionStatus,
    Measure,
    MeasureStatus,
    ProblemBatch,
    Rectification,
    RectificationStatus,
    Severity,
)
from responsibility.supervision.permissions import (
    FindingAction,
    InspectionAction,
    finding_check_permission,
    inspection_check_permission,
)
from responsibility.supervision.reminder_sources import MeasureDueSource, RectificationDueSource
from responsibility.supervision.workflow import (
    RECTIFICATION_STAMPS,
    RectificationStep,
    rectification_ensure_step_allowed,
)

MAX_REASON_LENGTH = 1000
# A rectification deadline further out than this is a typing mistake, not a plan.
MAX_DEADLINE_DAYS = 3 * 365


def signed_clauses_of_unit(*, unit_id: int):
    """The clauses of the letters a unit signed (its checklist's source): signed letters, newest first."""
    return (
        LetterClause.objects.filter(letter__signer_unit_id=unit_id, letter__status__in=SIGNED_STATUSES)
        .select_related("letter", "letter__campaign")
        .order_by("-letter__campaign__year", "letter__reference", "number")
    )


def people_of_unit(*, unit_id: int):
    """Who can answer for a finding in a unit: holders of a post in the unit or a unit below it."""
    from django.contrib.auth import get_user_model

    units = org_tree().subtree(unit_id)
    holders = Post.objects.filter(unit_id__in=units, holder__isnull=False).values_list("holder_id", flat=True)
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("full_name", "pk")


def people_ids_of_unit(*, unit_id: int) -> set[int]:
    """The ids of `people_of_unit`, read at once: to check several people of one unit (a problem's
    leader, owner and every measure's owner) without reading the organisation for each."""
    return set(people_of_unit(unit_id=unit_id).order_by().values_list("pk", flat=True))


@dataclass
class FindingInput:
    title: str
    description: str
    severity: str
    clause: LetterClause | None
    category: str  # taken from the clause when there is one
    responsible: object
    owner: object
    requirement: str
    deadline: datetime.date
    evidence_required: bool = True
    check_result: CheckResult | None = None
    files: list = field(default_factory=list)


def _finding_input_check(
    *,
    data: FindingInput,
    unit_id: int,
    today: datetime.date,
    clause_required: bool = True,
    people: set[int] | None = None,
) -> str:
    """Check a finding's input against its unit; returns the clause category.

    An inspection's finding names the signed clause it breaches when the unit signed any
    (`clause_required`); a problem of another source may, and otherwise names its category."""
    if data.severity not in Severity.values:
        raise ApplicationError(_("Choose a severity."), code="severity")
    if data.clause is not None:
        if not signed_clauses_of_unit(unit_id=unit_id).filter(pk=data.clause.pk).exists():
            raise ApplicationError(
                _("The clause must be one of the clauses this unit signed."), code="clause"
            )
        category = data.clause.category
    elif clause_required and signed_clauses_of_unit(unit_id=unit_id).exists():
        raise ApplicationError(_("Choose the signed clause this finding breaches."), code="clause_required")
    else:
        category = data.category
    from responsibility.letters.models.letters import ClauseCategory

    if category not in ClauseCategory.values:
        raise ApplicationError(_("Choose the clause category this finding concerns."), code="category")
    people = people_ids_of_unit(unit_id=unit_id) if people is None else people
    for person, what in ((data.responsible, _("responsible person")), (data.owner, _("rectification owner"))):
        if person is None or person.pk not in people:
            raise ApplicationError(
                _("The %(what)s must hold a post in the unit.") % {"what": what}, code="person"
            )
    rectification_deadline_check(data.deadline, today=today)
    return category


def rectification_deadline_check(
    deadline: datetime.date, *, today: datetime.date, kept: datetime.date | None = None
) -> None:
    """A rectification is due on a day from today to three years ahead (a correction may keep a deadline
    that has passed: `kept`)."""
    if deadline < today and deadline != kept:
        raise ApplicationError(_("The rectification deadline cannot be in the past."), code="deadline_past")
    if deadline > today + datetime.timedelta(days=MAX_DEADLINE_DAYS):
        raise ApplicationError(
            _("The rectification deadline must be within three years."), code="deadline_far"
        )


@transaction.atomic
def finding_record(*, inspection: Inspection, data: FindingInput, recorded_by) -> Finding:
    """An inspector records a problem found in a unit; its rectification starts open with an owner."""
    inspection_check_permission(
        user=recorded_by, action=InspectionAction.RAISE_FINDING, inspection=inspection
    )
    # The plan first (core.locks' order): it also numbers the plan's findings without gaps.
    plan = row_lock(InspectionPlan, pk=inspection.plan_id)
    locked = row_lock(Inspection.objects.select_related("plan"), pk=inspection.pk)
    if not plan.is_open:
        raise ApplicationError(_("This plan is closed; nothing more can be recorded in it."), code="closed")
    if locked.status == InspectionStatus.CANCELLED:
        raise ApplicationError(
            _("This inspection was cancelled when the plan was drawn again."), code="cancelled"
        )
    if data.check_result is not None and data.check_result.inspection_id != locked.pk:
        raise ApplicationError(_("That result belongs to another inspection."), code="result")
    category = _finding_input_check(data=data, unit_id=locked.unit_id, today=clock.today())
    files = evidence_check_all(data.files)
    number = (plan.findings.aggregate(last=Max("number"))["last"] or 0) + 1
    finding = Finding.objects.create(
        batch=ProblemBatch.objects.get(plan=plan),
        plan=plan,
        inspection=locked,
        check_result=data.check_result,
        number=number,
        unit_id=locked.unit_id,
        responsible=data.responsible,
        clause=data.clause,
        category=category,
        severity=data.severity,
        title=data.title,
        description=data.description,
        created_by=recorded_by,
    )
    rectification = Rectification.objects.create(
        finding=finding,
        owner=data.owner,
        requirement=data.requirement,
        deadline=data.deadline,
        evidence_required=data.evidence_required,
    )
    # Its first measure is the rectification's terms; the owner or the team may break it down further.
    Measure.objects.create(
        finding=finding,
        number=1,
        action=data.requirement,
        owner=data.owner,
        deadline=data.deadline,
        created_by=recorded_by,
    )
    stored = evidence_store(files=files, uploaded_by=recorded_by, finding=finding)
    _finding_recorded(
        finding,
        rectification=rectification,
        recorded_by=recorded_by,
        unit_name=locked.unit.name,
        events=_finding_evidence_events(finding, files=stored, actor=recorded_by),
        recipients={data.owner.pk, data.responsible.pk},
    )
    return finding


def _finding_recorded(
    finding: Finding,
    *,
    rectification: Rectification,
    recorded_by,
    unit_name: str,
    events,
    recipients: set[int],
) -> None:
    """A problem just recorded, of any source: its chained record (then `events`, such as its measures and
    files) and the message to the people who answer for it."""
    inspection_events_append(
        events=[
            _finding_event(
                finding,
                kind=InspectionEventKind.FINDING_RECORDED,
                actor=recorded_by,
                to_status=rectification.status,
                payload={
                    "reference": finding.reference,
                    "title": finding.title,
                    "owner": person_payload(rectification.owner),
                    "deadline": rectification.deadline.isoformat(),
                },
            ),
            *events,
        ]
    )
    _notify(
        recipients=recipients,
        title=_("Finding %(reference)s in %(unit)s: rectify by %(deadline)s")
        % {"reference": finding.reference, "unit": unit_name, "deadline": date_text(rectification.deadline)},
        body=finding.title,
        finding=finding,
        rectification=rectification,
    )


def _finding_event(finding: Finding, **facts) -> InspectionEvent:
    """An unsaved event in the finding's history (subject ``finding:ID``: its rectification and measures
    too); `facts` as `_event` takes them."""
    return inspection_event(
        plan=finding.plan, batch_id=finding.batch_id, subject=f"finding:{finding.pk}", **facts
    )


def _finding_evidence_events(finding: Finding, *, files, actor) -> list[InspectionEvent]:
    """The events of files attached in the finding's history, one per file."""
    return evidence_added_events(
        plan=finding.plan,
        batch_id=finding.batch_id,
        subject=f"finding:{finding.pk}",
        files=files,
        actor=actor,
    )


def _notify(
    *, recipients: set[int], title: str, body: str, finding: Finding, rectification: Rectification
) -> None:
    """An in-app message to the people who answer for the finding (emails come from the reminders).

    It is about the rectification, as its deadline reminders are: closed by their rule once the fix is
    reported (reminders_close_done).
    """
    url = reverse("responsibility:finding-detail", args=[finding.pk])
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                title=title[:200],
                body=body[:4000],
                url=url,
                kind=ReminderKind.RECTIFICATION_DUE,
                object_key=_reminder_key(rectification),
            )
            for pk in sorted(recipients)
        ]
    )


def _reminder_key(rectification: Rectification) -> str:
    return RectificationDueSource.object_key(rectification.pk)


@dataclass
class FindingChange:
    title: str
    description: str
    severity: str
    responsible: object
    owner: object
    requirement: str
    deadline: datetime.date


def _finding_lock(finding: Finding) -> tuple[Finding, Rectification]:
    locked = row_lock(Finding.objects.select_related("plan", "unit"), pk=finding.pk)
    rectification = row_lock(Rectification, finding=locked)
    locked.rectification = rectification
    return locked, rectification


# A finding's own words that a correction may change (the people and the rectification's terms aside).
FINDING_TERMS = ("title", "description", "severity")


@transaction.atomic
def finding_update(
    *, finding: Finding, data: FindingChange, updated_by, expected_version: int | None
) -> Finding:
    """A team member corrects a finding or its rectification terms; a stale page is refused."""
    finding_check_permission(user=updated_by, action=FindingAction.EDIT, finding=finding)
    locked, rectification = _finding_lock(finding)
    stale_check(record=locked, expected_version=expected_version, what=_("finding"))
    if rectification.status == RectificationStatus.CLOSED:
        raise ApplicationError(
            _("This finding is ticked off the ledger; it can no longer change."), code="closed"
        )
    if data.severity not in Severity.values:
        raise ApplicationError(_("Choose a severity."), code="severity")
    people = people_of_unit(unit_id=locked.unit_id)
    for person, what in ((data.responsible, _("responsible person")), (data.owner, _("rectification owner"))):
        if person is None or not people.filter(pk=person.pk).exists():
            raise ApplicationError(
                _("The %(what)s must hold a post in the unit.") % {"what": what}, code="person"
            )
    rectification_deadline_check(data.deadline, today=clock.today(), kept=rectification.deadline)

    measures = list(locked.measures.select_for_update().order_by("number"))
    if len(measures) > 1 and data.deadline != rectification.deadline:
        raise ApplicationError(
            _(
                "This rectification has %(count)d measures: its deadline is the latest of theirs. Change "
                "the deadline of a measure instead."
            )
            % {"count": len(measures)},
            code="deadline_measures",
        )

    finding_terms = {name: (getattr(locked, name), getattr(data, name)) for name in FINDING_TERMS}
    if locked.responsible_id != data.responsible.pk:
        finding_terms["responsible"] = (person_payload(locked.responsible), person_payload(data.responsible))
    rectification_terms = {
        "requirement": (rectification.requirement, data.requirement),
        "deadline": (rectification.deadline.isoformat(), data.deadline.isoformat()),
    }
    if rectification.owner_id != data.owner.pk:
        rectification_terms["owner"] = (person_payload(rectification.owner), person_payload(data.owner))
    changes = changes_payload(finding_terms)["changes"]
    rectification_changes = changes_payload(rectification_terms)["changes"]
    if not changes and not rectification_changes:
        return locked
    if rectification_changes and len(measures) == 1:
        _single_measure_follow(measures[0], rectification=rectification, data=data)
    for name in FINDING_TERMS:
        setattr(locked, name, getattr(data, name))
    locked.responsible = data.responsible
    rectification.owner, rectification.requirement = data.owner, data.requirement
    rectification.deadline = data.deadline
    locked.version += 1
    locked.save(update_fields=["title", "description", "severity", "responsible", "version"])
    if rectification_changes:
        rectification.version += 1
        rectification.save(update_fields=["owner", "requirement", "deadline", "version"])
        if "owner" in rectification_terms:  # the former owner's reminders and messages are closed
            reminders_close_done(object_keys=[_reminder_key(rectification)])
    inspection_events_append(
        events=[
            _finding_event(
                locked,
                kind=InspectionEventKind.FINDING_UPDATED,
                actor=updated_by,
                payload={"changes": {**changes, **rectification_changes}},
            )
        ]
    )
    return locked


def _single_measure_follow(measure: Measure, *, rectification: Rectification, data: FindingChange) -> None:
    """A rectification of one measure is that measure: its deadline follows, and so do its owner and its
    words while they were the rectification's (`rectification` as it was before the change)."""
    if (measure.deadline, measure.owner_id, measure.action) == (
        data.deadline,
        data.owner.pk,
        data.requirement,
    ):
        return
    measure.deadline = data.deadline
    if measure.owner_id == rectification.owner_id:
        measure.owner = data.owner
    if measure.action == rectification.requirement:
        measure.action = data.requirement
    measure.version += 1
    measure.save(update_fields=["deadline", "owner", "action", "version"])


def _rectification_move(
    *,
    finding: Finding,
    rectification: Rectification,
    target: RectificationStatus,
    kind: InspectionEventKind,
    actor,
    note: str = "",
    extra_fields: tuple[str, ...] = (),
    payload: dict | None = None,
) -> Rectification:
    previous = rectification.status
    rectification.status = target
    stamp = RECTIFICATION_STAMPS.get(target)
    fields = ["status", "version", *extra_fields]
    if stamp:
        setattr(rectification, stamp, clock.now())
        setattr(rectification, stamp.replace("_at", "_by"), actor)
        fields += [stamp, stamp.replace("_at", "_by")]
    rectification.version += 1
    rectification.save(update_fields=fields)
    if target == RectificationStatus.CLOSED:  # 销号, which other systems hear of (e.g. their webhooks)
        announce(
            kind=AnnouncementKind.PROBLEM_CLOSED,
            subject=f"problem:{finding.pk}",
            occasion=rectification.closed_at.isoformat(),
            occurred_at=rectification.closed_at,
        )
    # Reported, verified or closed: the owner's deadline reminders and messages are done with.
    reminders_close_done(object_keys=[_reminder_key(rectification)])
    inspection_events_append(
        events=[
            _finding_event(
                finding,
                kind=kind,
                actor=actor,
                from_status=previous,
                to_status=target,
                note=note,
                payload=payload,
            )
        ]
    )
    return rectification


@dataclass
class SubmissionInput:
    measures: str
    files: list = field(default_factory=list)


@transaction.atomic
def rectification_submit(
    *, rectification: Rectification, data: SubmissionInput, submitted_by, expected_version: int | None
) -> Rectification:
    """The owner (or the unit head) reports the fix of a rectification carried out as one measure (that
    measure's report), with evidence when it is required. One of several measures is `measure_report`'s."""
    finding = rectification.finding
    finding_check_permission(user=submitted_by, action=FindingAction.SUBMIT, finding=finding)
    finding, locked = _finding_lock(finding)
    stale_check(record=locked, expected_version=expected_version, what=_("rectification"))
    rectification_ensure_step_allowed(current=locked.status, step=RectificationStep.SUBMIT)
    measures = (data.measures or "").strip()
    if not measures:
        raise ApplicationError(_("Describe the measures taken."), code="measures")
    files = evidence_check_all(data.files)
    if locked.evidence_required and not files and not locked.evidence.exists():
        raise ApplicationError(
            _("This rectification needs evidence: attach at least one file showing the fix."),
            code="evidence_required",
        )
    own_measures = list(finding.measures.select_for_update())
    if len(own_measures) > 1:
        raise ApplicationError(
            _("This rectification is carried out as %(count)d measures: report each measure done.")
            % {"count": len(own_measures)},
            code="measures_several",
        )
    for measure in own_measures:  # its one measure: this report is its report
        _measure_mark_reported(measure, report=measures, reported_by=submitted_by)
    locked.measures = measures
    stored = evidence_store(files=files, uploaded_by=submitted_by, rectification=locked)
    inspection_events_append(events=_finding_evidence_events(finding, files=stored, actor=submitted_by))
    return _rectification_move(
        finding=finding,
        rectification=locked,
        target=RectificationStatus.SUBMITTED,
        kind=InspectionEventKind.SUBMITTED,
        actor=submitted_by,
        note=measures[:500],
        extra_fields=("measures",),
    )


@transaction.atomic
def rectification_verify(
    *, rectification: Rectification, verified_by, note: str = "", expected_version: int | None
) -> Rectification:
    """A team member accepts the fix after checking it."""
    finding = rectification.finding
    finding_check_permission(user=verified_by, action=FindingAction.VERIFY, finding=finding)
    finding, locked = _finding_lock(finding)
    stale_check(record=locked, expected_version=expected_version, what=_("rectification"))
    rectification_ensure_step_allowed(current=locked.status, step=RectificationStep.VERIFY)
    return _rectification_move(
        finding=finding,
        rectification=locked,
        target=RectificationStatus.VERIFIED,
        kind=InspectionEventKind.VERIFIED,
        actor=verified_by,
        note=(note or "").strip()[:MAX_REASON_LENGTH],
    )


@transaction.atomic
def rectification_send_back(
    *,
    rectification: Rectification,
    sent_back_by,
    reason: str,
    expected_version: int | None,
    measures: list[int] | None = None,
) -> Rectification:
    """A team member finds the fix not good enough: back to open, with the reason for the owner. The
    measures named by number are to be done again (every measure, when none is named)."""
    finding = rectification.finding
    finding_check_permission(user=sent_back_by, action=FindingAction.VERIFY, finding=finding)
    finding, locked = _finding_lock(finding)
    stale_check(record=locked, expected_version=expected_version, what=_("rectification"))
    rectification_ensure_step_allowed(current=locked.status, step=RectificationStep.SEND_BACK)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason the rectification is sent back."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}
        )
    reported = {measure.number: measure for measure in finding.measures.select_for_update()}
    reopened = sorted(set(measures)) if measures else sorted(reported)
    unknown = [number for number in reopened if number not in reported]
    if unknown:
        raise ApplicationError(
            _("This rectification has no measure %(number)d.") % {"number": unknown[0]}, code="measures"
        )
    for number in reopened:
        measure = reported[number]
        if measure.status != MeasureStatus.OPEN:
            measure.status = MeasureStatus.OPEN
            measure.version += 1
            measure.save(update_fields=["status", "version"])
    locked.rejection_reason = reason
    locked.times_rejected += 1
    moved = _rectification_move(
        finding=finding,
        rectification=locked,
        target=RectificationStatus.OPEN,
        kind=InspectionEventKind.SENT_BACK,
        actor=sent_back_by,
        note=reason,
        extra_fields=("rejection_reason", "times_rejected"),
        payload={"measures": reopened},
    )
    _notify(
        recipients={locked.owner_id},
        title=_("Rectification of %(reference)s sent back") % {"reference": finding.reference},
        body=reason,
        finding=finding,
        rectification=locked,
    )
    return moved


@transaction.atomic
def rectification_close(
    *, rectification: Rectification, closed_by, note: str = "", expected_version: int | None
) -> Rectification:
    """销号: a verified rectification is ticked off the ledger. Nothing changes after this."""
    finding = rectification.finding
    finding_check_permission(user=closed_by, action=FindingAction.VERIFY, finding=finding)
    finding, locked = _finding_lock(finding)
    stale_check(record=locked, expected_version=expected_version, what=_("rectification"))
    rectification_ensure_step_allowed(current=locked.status, step=RectificationStep.CLOSE)
    return _rectification_move(
        finding=finding,
        rectification=locked,
        target=RectificationStatus.CLOSED,
        kind=InspectionEventKind.CLOSED,
        actor=closed_by,
        note=(note or "").strip()[:MAX_REASON_LENGTH],
    )


def _measure_mark_reported(measure: Measure, *, report: str, reported_by) -> None:
    measure.status = MeasureStatus.REPORTED
    measure.report = report[: Measure._meta.get_field("report").max_length]
    measure.reported_at, measure.reported_by = clock.now(), reported_by
    measure.version += 1
    measure.save(update_fields=["status", "report", "reported_at", "reported_by", "version"])
    # The measure's deadline reminders and messages are done with.
    reminders_close_done(object_keys=[MeasureDueSource.object_key(measure.pk)])
