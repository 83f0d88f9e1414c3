"""Work handed to a task whose message can be lost: a worker killed in the middle of it, a broker restarted
without its data. Each kind of such work registers how to queue again what has waited too long
(`requeue_source_register`); the beat runs `stuck_work_requeue` every minute, so that nothing waits longer
than STUCK_WORK_AFTER and a minute for its task.

Nothing is queued again while task messages still wait in the broker's queue: the work is then late, not
lost (workers behind a large sweep, or none running), and more messages would only lengthen the queue.
Once the queue is empty, what was queued before the cutoff and is not done has lost its message.

Queuing again is always safe: each task's service does its work once however often its message
arrives (a claim it checks, a state it will not leave twice). Sources: the letters' sealed PDFs and batch
prints (responsibility.letters.requeue), the reminders (responsibility.reminders.requeue; their ledger
decides who sends, docs/adr/0004-reminders.md), the assessment rounds' counts
(responsibility.assessment.requeue).
"""

import datetime
import logging
from collections.abc import Callable

from celery import current_app
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


def task_queue_backlog() -> int | None:
    """Messages waiting in the task queue for a worker, or None when the broker cannot tell."""
    app = current_app
    try:
        with app.connection_for_read() as connection, connection.channel() as channel:
            return channel.queue_declare(queue=app.conf.task_default_queue, passive=True).message_count
    except Exception as error:  # noqa: BLE001 (a broker that cannot tell must not stop the requeue)
        logger.info("The task queue's length is unknown (%r); requeue as if it were empty", error)
        return None


def stuck_work_requeue(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queue again every kind of work whose task was queued more than STUCK_WORK_AFTER ago and is not done,
    unless task messages still wait in the queue (then nothing: see the module)."""
    backlog = task_queue_backlog()
    if backlog:
        logger.info("Nothing queued again: %d task messages still wait for a worker", backlog)
        return {}
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
