"""Work handed to a task whose message can be lost: a worker killed in the middle of it, a broker restarted
without its data. Each kind of such work registers how to queue again what has waited too long
(`requeue_source_register`); the beat runs `stuck_work_requeue` every minute, so that nothing waits longer
than STUCK_WORK_AFTER and a minute for its task.

Queuing again is always safe: each task's service does its work once however often its message
arrives (a claim it checks, a state it will not leave twice). Reminders keep their own ledger and sweep
(docs/adr/0004-reminders.md), with the windows that ADR documents.
"""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings

from core import clock

logger = logging.getLogger(__name__)

# A source queues again what was queued before `cutoff` and is still not done, marks it queued at `now`,
# and returns how many it queued.
RequeueSource = Callable[..., int]

_SOURCES: dict[str, RequeueSource] = {}


def requeue_source_register(name: str) -> Callable[[RequeueSource], RequeueSource]:
    """Register `function(*, cutoff, now) -> int` under `name` (what it queues, for the log)."""

    def register(function: RequeueSource) -> RequeueSource:
        _SOURCES[name] = function
        return function

    return register


def stuck_work_requeue(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queue again every kind of work whose task was queued more than STUCK_WORK_AFTER ago and is not done."""
    now = now or clock.now()
    cutoff = now - settings.STUCK_WORK_AFTER
    counts = {}
    for name, source in sorted(_SOURCES.items()):
        counts[name] = source(cutoff=cutoff, now=now)
        if counts[name]:
            logger.warning(
                "Queued %d %s again: their task had not run for %s", counts[name], name, now - cutoff
            )
    return counts
