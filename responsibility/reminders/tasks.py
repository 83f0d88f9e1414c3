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


@shared_task(name="responsibility.tasks.reminders_send", bind=True, max_retries=10)
def reminders_send(self, *, reminder_ids: list[int]) -> int:
    """Send these reminders over one mail connection; try the transient failures again after their delay.

    The delay is the ledger's (each reminder's retry_at, from its attempts), not this task's retry count:
    a retry lost and queued again by core.requeue keeps its back-off.
    """
    from responsibility.reminders.services import reminders_send_batch

    retry = reminders_send_batch(reminder_ids=reminder_ids)
    if retry.ids and self.request.retries < self.max_retries:
        raise self.retry(kwargs={"reminder_ids": retry.ids}, countdown=retry.countdown)
    return len(reminder_ids) - len(retry.ids)


@shared_task(name="responsibility.tasks.reminders_channel_send", bind=True, max_retries=10)
def reminders_channel_send(self, *, delivery_ids: list[int]) -> int:
    """Send these reminders through their channels (企业微信, 钉钉, SMS); try the transient failures again
    after their delay, kept in the channel's ledger like the email's."""
    from responsibility.reminders.channel_services import channel_deliveries_send_batch

    retry = channel_deliveries_send_batch(delivery_ids=delivery_ids)
    if retry.ids and self.request.retries < self.max_retries:
        raise self.retry(kwargs={"delivery_ids": retry.ids}, countdown=retry.countdown)
    return len(delivery_ids) - len(retry.ids)
