"""Measures (整改措施) of a rectification: added, corrected and reported done by their owners; the last one
reported submits the rectification (ADR 0015 decision 4)."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.audit import changes_payload, person_payload
from core.dates import date_text
from core.errors import ApplicationError, TransitionNotAllowed
from core.locks import row_lock
from core.versions import stale_check
from responsibility.evidence.rules import evidence_check_all
from responsibility.evidence.services import evidence_store
from responsibility.reminders.models import Notification, ReminderKind
from responsibility.reminders.services import reminders_close_done
from responsibility.supervision.audit import inspection_events_append
from responsibility.supervision.models import (
    Finding,
    InspectionEventKind,
    Measure,
    MeasureStatus,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.permissions import (
    FindingAction,
    finding_check_permission,
    measure_check_report_permission,
)
from responsibility.supervision.reminder_sources import MeasureDueSource
from responsibility.supervision.services.rectifications import (
    MAX_DEADLINE_DAYS,
    _finding_event,
    _finding_evidence_events,
    _finding_lock,
    _measure_mark_reported,
    _rectification_move,
    people_ids_of_unit,
)

# More measures than this for one problem is a list to split, not a rectification to carry out.
MAX_MEASURES = 20


@dataclass
class MeasureInput:
    action: str
    owner: object
    deadline: datetime.date | None


def _measure_input_check(
    *,
    data: MeasureInput,
    unit_id: int,
    today: datetime.date,
    kept_deadline: datetime.date | None = None,
    people: set[int] | None = None,
) -> str:
    """A measure says what will be done, by a holder of a post in the unit (`people`, when the caller read
    them already), by a day within three years (a correction may keep a deadline that has passed:
    `kept_deadline`); returns its words, trimmed."""
    action = (data.action or "").strip()
    if not action:
        raise ApplicationError(_("Say what the measure will do."), code="action")
    if len(action) > Measure._meta.get_field("action").max_length:
        raise ApplicationError(
            _("A measure may be at most %(max)d characters.")
            % {"max": Measure._meta.get_field("action").max_length},
            code="action",
        )
    people = people_ids_of_unit(unit_id=unit_id) if people is None else people
    if data.owner is None or data.owner.pk not in people:
        raise ApplicationError(
            _("Choose the measure's owner: a holder of a post in the unit."), code="measure_owner"
        )
    if data.deadline is None:
        raise ApplicationError(_("Give the measure a deadline."), code="measure_deadline")
    if data.deadline < today and data.deadline != kept_deadline:
        raise ApplicationError(_("A measure's deadline cannot be in the past."), code="measure_deadline")
    if data.deadline > today + datetime.timedelta(days=MAX_DEADLINE_DAYS):
        raise ApplicationError(_("A measure's deadline must be within three years."), code="measure_deadline")
    return action


@transaction.atomic
def measure_add(*, finding: Finding, data: MeasureInput, added_by, expected_version: int | None) -> Measure:
    """Break a rectification down (整改措施): one more measure with its owner and deadline, while the
    rectification is being carried out. The rectification's deadline becomes its latest measure's."""
    finding_check_permission(user=added_by, action=FindingAction.PLAN_MEASURES, finding=finding)
    locked, rectification = _finding_lock(finding)
    stale_check(record=rectification, expected_version=expected_version, what=_("rectification"))
    if rectification.status != RectificationStatus.OPEN:
        raise ApplicationError(
            _("Measures can be added only while the rectification is being carried out; it is %(status)s.")
            % {"status": rectification.get_status_display()},
            code="not_open",
        )
    action = _measure_input_check(data=data, unit_id=locked.unit_id, today=clock.today())
    numbers = list(locked.measures.values_list("number", flat=True))
    if len(numbers) >= MAX_MEASURES:
        raise ApplicationError(
            _("A rectification may have at most %(max)d measures.") % {"max": MAX_MEASURES}, code="too_many"
        )
    measure = Measure.objects.create(
        finding=locked,
        number=max(numbers, default=0) + 1,
        action=action,
        owner=data.owner,
        deadline=data.deadline,
        created_by=added_by,
    )
    payload = {
        "measure": measure.number,
        "action": action,
        "owner": person_payload(data.owner),
        "deadline": data.deadline.isoformat(),
    }
    if data.deadline > rectification.deadline:
        payload["rectification_deadline"] = {
            "from": rectification.deadline.isoformat(),
            "to": data.deadline.isoformat(),
        }
        rectification.deadline = data.deadline
    rectification.version += 1
    rectification.save(update_fields=["deadline", "version"])
    inspection_events_append(
        events=[
            _finding_event(
                locked,
                kind=InspectionEventKind.MEASURE_ADDED,
                actor=added_by,
                payload=payload,
            )
        ]
    )
    if data.owner.pk != added_by.pk:
        _measure_notify(measure, finding=locked)
    return measure


@transaction.atomic
def measure_update(
    *, measure: Measure, data: MeasureInput, updated_by, expected_version: int | None
) -> Measure:
    """Correct a measure still being carried out: its words, owner or deadline. The rectification's
    deadline stays its latest measure's; a new owner is told, the former one's reminders are closed."""
    finding = measure.finding
    finding_check_permission(user=updated_by, action=FindingAction.PLAN_MEASURES, finding=finding)
    locked_finding, rectification = _finding_lock(finding)
    locked = row_lock(Measure.objects.select_related("owner"), pk=measure.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("measure"))
    if rectification.status != RectificationStatus.OPEN or not locked.is_open:
        raise TransitionNotAllowed(
            _("Only a measure still being carried out can be changed."), code="measure_not_open"
        )
    action = _measure_input_check(
        data=data, unit_id=locked_finding.unit_id, today=clock.today(), kept_deadline=locked.deadline
    )
    terms = {
        "action": (locked.action, action),
        "deadline": (locked.deadline.isoformat(), data.deadline.isoformat()),
    }
    if locked.owner_id != data.owner.pk:
        terms["owner"] = (person_payload(locked.owner), person_payload(data.owner))
    changes = changes_payload(terms)["changes"]
    if not changes:
        return locked
    former_owner = locked.owner_id
    locked.action, locked.owner, locked.deadline = action, data.owner, data.deadline
    locked.version += 1
    locked.save(update_fields=["action", "owner", "deadline", "version"])
    latest = max(locked_finding.measures.values_list("deadline", flat=True))
    payload = {"measure": locked.number, "changes": changes}
    if latest != rectification.deadline:
        payload["rectification_deadline"] = {
            "from": rectification.deadline.isoformat(),
            "to": latest.isoformat(),
        }
        rectification.deadline = latest
        rectification.version += 1
        rectification.save(update_fields=["deadline", "version"])
    inspection_events_append(
        events=[
            _finding_event(
                locked_finding,
                kind=InspectionEventKind.MEASURE_UPDATED,
                actor=updated_by,
                payload=payload,
            )
        ]
    )
    if former_owner != data.owner.pk:
        reminders_close_done(object_keys=[MeasureDueSource.object_key(locked.pk)])
        if data.owner.pk != updated_by.pk:
            _measure_notify(locked, finding=locked_finding)
    return locked


def _measure_notify(measure: Measure, *, finding: Finding) -> None:
    """An in-app message to the measure's owner: it is theirs, by its deadline (closed once reported)."""
    title = _("Measure %(number)d of %(reference)s is yours: done by %(deadline)s") % {
        "number": measure.number,
        "reference": finding.reference,
        "deadline": date_text(measure.deadline),
    }
    Notification.objects.create(
        recipient=measure.owner,
        title=title[:200],
        body=measure.action[:4000],
        url=reverse("responsibility:finding-detail", args=[finding.pk]) + f"#measure-{measure.number}",
        kind=ReminderKind.MEASURE_DUE,
        object_key=MeasureDueSource.object_key(measure.pk),
    )


@dataclass
class MeasureReport:
    report: str
    files: list = field(default_factory=list)


def _measures_summary(measures) -> str:
    """The rectification's report when it was carried out as several measures: each measure's, numbered."""
    text = "\n".join(f"{measure.number}. {measure.report}" for measure in measures)
    return text[: Rectification._meta.get_field("measures").max_length]


@transaction.atomic
def measure_report(
    *, measure: Measure, data: MeasureReport, reported_by, expected_version: int | None
) -> Measure:
    """A measure's owner (or whoever reports the rectification) reports it done, with evidence when the
    rectification needs it. The last measure reported submits the rectification for verification."""
    finding = measure.finding
    measure_check_report_permission(user=reported_by, measure=measure, finding=finding)
    locked_finding, rectification = _finding_lock(finding)
    locked = row_lock(Measure, pk=measure.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("measure"))
    if rectification.status != RectificationStatus.OPEN:
        raise TransitionNotAllowed(
            _("Measures are reported while the rectification is being carried out; it is %(status)s.")
            % {"status": rectification.get_status_display()},
            code="not_open",
        )
    if locked.status != MeasureStatus.OPEN:
        raise TransitionNotAllowed(_("This measure was already reported done."), code="reported")
    report = (data.report or "").strip()
    if not report:
        raise ApplicationError(_("Say what was done."), code="report")
    files = evidence_check_all(data.files)
    if rectification.evidence_required and not files and not locked.evidence.exists():
        raise ApplicationError(
            _("This rectification needs evidence: attach at least one file showing the measure was done."),
            code="evidence_required",
        )
    _measure_mark_reported(locked, report=report, reported_by=reported_by)
    stored = evidence_store(files=files, uploaded_by=reported_by, measure=locked)
    inspection_events_append(
        events=[
            *_finding_evidence_events(locked_finding, files=stored, actor=reported_by),
            _finding_event(
                locked_finding,
                kind=InspectionEventKind.MEASURE_REPORTED,
                actor=reported_by,
                payload={"measure": locked.number},
                note=locked.report,
            ),
        ]
    )
    measures = list(locked_finding.measures.order_by("number"))
    if all(not measure.is_open for measure in measures):
        rectification.measures = _measures_summary(measures)
        _rectification_move(
            finding=locked_finding,
            rectification=rectification,
            target=RectificationStatus.SUBMITTED,
            kind=InspectionEventKind.SUBMITTED,
            actor=reported_by,
            extra_fields=("measures",),
            payload={"measures": [measure.number for measure in measures]},
        )
    return locked
