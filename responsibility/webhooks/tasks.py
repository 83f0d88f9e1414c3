"""Webhook tasks: sending, and the daily announcement of overdue problems. Thin: one service each."""

import logging

from celery import shared_task

from core import clock

logger = logging.getLogger(__name__)


@shared_task(name="responsibility.tasks.webhooks_deliver", bind=True, max_retries=20)
def webhooks_deliver(self, *, delivery_ids: list[int]) -> int:
    """Send these deliveries; those that failed for now are tried again after their delay (the ledger's
    retry_at, from the delivery's attempts: a retry lost and queued again keeps its back-off)."""
    from responsibility.webhooks.services import webhooks_deliver_batch

    retry = webhooks_deliver_batch(delivery_ids=delivery_ids)
    if retry.delivery_ids and self.request.retries < self.max_retries:
        raise self.retry(kwargs={"delivery_ids": retry.delivery_ids}, countdown=retry.countdown)
    return len(delivery_ids) - len(retry.delivery_ids)


@shared_task(name="responsibility.tasks.webhooks_overdue_announce")
def webhooks_overdue_announce() -> int:
    """Daily (beat): the problems that became overdue, announced to the subscriptions to that event."""
    from responsibility.webhooks.services import webhooks_overdue_announce as announce

    count = announce(today=clock.today())
    logger.info("Overdue problems announced to webhooks: %d", count)
    return count
