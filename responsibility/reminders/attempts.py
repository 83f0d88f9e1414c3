"""The rules every send of the reminders' ledgers follows, the email's and each channel's: what a send ends
with, how many attempts a message gets, how long it waits between them, and what a send task retries."""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings

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
