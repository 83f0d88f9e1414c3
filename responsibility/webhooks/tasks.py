"""Webhook tasks: sending, and the daily announcement of overdue problems. Thin: one service each."""

import logging

from celery import shared_task

from core import clock

logger = logging.getLogger(__name__)


@shared_task(name="responsibility.tasks.webhooks_send")
def webhooks_send(*, subscription_id: int) -> int:
    """Send what is due to one subscription; the service queues the next task for the rest or a retry
    (its delay is the ledger's retry_at: a retry lost and queued again by core.requeue keeps its back-off)."""
    from responsibility.webhooks.services import webhooks_send_due

    return webhooks_send_due(subscription_id=subscription_id)


@shared_task(name="responsibility.tasks.webhooks_overdue_announce")
def webhooks_overdue_announce() -> int:
    """Daily (beat): the problems that became overdue, announced to the subscriptions to that event."""
    from responsibility.webhooks.services import webhooks_overdue_announce as announce

    count = announce(today=clock.today())
    logger.info("Overdue problems announced to webhooks: %d", count)
    return count
