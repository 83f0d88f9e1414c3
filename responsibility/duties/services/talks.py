"""Every change to an integrity talk (廉政谈话): plan, record, confirm or disagree, cancel.

Each one appends its `DutyEvent` about "talk:<id>" to the duty audit chain in the same transaction, its
digest the SHA-256 of the record as it then stood (`Talk.record_digest`); a record written again after a
disagreement keeps the earlier text in the chain. A confirmed talk planned for a duty task's period keeps
that period's performance record (履责纪实), so the period is done as if its leader had recorded it.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.reauth import reauthentication_check
from core import clock
from core.audit import person_payload
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.duties.audit import duty_events_append
from responsibility.duties.models import (
    DutyEvent,
    DutyEventKind,
    PerformanceRecord,
    Talk,
    TalkKind,
    TalkStatus,
    TaskOccurrence,
)
from responsibility.duties.permissions import TalkAction, talk_check_permission
from responsibility.duties.reminder_sources import TalkPlannedSource, TalkToAnswerSource
from responsibility.duties.selectors import talk_partner_list_for
from responsibility.duties.services.assignments import period_reminders_close
from responsibility.reminders.services import reminders_close_done

MAX_POINTS_LENGTH = 4000
MAX_DISAGREEMENT_LENGTH = 2000
MAX_PURPOSE_LENGTH = 500
MAX_PLACE_LENGTH = 100
# The person talked to is asked to answer within this many days of the record (reminded until then).
ANSWER_DAYS = 7
# How far back a talk may be planned or recorded (a talk held last year is recorded late, not older ones).
EARLIEST_DAYS_BACK = 366


# The kinds of talk every installation has (seeded by migration 0038 too); the office may add others.
BUILTIN_TALK_KINDS = (
    ("任职廉政谈话", "新任职领导干部的廉政谈话"),
    ("日常廉政谈话", "对分管单位负责同志的经常性廉政谈话"),
    ("提醒谈话", "发现苗头性、倾向性问题时的提醒谈话"),
    ("约谈", "对党风廉政建设责任落实不力的约谈"),
)


def talk_kinds_ensure(**kwargs) -> None:
    """Create the built-in kinds of talk that are missing (after migrate, and after a test database's
    flush); a kind the office changed keeps its wording."""
    for order, (name, description) in enumerate(BUILTIN_TALK_KINDS, start=1):
        TalkKind.objects.get_or_create(name=name, defaults={"description": description, "sort_order": order})


def _text(value: str, *, limit: int, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(_("Fill in %(field)s.") % {"field": label}, code="required")
    if len(value) > limit:
        raise ApplicationError(
            _("%(field)s may be at most %(max)d characters.") % {"field": label, "max": limit}, code="length"
        )
    return value


def _close_reminders(talk: Talk) -> None:
    reminders_close_done(
        object_keys=[TalkPlannedSource.object_key(talk.pk), TalkToAnswerSource.object_key(talk.pk)]
    )


def _event(talk: Talk, **fields) -> DutyEvent:
    return DutyEvent(assignment_id=None, subject=f"talk:{talk.pk}", **fields)


@dataclass
class TalkPlanInput:
    kind: TalkKind | None
    talked_to: object  # a User
    planned_on: datetime.date
    purpose: str = ""
    occurrence: TaskOccurrence | None = None


@transaction.atomic
def talk_plan(*, talker, data: TalkPlanInput) -> Talk:
    """Plan a talk held by `talker` (the one planning it), with someone they may talk to, optionally for one
    of their own open duty task periods."""
    talk_check_permission(user=talker, action=TalkAction.PLAN)
    if data.kind is None or not data.kind.is_active:
        raise ApplicationError(_("Choose the kind of talk."), code="kind")
    if data.talked_to is None:
        raise ApplicationError(_("Choose the person to talk to."), code="talked_to")
    if data.talked_to.pk == talker.pk:
        raise ApplicationError(_("A talk is held with someone else, not with oneself."), code="oneself")
    if not talk_partner_list_for(talker=talker).filter(pk=data.talked_to.pk).exists():
        raise ApplicationError(
            _("You can talk only with the people of the units you work in or oversee."), code="talked_to"
        )
    today = clock.today()
    if data.planned_on < today - datetime.timedelta(days=EARLIEST_DAYS_BACK):
        raise ApplicationError(_("The planned date is more than a year ago."), code="date")
    if data.planned_on > today + datetime.timedelta(days=EARLIEST_DAYS_BACK):
        raise ApplicationError(_("The planned date is more than a year ahead."), code="date")
    purpose = _text(data.purpose, limit=MAX_PURPOSE_LENGTH, label=_("the purpose"))
    occurrence = None
    if data.occurrence is not None:
        occurrence = row_lock(
            TaskOccurrence.objects.select_related("task__assignment"), pk=data.occurrence.pk
        )
        if (
            occurrence.responsible_id != talker.pk
            or occurrence.task.assignment.leader_id != talker.pk
            or occurrence.task.is_withdrawn
            or occurrence.done_at is not None
        ):
            raise ApplicationError(
                _("A talk can carry out only one of your own open duty task periods."), code="occurrence"
            )
    talk = Talk.objects.create(
        kind=data.kind,
        talker=talker,
        talked_to=data.talked_to,
        occurrence=occurrence,
        planned_on=data.planned_on,
        purpose=purpose,
        created_by=talker,
    )
    payload = {
        "kind": talk.kind.name,
        "talker": person_payload(talker),
        "talked_to": person_payload(data.talked_to),
        "planned_on": talk.planned_on.isoformat(),
        "task": None,
    }
    if occurrence is not None:
        payload["task"] = {
            "id": occurrence.task_id,
            "title": occurrence.task.title,
            "period": occurrence.sequence,
        }
    duty_events_append(
        events=[
            _event(
                talk,
                kind=DutyEventKind.TALK_PLANNED,
                actor=talker,
                to_status=talk.status,
                note=purpose,
                payload=payload,
            )
        ]
    )
    return talk


@dataclass
class TalkRecordInput:
    held_on: datetime.date
    place: str
    points: str
    commitments: str = ""


@transaction.atomic
def talk_record(*, talk: Talk, recorded_by, data: TalkRecordInput, expected_version: int | None) -> Talk:
    """The talker writes the record of a planned talk, or writes it again after a disagreement; the person
    talked to is then asked to confirm it."""
    locked = row_lock(Talk.objects.select_related("kind"), pk=talk.pk)
    talk_check_permission(user=recorded_by, action=TalkAction.RECORD, talk=locked)  # as stored now
    stale_check(record=locked, expected_version=expected_version, what=_("talk"))
    if locked.status not in (TalkStatus.PLANNED, TalkStatus.DISPUTED):
        raise ApplicationError(
            _("This talk is %(status)s: its record can no longer be written.")
            % {"status": locked.get_status_display()},
            code="status",
        )
    today = clock.today()
    if data.held_on is None:
        raise ApplicationError(_("Give the date the talk was held."), code="held_on")
    if data.held_on > today:
        raise ApplicationError(_("The talk's date cannot be in the future."), code="future")
    if data.held_on < today - datetime.timedelta(days=EARLIEST_DAYS_BACK):
        raise ApplicationError(_("The talk's date is more than a year ago."), code="held_on")
    place = _text(data.place, limit=MAX_PLACE_LENGTH, label=_("the place"), required=True)
    points = _text(data.points, limit=MAX_POINTS_LENGTH, label=_("the points raised"), required=True)
    commitments = _text(data.commitments, limit=MAX_POINTS_LENGTH, label=_("the commitments made"))
    previous_status = locked.status
    again = previous_status == TalkStatus.DISPUTED
    locked.held_on = data.held_on
    locked.place = place
    locked.points = points
    locked.commitments = commitments
    locked.recorded_at = clock.now()
    locked.answer_due = today + datetime.timedelta(days=ANSWER_DAYS)
    locked.status = TalkStatus.RECORDED
    locked.answered_at = None
    locked.disagreement = ""
    locked.reauthenticated_at = None
    locked.ip_address = None
    locked.user_agent = ""
    locked.version += 1
    locked.save()
    _close_reminders(locked)  # the talker's reminder of the planned talk; the other is reminded now
    duty_events_append(
        events=[
            _event(
                locked,
                kind=DutyEventKind.TALK_RECORDED,
                actor=recorded_by,
                from_status=previous_status,
                to_status=locked.status,
                payload={
                    "held_on": locked.held_on.isoformat(),
                    "place": place,
                    "points": points,
                    "commitments": commitments,
                    "again": again,
                },
                digest=locked.record_digest(),
            )
        ]
    )
    return locked


@dataclass(frozen=True)
class TalkAttestation:
    """How the person talked to proved it was them, as a signature does."""

    reauthenticated_at: datetime.datetime | None
    ip_address: str | None
    user_agent: str


@transaction.atomic
def talk_answer(
    *,
    talk: Talk,
    answered_by,
    confirm: bool,
    disagreement: str = "",
    attestation: TalkAttestation,
    expected_version: int | None,
) -> Talk:
    """The person talked to confirms the record as it stands, or records their disagreement, with a fresh
    identity check. A confirmed talk planned for a duty task's period keeps that period's record."""
    locked = row_lock(Talk.objects.select_related("kind", "talker", "talked_to"), pk=talk.pk)
    talk_check_permission(user=answered_by, action=TalkAction.ANSWER, talk=locked)  # as stored now
    if locked.status != TalkStatus.RECORDED:
        raise ApplicationError(
            _("This talk is %(status)s: there is no record waiting for your answer.")
            % {"status": locked.get_status_display()},
            code="status",
        )
    stale_check(record=locked, expected_version=expected_version, what=_("talk"))
    disagreement = _text(disagreement, limit=MAX_DISAGREEMENT_LENGTH, label=_("your disagreement"))
    if not confirm and not disagreement:
        raise ApplicationError(_("Say what in the record you disagree with."), code="disagreement")
    reauthentication_check(attestation.reauthenticated_at)
    previous_status = locked.status
    locked.status = TalkStatus.CONFIRMED if confirm else TalkStatus.DISPUTED
    locked.answered_at = clock.now()
    locked.disagreement = "" if confirm else disagreement
    locked.reauthenticated_at = attestation.reauthenticated_at
    locked.ip_address = attestation.ip_address or None
    locked.user_agent = (attestation.user_agent or "")[:300]
    locked.version += 1
    locked.save()
    _close_reminders(locked)
    events = [
        _event(
            locked,
            kind=DutyEventKind.TALK_CONFIRMED if confirm else DutyEventKind.TALK_DISPUTED,
            actor=answered_by,
            from_status=previous_status,
            to_status=locked.status,
            note=locked.disagreement,
            payload={"reauthenticated_at": attestation.reauthenticated_at.isoformat()},
            digest=locked.record_digest(),
        )
    ]
    if confirm:
        events += _period_record_keep(locked, actor=answered_by)
    duty_events_append(events=events)
    return locked


def _period_record_keep(talk: Talk, *, actor) -> list[DutyEvent]:
    """The confirmed talk is the record of the duty task period it was planned for, while the talker still
    answers for that period, its task stands and the talk was held in the assignment's year."""
    if talk.occurrence_id is None:
        return []
    occurrence = row_lock(TaskOccurrence.objects.select_related("task__assignment"), pk=talk.occurrence_id)
    task = occurrence.task
    if (
        occurrence.responsible_id != talk.talker_id
        or task.is_withdrawn
        or talk.held_on.year != task.assignment.year
    ):
        return []
    record = PerformanceRecord.objects.create(
        occurrence=occurrence,
        performed_on=talk.held_on,
        summary=_("%(kind)s with %(name)s, held at %(place)s; the record was confirmed by %(name)s.")
        % {"kind": talk.kind.name, "name": talk.talked_to.get_full_name(), "place": talk.place},
        participants=talk.talked_to.get_full_name(),
        recorded_by=talk.talker,
        talk=talk,
    )
    if occurrence.done_at is None:
        occurrence.done_at = clock.now()
        occurrence.save(update_fields=["done_at"])
        period_reminders_close(occurrence_ids=[occurrence.pk])
    return [
        DutyEvent(
            assignment_id=task.assignment_id,
            subject=f"record:{record.pk}",
            kind=DutyEventKind.RECORD_CREATED,
            actor=actor,
            to_status=record.review_status,
            note=record.summary,
            payload={
                "task": task.pk,
                "title": task.title,
                "period": occurrence.sequence,
                "performed_on": record.performed_on.isoformat(),
                "participants": record.participants,
                "files": 0,
                "talk": talk.pk,
            },
        )
    ]


@transaction.atomic
def talk_cancel(*, talk: Talk, cancelled_by, reason: str, expected_version: int | None) -> Talk:
    """The talker cancels a planned talk that will not be held, with the reason. Nothing is deleted."""
    locked = row_lock(Talk, pk=talk.pk)
    talk_check_permission(user=cancelled_by, action=TalkAction.CANCEL, talk=locked)
    stale_check(record=locked, expected_version=expected_version, what=_("talk"))
    if locked.status != TalkStatus.PLANNED:
        raise ApplicationError(
            _("Only a planned talk can be cancelled; this one is %(status)s.")
            % {"status": locked.get_status_display()},
            code="status",
        )
    reason = _text(reason, limit=MAX_PURPOSE_LENGTH, label=_("the reason"), required=True)
    locked.status = TalkStatus.CANCELLED
    locked.cancel_reason = reason
    locked.version += 1
    locked.save(update_fields=["status", "cancel_reason", "version"])
    _close_reminders(locked)
    duty_events_append(
        events=[
            _event(
                locked,
                kind=DutyEventKind.TALK_CANCELLED,
                actor=cancelled_by,
                from_status=TalkStatus.PLANNED,
                to_status=locked.status,
                note=reason,
            )
        ]
    )
    return locked
