"""Reminder tasks: the beat sweep and the sending. Thin: one service each.

Task names stay `responsibility.tasks.<name>`: beat and messages already queued use them.
"""

import logging

from celery import shared_task

from core import clock

logger = logging.getLogger(__name__)


@shared_task(name="responsibility.tasks.reminders_sweep")
def reminders_sweep() -> dict:
    """Every few minutes (beat): create the reminders due today and queue their sending. Idempotent."""

    from responsibility.reminders.services import reminders_sweep as sweep

    result = sweep(today=clock.today())
    logger.info("Reminder sweep: %s new, %s queued", result.created, result.scheduled)
    return {"created": result.created_total, "scheduled": result.scheduled}


# Countdowns stay far below the Redis visibility timeout (75 minutes, config/broker.py): a long ETA
# would be delivered again and again (see docs/adr/0004-reminders.md). The ledger counts the attempts,
# not this task.
REMINDER_RETRY_MAX_DELAY = 30 * 60


@shared_task(name="responsibility.tasks.reminders_send", bind=True, max_retries=10)
def reminders_send(self, *, reminder_ids: list[int]) -> int:
    """Send these reminders over one mail connection; try the transient failures again with backoff."""
    from django.conf import settings

    from responsibility.reminders.services import reminders_send_batch

    retry_ids = reminders_send_batch(reminder_ids=reminder_ids)
    if retry_ids and self.request.retries < self.max_retries:
        delay = settings.REMINDERS_RETRY_DELAY.total_seconds() * 2**self.request.retries
        raise self.retry(kwargs={"reminder_ids": retry_ids}, countdown=min(delay, REMINDER_RETRY_MAX_DELAY))
    return len(reminder_ids) - len(retry_ids)
