"""The rules every send of the reminders' ledgers follows, the email's and each channel's: which rows a send
may claim, which lost their task, what a send ends with, how many attempts a message gets, how long it
waits between them, and what a send task retries."""

import datetime
import math
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db.models import F, Max, Q, QuerySet

from core import clock
from responsibility.reminders.models import ReminderStatus, SendState

MAX_ATTEMPTS = 6  # failed sends of one message before it is marked failed
ERROR_TEXT_MAX = 1000


class SendOutcome(StrEnum):
    SENT = "sent"
    CANCELLED = "cancelled"  # the item no longer needs it
    SKIPPED = "skipped"  # another send holds it, or it is already done
    RETRY = "retry"  # a transient failure: waiting for the next attempt
    FAILED = "failed"  # a permanent failure, or the last attempt failed
    HELD = "held"  # a channel asked to wait (a rate limit): its other messages wait with this one


def reminder_retry_delay(*, attempts: int) -> datetime.timedelta:
    """How long a reminder waits after its `attempts`-th failed send: REMINDERS_RETRY_DELAY, doubling with
    each attempt, at most REMINDERS_RETRY_MAX_DELAY."""
    return min(settings.REMINDERS_RETRY_DELAY * 2 ** max(attempts - 1, 0), settings.REMINDERS_RETRY_MAX_DELAY)


@dataclass(frozen=True)
class BatchRetry:
    """What a send task tries again (reminders, or channel deliveries, by id): the transient failures, once
    the longest of their delays is over."""

    ids: list[int] = field(default_factory=list)
    countdown: int = 0  # seconds


def claim_abandoned(*, now: datetime.datetime) -> Q:
    """A claim silent for longer than one send can take: its worker died."""
    return Q(status=ReminderStatus.SENDING, claimed_at__lt=now - settings.REMINDERS_CLAIM_TIMEOUT)


def claimable(*, now: datetime.datetime) -> Q:
    """A row a send may claim now: waiting and past its retry delay, if any; or abandoned."""
    return Q(status=ReminderStatus.PENDING) & (
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    ) | claim_abandoned(now=now)


def task_lost(*, cutoff: datetime.datetime, now: datetime.datetime) -> Q:
    """A row whose send task should have run by `cutoff` and did not: waiting, queued before `cutoff` and not
    held back by a retry delay ending after it; or claimed by a send that died, and not queued again since
    (or queued again before `cutoff`, and that message lost too)."""
    waiting = Q(status=ReminderStatus.PENDING, enqueued_at__lt=cutoff) & (
        Q(retry_at__isnull=True) | Q(retry_at__lt=cutoff)
    )
    abandoned = claim_abandoned(now=now) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=F("claimed_at")) | Q(enqueued_at__lt=cutoff)
    )
    return waiting | abandoned


def _still_held(row: SendState) -> QuerySet:
    """The row, if the send that claimed it still holds the claim (nobody took it over since)."""
    return type(row).objects.filter(pk=row.pk, status=ReminderStatus.SENDING, claimed_at=row.claimed_at)


def attempt_sent(row: SendState, **fields) -> bool:
    """Mark a claimed row sent (with `fields`), if its send still holds the claim. False: another send took
    it over meanwhile, and the message went out twice."""
    return bool(
        _still_held(row).update(status=ReminderStatus.SENT, sent_at=clock.now(), last_error="", **fields)
    )


def attempt_failed(
    row: SendState, *, error: str, permanent: bool, wait: datetime.timedelta | None = None
) -> None:
    """Record a failed attempt of a claimed row: FAILED for good, or PENDING again, not tried before its
    retry delay (or `wait`, if the service asked for longer). The send task retries it after the delay;
    core.requeue only if that retry is lost."""
    now = clock.now()
    delay = max(reminder_retry_delay(attempts=row.attempts), wait or datetime.timedelta(0))
    _still_held(row).update(
        status=ReminderStatus.FAILED if permanent else ReminderStatus.PENDING,
        last_error=error[:ERROR_TEXT_MAX],
        enqueued_at=now,
        retry_at=None if permanent else now + delay,
    )


def batch_retry(rows: QuerySet, *, ids: list[int], wait_at_least: float = 0) -> BatchRetry:
    """What a send task tries again: `ids` (of `rows`' model), once the latest of their retry delays is over
    (and at least `wait_at_least` seconds)."""
    if not ids:
        return BatchRetry()
    retry_at = rows.filter(pk__in=ids).aggregate(latest=Max("retry_at"))["latest"]
    wait = (retry_at - clock.now()).total_seconds() if retry_at else 0
    return BatchRetry(ids=ids, countdown=max(math.ceil(max(wait, wait_at_least)), 0))
