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

`message()` is also the rule that closes what is done: when a service finishes some work it calls
`reminders_close_done(object_keys=...)`, which asks the same sources (`reminder_items_still_due`) and
cancels the reminders and closes the messages that no longer need their recipient.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from core import clock
from responsibility.letters.models.reminder_policy import (
    DEFAULT_DAYS_BEFORE,
    DEFAULT_OVERDUE_EVERY_DAYS,
    ReminderPolicy,
)
from responsibility.reminders.models import Reminder, ReminderKind

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


@dataclass(frozen=True)
class ReminderAttachment:
    """A file the email carries. `read` fetches its bytes when the email is sent, outside any transaction."""

    filename: str
    mimetype: str
    read: Callable[[], bytes]


@dataclass
class ReminderMessage:
    """What a reminder says now: the context of the kind's templates and the link to the item."""

    url: str  # path inside the site, e.g. /letters/12/
    context: dict = field(default_factory=dict)
    attachments: list[ReminderAttachment] = field(default_factory=list)


class ReminderSource(Protocol):
    """A kind of reminder. It may also answer `still_due(items=...)` for many (object_key, recipient id)
    pairs at once, when one query serves them all; otherwise `message()` answers for each
    (`reminder_items_still_due`)."""

    kind: ReminderKind

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]: ...

    def message(self, *, reminder: Reminder) -> ReminderMessage | None: ...


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


class DeadlineSource:
    """A source of items that each have a deadline and one person to remind, on the default schedule.

    A subclass names its `kind` and the `object_prefix` of its keys (`rectification:12`), and answers:
    - `open_items(horizon=..., today=...)`: the items still open whose deadline is on or before `horizon`, as
      `values_list(pk, recipient id, deadline, outstanding since)` ordered by deadline;
    - `message(reminder=...)`: what the reminder says, or None when it is no longer needed
      (`deadline_days` gives the days left or overdue);
    - optionally `subjects_attach(user=..., reminders=...)` for the office's log.
    An item that became outstanding after a reminder's day waits for the next reminder of the schedule.
    """

    kind: str
    object_prefix: str
    schedule = Schedule()

    def open_items(self, *, horizon: datetime.date, today: datetime.date):
        raise NotImplementedError

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        if self.schedule.skip_weekends and is_weekend(today):
            return
        # Deadlines further out than the first reminder have nothing due yet.
        horizon = today + datetime.timedelta(days=max(self.schedule.days_before, default=0))
        rows = self.open_items(horizon=horizon, today=today).iterator(chunk_size=BATCH_SIZE)

        def due() -> Iterator[DueRow]:
            # Rows come by deadline: the reminder of the schedule is worked out once per deadline.
            current: datetime.date | None = None
            period: DuePeriod | None = None
            due_at = outstanding_before = None
            for pk, recipient_id, deadline, since in rows:
                if deadline != current:
                    current = deadline
                    period = period_current(schedule=self.schedule, deadline=deadline, today=today)
                    if period is not None:
                        due_at = start_of_day(period.effective)
                        outstanding_before = start_of_day(period.effective + datetime.timedelta(days=1))
                if period is not None and since < outstanding_before:
                    yield DueRow(self.kind, self.object_key(pk), recipient_id, period.label, due_at)

        yield from _batched(due())

    @classmethod
    def object_key(cls, pk: int) -> str:
        """What the reminders and messages about item `pk` are about ("rectification:12"): the services
        that finish the item close them by it (reminders_close_done)."""
        return f"{cls.object_prefix}:{pk}"

    def item_id(self, reminder: Reminder) -> int | None:
        """The id of the item a reminder of this source is about."""
        return _key_id(reminder.object_key, self.object_prefix)

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        raise NotImplementedError


# The registry: every kind of reminder and the source that knows its items. Add new sources here.
SOURCES: dict[str, ReminderSource] = {}


def reminder_subjects_attach(*, user, reminders: list[Reminder]) -> None:
    """Give each reminder what it is about, for its link on the office's log, among what the user may see.

    A source that can say so has `subjects_attach(user=..., reminders=...)`: one query per kind at most.
    """
    by_kind: dict[str, list[Reminder]] = {}
    for reminder in reminders:
        by_kind.setdefault(reminder.kind, []).append(reminder)
    for kind, of_kind in by_kind.items():
        attach = getattr(SOURCES.get(kind), "subjects_attach", None)
        if attach is not None:
            attach(user=user, reminders=of_kind)


def reminder_message_now(*, reminder) -> ReminderMessage | None:
    """What a reminder says now, or None when it is no longer needed (its work done, its recipient gone, its
    kind unknown): the one rule of the email, the bell and every channel."""
    source = SOURCES.get(reminder.kind)
    if source is None or not reminder.recipient.is_active:
        return None
    return source.message(reminder=reminder)


def reminder_items_still_due(*, kind: str, items: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """Which (object_key, recipient id) pairs of a kind still need their recipient, by the kind's own rule.

    The source's `message()` is that rule (None: no longer needed); a source with `still_due(items=...)`
    answers for all at once. An unknown kind needs nobody.
    """
    source = SOURCES.get(kind)
    if source is None or not items:
        return set()
    still_due = getattr(source, "still_due", None)
    if still_due is not None:
        return still_due(items=items)
    now = clock.now()
    return {
        (object_key, recipient_id)
        for object_key, recipient_id in items
        if source.message(
            reminder=Reminder(
                kind=kind, object_key=object_key, recipient_id=recipient_id, due_period="", due_at=now
            )
        )
        is not None
    }


def reminder_source_register(source: ReminderSource) -> ReminderSource:
    if source.kind in SOURCES:
        raise ValueError(f"a reminder source for {source.kind} is already registered")
    SOURCES[source.kind] = source
    return source
