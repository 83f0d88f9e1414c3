"""Assessment's tasks: thin wrappers that call one service."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="responsibility.tasks.round_indicators_count",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    time_limit=30 * 60,
    soft_time_limit=25 * 60,
)
def round_indicators_count(*, round_id: int) -> bool:
    """Count a round's system items (once, however often the message arrives)."""
    from responsibility.assessment.services.counts import round_indicators_run

    return round_indicators_run(round_id=round_id)
