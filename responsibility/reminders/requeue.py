"""Reminders whose send task was lost, queued again by core.requeue (every minute, by beat).

- A waiting reminder queued before the cutoff (STUCK_WORK_AFTER ago) and, if a transient failure set it a
  retry delay, whose delay ended before the cutoff: its task never ran, or its worker died first.
- A reminder claimed by a send silent for REMINDERS_CLAIM_TIMEOUT: its worker died in the middle.

Queuing again is safe: the claim decides who sends (docs/adr/0004-reminders.md), and a reminder is claimed
only once its retry delay is over, so the back-off holds however many messages name it.
"""

import datetime

from core.requeue import requeue_source_register
from responsibility.reminders.channel_services import channel_deliveries_requeue_lost
from responsibility.reminders.services import reminders_requeue_lost


@requeue_source_register("reminders")
def reminders_requeue(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """Reminders whose send task was lost (see the module), queued again once per wait."""
    return reminders_requeue_lost(cutoff=cutoff, now=now)


@requeue_source_register("reminders through channels")
def channel_deliveries_requeue(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """Channel deliveries (企业微信, 钉钉, SMS) whose send task was lost, queued again once per wait."""
    return channel_deliveries_requeue_lost(cutoff=cutoff, now=now)
