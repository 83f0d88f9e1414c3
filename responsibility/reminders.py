"""What is due for a reminder, and when: the schedule rules and the registry of reminder sources.

One mechanism serves every deadline of the system (docs/adr/0004-reminders.md). A *source* knows one
kind of outstanding item (a letter awaiting signature, letters awaiting countersignature, a unit's
outstanding work) and answers three questions:

- `due_rows(today=...)`: which ledger rows are due on that day, yielded in batches (querysets read with
  `.values_list(...).iterator(chunk_size=...)`, never all rows at once);
- `message(reminder=...)`: is the reminder still needed when it is sent, and if so, what it says
  (the context of its email templates, and the link); `None` means "no longer needed": the row is
  cancelled;
- its `kind` (a `ReminderKind`), under which it is registered in `SOURCES`.

A new kind of deadline (rectifications and duty tasks have one) adds a source class here, a
`ReminderKind` value and the kind's templates (templates/responsibility/emails/<kind>.subject.txt,
.summary.txt, .txt, .html); the sweep, the ledger, the send task, the notification centre and the office's
log stay as they are.

The schedule of a deadline (per campaign, `ReminderPolicy`; rectifications and duty tasks use the
defaults):
reminders N days before the deadline for each N in `days_before`, then every `overdue_every_days` days
while overdue, starting the day after the deadline. With `skip_weekends`, a reminder whose day falls on
a Saturday or Sunday moves to the next Monday, and the sweep creates nothing on a weekend. When several
reminders of the schedule are past (an item that became outstanding late, or a sweep that did not run
for days), only the latest one is sent: a signer never receives "7 days left" and "3 days left" at
once. A reminder whose day comes before the item became outstanding (a letter issued five days before
the deadline gets no "7 days left") is not sent either.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrgUnit, Post
from accounts.roles import Role
from responsibility.models import (
    Campaign,
    CampaignStatus,
    Letter,
    LetterStatus,
    Rectification,
    RectificationStatus,
    Recurrence,
    Reminder,
    ReminderKind,
    ReminderPolicy,
    TaskOccurrence,
)
from responsibility.models.reminders import DEFAULT_DAYS_BEFORE, DEFAULT_OVERDUE_EVERY_DAYS

BATCH_SIZE = 2000  # rows read and inserted per round trip in the sweep
DIGEST_ITEMS_SHOWN = 50  # lines listed in a digest email; the rest is counted


# --- The schedule rules (pure: no database) ---------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    days_before: tuple[int, ...] = DEFAULT_DAYS_BEFORE
    overdue_every_days: int = DEFAULT_OVERDUE_EVERY_DAYS
    skip_weekends: bool = True


@dataclass(frozen=True)
class DuePeriod:
    """One reminder of a schedule: its ledger label and the day it is due."""

    label: str  # "before-7", "overdue-3"
    nominal: datetime.date  # the day the rule names
    effective: datetime.date  # the day it is sent (moved off the weekend)


def is_weekend(day: datetime.date) -> bool:
    return day.weekday() >= 5


def day_effective(day: datetime.date, *, skip_weekends: bool) -> datetime.date:
    """The day a reminder due on `day` goes out: the next Monday if it falls on a skipped weekend."""
    if skip_weekends and is_weekend(day):
        return day + datetime.timedelta(days=7 - day.weekday())
    return day


def period_current(
    *, schedule: Schedule, deadline: datetime.date, today: datetime.date, since: datetime.date | None = None
) -> DuePeriod | None:
    """The reminder of the schedule due on `today` for an item outstanding since `since`, if any.

    The latest reminder whose day has come (reminders missed in between are not sent on top of it),
    unless its day came before the item was outstanding. Nothing on a skipped weekend.
    """
    if schedule.skip_weekends and is_weekend(today):
        return None
    period = None
    if today > deadline:
        days_past = (today - deadline).days
        interval = schedule.overdue_every_days
        overdue_days = 1 + ((days_past - 1) // interval) * interval  # 1, 1+i, 1+2i … ≤ days_past
        nominal = deadline + datetime.timedelta(days=overdue_days)
        period = DuePeriod(f"overdue-{overdue_days}", nominal, nominal)
    else:
        passed = [days for days in schedule.days_before if deadline - datetime.timedelta(days=days) <= today]
        if passed:
            days = min(passed)  # the closest to the deadline
            nominal = deadline - datetime.timedelta(days=days)
            period = DuePeriod(f"before-{days}", nominal, nominal)
    if period is None:
        return None
    # On a weekday, a day on or before today moved off the weekend is still on or before today.
    period = DuePeriod(
        period.label, period.nominal, day_effective(period.nominal, skip_weekends=schedule.skip_weekends)
    )
    if since is not None and period.effective < since:
        return None
    return period


def schedule_for(policy: ReminderPolicy | None) -> Schedule:
    """A campaign's schedule; the defaults when it has no rules of its own (older or factory-made)."""
    if policy is None:
        return Schedule()
    return Schedule(
        days_before=tuple(policy.days_before),
        overdue_every_days=policy.overdue_every_days,
        skip_weekends=policy.skip_weekends,
    )


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- Sources -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    """A ledger row to create (fields of `Reminder`)."""

    kind: str
    object_key: str
    recipient_id: int
    due_period: str
    due_at: datetime.datetime
    campaign_id: int | None = None

    def as_reminder(self) -> Reminder:
        return Reminder(
            kind=self.kind,
            object_key=self.object_key,
            recipient_id=self.recipient_id,
            due_period=self.due_period,
            due_at=self.due_at,
            campaign_id=self.campaign_id,
        )


@dataclass
class ReminderMessage:
    """What a reminder says now: the context of the kind's templates and the link to the item."""

    url: str  # path inside the site, e.g. /letters/12/
    context: dict = field(default_factory=dict)


class ReminderSource(Protocol):
    kind: ReminderKind

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]: ...

    def message(self, *, reminder: Reminder) -> ReminderMessage | None: ...


def _campaigns_open() -> list[tuple[Campaign, Schedule]]:
    """Open campaigns with their schedules (a closed campaign sends no more reminders)."""
    campaigns = Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("pk")
    policies = {
        policy.campaign_id: policy for policy in ReminderPolicy.objects.filter(campaign__in=campaigns)
    }
    return [(campaign, schedule_for(policies.get(campaign.pk))) for campaign in campaigns]


def _batched(rows: Iterator[DueRow], size: int = BATCH_SIZE) -> Iterator[list[DueRow]]:
    batch: list[DueRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _key_id(object_key: str, prefix: str) -> int | None:
    head, _, tail = object_key.partition(":")
    return int(tail) if head == prefix and tail.isdigit() else None


class LetterUnsignedSource:
    """Each letter awaiting signature reminds its signer (乙方) on the campaign's schedule."""

    kind = ReminderKind.LETTER_UNSIGNED

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        for campaign, schedule in _campaigns_open():
            period = period_current(schedule=schedule, deadline=campaign.deadline, today=today)
            if period is None:
                continue
            due_at = start_of_day(period.effective)
            # Issued on or before the reminder's day: letters issued later wait for the next reminder.
            letters = (
                Letter.objects.filter(
                    campaign=campaign,
                    status=LetterStatus.ISSUED,
                    issued_at__lt=start_of_day(period.effective + datetime.timedelta(days=1)),
                )
                .order_by("pk")
                .values_list("pk", "signer_id")
                .iterator(chunk_size=BATCH_SIZE)
            )
            yield from _batched(
                DueRow(self.kind, f"letter:{pk}", signer_id, period.label, due_at, campaign.pk)
                for pk, signer_id in letters
            )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        letter_id = _key_id(reminder.object_key, "letter")
        letter = (
            Letter.objects.select_related("campaign", "signer_unit", "issuer")
            .filter(pk=letter_id, status=LetterStatus.ISSUED, signer_id=reminder.recipient_id)
            .first()
        )
        if letter is None:
            return None
        today = timezone.localdate()
        days_left = (letter.campaign.deadline - today).days
        url = reverse("responsibility:letter-detail", args=[letter.pk])
        return ReminderMessage(
            url=url,
            context={
                "letter": letter,
                "deadline": letter.campaign.deadline,
                "days_left": max(days_left, 0),
                "days_overdue": max(-days_left, 0),
                "overdue": days_left < 0,
            },
        )


class LetterAwaitingCountersignSource:
    """An issuer (甲方) with signed letters waiting for their countersignature: one reminder per campaign."""

    kind = ReminderKind.LETTER_AWAITING_COUNTERSIGN

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        for campaign, schedule in _campaigns_open():
            period = period_current(schedule=schedule, deadline=campaign.deadline, today=today)
            if period is None:
                continue
            due_at = start_of_day(period.effective)
            issuers = (
                Letter.objects.filter(
                    campaign=campaign,
                    status=LetterStatus.SIGNED,
                    signed_at__lt=start_of_day(period.effective + datetime.timedelta(days=1)),
                )
                .order_by("issuer_id")
                .values_list("issuer_id", flat=True)
                .distinct()
                .iterator(chunk_size=BATCH_SIZE)
            )
            yield from _batched(
                DueRow(self.kind, f"campaign:{campaign.pk}", issuer_id, period.label, due_at, campaign.pk)
                for issuer_id in issuers
            )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        campaign_id = _key_id(reminder.object_key, "campaign")
        waiting = Letter.objects.filter(
            campaign_id=campaign_id, status=LetterStatus.SIGNED, issuer_id=reminder.recipient_id
        )
        letters = list(
            waiting.select_related("signer", "signer_unit", "campaign").order_by("signed_at", "pk")[
                :DIGEST_ITEMS_SHOWN
            ]
        )
        if not letters:
            return None
        total = len(letters) if len(letters) < DIGEST_ITEMS_SHOWN else waiting.count()
        campaign = letters[0].campaign
        return ReminderMessage(
            url=reverse("responsibility:letter-countersign-batch"),
            context={
                "campaign": campaign,
                "letters": letters,
                "total": total,
                "more": total - len(letters),
                "deadline": campaign.deadline,
            },
        )


@dataclass(frozen=True)
class UnitOutstanding:
    unit_id: int
    unit_name: str
    awaiting_signature: int
    awaiting_countersignature: int

    @property
    def total(self) -> int:
        return self.awaiting_signature + self.awaiting_countersignature


def outstanding_by_unit() -> dict[int, UnitOutstanding]:
    """Letters of open campaigns waiting for a signature or countersignature, per signer unit (one query)."""
    rows = (
        Letter.objects.filter(
            campaign__status=CampaignStatus.OPEN, status__in=[LetterStatus.ISSUED, LetterStatus.SIGNED]
        )
        .order_by()
        .values("signer_unit_id", "signer_unit__name")
        .annotate(
            issued=Count("pk", filter=Q(status=LetterStatus.ISSUED)),
            signed=Count("pk", filter=Q(status=LetterStatus.SIGNED)),
        )
    )
    return {
        row["signer_unit_id"]: UnitOutstanding(
            row["signer_unit_id"], row["signer_unit__name"], row["issued"], row["signed"]
        )
        for row in rows
    }


def _subtrees() -> dict[int, set[int]]:
    """Every unit's subtree (itself and the units below it), from one query over the unit tree."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in OrgUnit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    memo: dict[int, set[int]] = {}

    def subtree(unit_id: int) -> set[int]:
        if unit_id not in memo:
            found, stack = set(), [unit_id]
            while stack:
                current = stack.pop()
                if current not in found:
                    found.add(current)
                    stack.extend(children.get(current, ()))
            memo[unit_id] = found
        return memo[unit_id]

    return {pk: subtree(pk) for pk in {pk for kids in children.values() for pk in kids}}


class DailyDigestSource:
    """On working days, each unit head and each office administrator get what is outstanding.

    A unit head's digest covers their unit and the sections below it; the office's covers every unit.
    Nobody gets an empty digest. The due period is the date, so there is one digest a day at most.
    """

    kind = ReminderKind.DAILY_DIGEST

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        if is_weekend(today):
            return
        outstanding = outstanding_by_unit()
        if not outstanding:
            return
        due_at, period = start_of_day(today), today.isoformat()
        subtrees = _subtrees()
        heads = (
            Post.objects.held()
            .heads()
            .order_by("unit_id", "holder_id")
            .values_list("unit_id", "holder_id")
            .iterator(chunk_size=BATCH_SIZE)
        )

        def head_rows() -> Iterator[DueRow]:
            for unit_id, holder_id in heads:
                if any(unit in outstanding for unit in subtrees.get(unit_id, {unit_id})):
                    yield DueRow(self.kind, f"unit:{unit_id}", holder_id, period, due_at)

        yield from _batched(head_rows())
        office = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.OFFICE_ADMIN)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()
        )
        yield from _batched(DueRow(self.kind, "office", user_id, period, due_at) for user_id in office)

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        outstanding = outstanding_by_unit()
        unit_id = _key_id(reminder.object_key, "unit")
        if unit_id is not None:
            unit = OrgUnit.objects.filter(pk=unit_id).first()
            if unit is None:
                return None
            subtree = _subtrees().get(unit_id, {unit_id})
            units = [outstanding[pk] for pk in subtree if pk in outstanding]
            url = reverse("responsibility:letter-list") + f"?unit={unit_id}"
            unit_name = unit.name
        elif reminder.object_key == "office":
            units = list(outstanding.values())
            url = reverse("responsibility:campaign-list")
            unit_name = ""
        else:
            return None
        if not units:
            return None
        units.sort(key=lambda unit: (-unit.total, unit.unit_name))
        return ReminderMessage(
            url=url,
            context={
                "unit_name": unit_name,
                "units": units[:DIGEST_ITEMS_SHOWN],
                "more_units": max(len(units) - DIGEST_ITEMS_SHOWN, 0),
                "awaiting_signature": sum(unit.awaiting_signature for unit in units),
                "awaiting_countersignature": sum(unit.awaiting_countersignature for unit in units),
                "for_office": unit_id is None,
            },
        )


class RectificationDueSource:
    """Each open rectification (整改) reminds its owner of its deadline, on the default schedule.

    Submitted rectifications wait for the inspection team, not the owner, and are not reminded; one
    sent back is open again and is reminded again. A rectification belongs to no campaign.
    """

    kind = ReminderKind.RECTIFICATION_DUE
    schedule = Schedule()

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        if self.schedule.skip_weekends and is_weekend(today):
            return
        # Deadlines further out than the first reminder have nothing due yet.
        horizon = today + datetime.timedelta(days=max(self.schedule.days_before, default=0))
        rows = (
            Rectification.objects.filter(status=RectificationStatus.OPEN, deadline__lte=horizon)
            .order_by("deadline", "pk")
            .values_list("pk", "owner_id", "deadline", "created_at")
            .iterator(chunk_size=BATCH_SIZE)
        )

        def due() -> Iterator[DueRow]:
            # Rows come by deadline: the reminder of the schedule is worked out once per deadline.
            current: datetime.date | None = None
            period: DuePeriod | None = None
            due_at = outstanding_before = None
            for pk, owner_id, deadline, created_at in rows:
                if deadline != current:
                    current = deadline
                    period = period_current(schedule=self.schedule, deadline=deadline, today=today)
                    if period is not None:
                        due_at = start_of_day(period.effective)
                        outstanding_before = start_of_day(period.effective + datetime.timedelta(days=1))
                # Recorded after the reminder's day: it waits for the next reminder of the schedule.
                if period is not None and created_at < outstanding_before:
                    yield DueRow(self.kind, f"rectification:{pk}", owner_id, period.label, due_at)

        yield from _batched(due())

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        rectification = (
            Rectification.objects.select_related("finding__plan", "finding__unit")
            .filter(
                pk=_key_id(reminder.object_key, "rectification"),
                status=RectificationStatus.OPEN,
                owner_id=reminder.recipient_id,
            )
            .first()
        )
        if rectification is None:
            return None
        finding = rectification.finding
        days_left = (rectification.deadline - timezone.localdate()).days
        return ReminderMessage(
            url=reverse("responsibility:finding-detail", args=[finding.pk]),
            context={
                "finding": finding,
                "rectification": rectification,
                "reference": finding.reference,
                "unit": finding.unit.name,
                "problem": finding.title,
                "requirement": rectification.requirement,
                "rejection_reason": rectification.rejection_reason,
                "deadline": rectification.deadline,
                "days_left": max(days_left, 0),
                "days_overdue": max(-days_left, 0),
                "overdue": days_left < 0,
            },
        )


class DutyTaskDueSource:
    """Each open period of a duty task (履责任务) reminds the leader who answers for it, on the default
    schedule, until a performance record is kept for it.

    Only periods whose responsible person still leads the assignment are reminded: at a handover the
    open periods move to the new holder, who is reminded from then on. Periods of assignments older
    than last year are no longer reminded. A period belongs to no campaign.
    """

    kind = ReminderKind.DUTY_TASK_DUE
    schedule = Schedule()

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        if self.schedule.skip_weekends and is_weekend(today):
            return
        # Due dates further out than the first reminder have nothing due yet.
        horizon = today + datetime.timedelta(days=max(self.schedule.days_before, default=0))
        rows = (
            TaskOccurrence.objects.open()
            # A year's periods are chased into the following year, not for ever after.
            .filter(
                due_date__lte=horizon,
                task__assignment__year__gte=today.year - 1,
                responsible_id=F("task__assignment__leader_id"),
            )
            .order_by("due_date", "pk")
            .values_list("pk", "responsible_id", "due_date", "task__assignment__created_at")
            .iterator(chunk_size=BATCH_SIZE)
        )

        def due() -> Iterator[DueRow]:
            # Rows come by due date: the reminder of the schedule is worked out once per due date.
            current: datetime.date | None = None
            period: DuePeriod | None = None
            due_at = outstanding_before = None
            for pk, responsible_id, due_date, assigned_at in rows:
                if due_date != current:
                    current = due_date
                    period = period_current(schedule=self.schedule, deadline=due_date, today=today)
                    if period is not None:
                        due_at = start_of_day(period.effective)
                        outstanding_before = start_of_day(period.effective + datetime.timedelta(days=1))
                # Assigned after the reminder's day: it waits for the next reminder of the schedule.
                if period is not None and assigned_at < outstanding_before:
                    yield DueRow(self.kind, f"occurrence:{pk}", responsible_id, period.label, due_at)

        yield from _batched(due())

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        occurrence = (
            TaskOccurrence.objects.open()
            .select_related("task__assignment__post__unit")
            .filter(
                pk=_key_id(reminder.object_key, "occurrence"),
                responsible_id=reminder.recipient_id,
                task__assignment__leader_id=reminder.recipient_id,
            )
            .first()
        )
        if occurrence is None:
            return None
        task = occurrence.task
        assignment = task.assignment
        post = assignment.post
        days_left = (occurrence.due_date - timezone.localdate()).days
        return ReminderMessage(
            url=reverse("responsibility:duty-detail", args=[assignment.pk]),
            context={
                "occurrence": occurrence,
                "task": task,
                "assignment": assignment,
                "task_title": task.title,
                "task_description": task.description,
                "recurrence": task.get_recurrence_display(),
                "recurring": task.recurrence != Recurrence.ONCE,  # a period worth naming
                "sequence": occurrence.sequence,
                "period_start": occurrence.period_start,
                "deadline": occurrence.due_date,
                "year": assignment.year,
                # 主任 of 法制工作委员会 reads 法制工作委员会主任; 党组书记 of 党组 stays 党组书记.
                "post": post.title if post.unit.name in post.title else f"{post.unit.name}{post.title}",
                "days_left": max(days_left, 0),
                "days_overdue": max(-days_left, 0),
                "overdue": days_left < 0,
            },
        )


# The registry: every kind of reminder and the source that knows its items. Add new sources here.
SOURCES: dict[str, ReminderSource] = {}


def reminder_source_register(source: ReminderSource) -> ReminderSource:
    if source.kind in SOURCES:
        raise ValueError(f"a reminder source for {source.kind} is already registered")
    SOURCES[source.kind] = source
    return source


for _source in (
    LetterUnsignedSource(),
    LetterAwaitingCountersignSource(),
    DailyDigestSource(),
    RectificationDueSource(),
    DutyTaskDueSource(),
):
    reminder_source_register(_source)
