"""The rules every send of the reminders' ledgers follows, the email's and each channel's: which rows a send
may claim, which lost their task, what a send ends with, how many attempts a message gets, how long it
waits between them, and what a send task retries."""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db.models import F, Q

from responsibility.reminders.models import ReminderStatus

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
