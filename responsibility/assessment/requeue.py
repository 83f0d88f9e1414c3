"""Assessment's work whose task message can be lost, queued again by core.requeue (every minute, by beat):
a round's count asked for before the cutoff and not done. `round_indicators_run` writes a count once
however often its message arrives."""

import datetime

from django.db.models import F

from core.requeue import requeue_source_register
from responsibility.assessment.models import AssessmentRound, RoundStatus
from responsibility.assessment.tasks import round_indicators_count

# At most this many a run (counts are few: one a round).
REQUEUE_BATCH = 50


@requeue_source_register("assessment counts")
def round_counts_requeue(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """Counts asked for before `cutoff` and not done, queued again (the request's time moves to `now`)."""
    stuck = list(
        AssessmentRound.objects.filter(status=RoundStatus.OPEN, count_requested_at__lt=cutoff)
        .order_by("count_requested_at")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    for round_id in stuck:
        moved = AssessmentRound.objects.filter(pk=round_id, count_requested_at__lt=cutoff).update(
            count_requested_at=now, count_progress=0, version=F("version") + 1
        )
        if moved:
            round_indicators_count.delay(round_id=round_id)
    return len(stuck)
