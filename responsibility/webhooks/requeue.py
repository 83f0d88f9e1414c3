"""Webhook deliveries whose send task was lost, queued again by core.requeue (every minute, by beat).

Queuing again is safe: a delivery is claimed by one send at a time, and only once its retry delay is over.
"""

import datetime

from core.requeue import requeue_source_register
from responsibility.webhooks.services import webhook_deliveries_requeue_lost


@requeue_source_register("webhook deliveries")
def webhooks_requeue(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    return webhook_deliveries_requeue_lost(cutoff=cutoff, now=now)
