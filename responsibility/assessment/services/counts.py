"""The count of a round's system items (the items a scheme binds to an indicator), in the background.

Opening a round, or the office's 重新统计, asks a Celery task (`indicators_count_request`, on commit);
the task (`round_indicators_run`) counts each indicator with its grouped query, no lock held, keeping its
progress on the round for the page; then, in one short transaction, it writes what changed with the
`indicators_counted` event. It writes once however often its message arrives: the request's time is its
claim (a lost message is queued again by `assessment.requeue`).
"""

import hashlib
import json
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core import clock
from core.audit import AUDIT_CHAINS
from core.locks import row_lock
from responsibility.assessment.audit import assessment_event_record
from responsibility.assessment.indicators import INDICATORS, IndicatorKind, IndicatorValue
from responsibility.assessment.models import (
    AnsweredBy,
    AssessmentEventKind,
    AssessmentRound,
    ItemScore,
    RoundStatus,
    UnitAssessment,
)
from responsibility.assessment.permissions import round_check_open_permission
from responsibility.assessment.results import unit_totals
from responsibility.assessment.rules import Rule, rule_points
from responsibility.assessment.services.rounds import BATCH_SIZE, RoundRefused


def indicators_count_request(assessment_round: AssessmentRound, *, requested_by) -> None:
    """Ask a task to count the system's items (queued when the transaction commits); the round's page
    follows its progress. The caller holds the round's lock."""
    # Imported here: the tasks module imports this one.
    from responsibility.assessment.tasks import round_indicators_count as round_indicators_count_task

    assessment_round.count_requested_at = clock.now()
    assessment_round.count_requested_by = requested_by
    assessment_round.count_progress = 0
    assessment_round.version += 1
    assessment_round.save(
        update_fields=["count_requested_at", "count_requested_by", "count_progress", "version"]
    )
    round_indicators_count_task.delay_on_commit(round_id=assessment_round.pk)


def round_indicators_count(*, assessment_round: AssessmentRound, counted_by) -> AssessmentRound:
    """Count the system's items again from the records as they stand (the office, while the round is
    open), in the background: each unit's self-assessed figures follow; approved scores stay as set."""
    round_check_open_permission(user=counted_by)
    with transaction.atomic():
        locked = row_lock(AssessmentRound.objects.select_related("scheme"), pk=assessment_round.pk)
        if not locked.is_open:
            raise RoundRefused(_("The results are approved: nothing in them changes."), code="approved")
        if locked.is_counting:
            raise RoundRefused(
                _("The system's items are being counted: the page shows the count when it is done."),
                code="counting",
            )
        indicators_count_request(locked, requested_by=counted_by)
    return locked


def indicator_answer(kind: str, value: IndicatorValue) -> Decimal:
    """An indicator's figure as an item's answer: a rate in per cent (100 when nothing was due: nothing
    was left undone), or how many times."""
    if kind == IndicatorKind.RATE:
        return value.rate if value.rate is not None else Decimal(100)
    return Decimal(value.count)


def _count_progress(round_id: int, requested_at, percent: int) -> None:
    """How far the count is, for the page (its own short write, outside the count's transaction)."""
    AssessmentRound.objects.filter(
        pk=round_id, status=RoundStatus.OPEN, count_requested_at=requested_at
    ).update(count_progress=percent, version=F("version") + 1)


def round_indicators_run(*, round_id: int) -> bool:
    """The task's work: count every indicator the round's scheme names (one grouped query each, no lock
    held meanwhile, the progress kept), then answer every system item of every unit in one transaction,
    with the event that records the figures' digest and where the chains stood. Runs once however often
    its message arrives: a count already written, or a round approved since, is left alone (False)."""
    assessment_round = AssessmentRound.objects.select_related("scheme").filter(pk=round_id).first()
    if assessment_round is None or not assessment_round.is_open or not assessment_round.is_counting:
        return False
    requested_at = assessment_round.count_requested_at
    items = [item for item in assessment_round.scheme.items.all() if item.answered_by == AnsweredBy.SYSTEM]
    codes = sorted({item.indicator for item in items})
    heads = {
        name: chain.head_model.objects.get(pk=1).last_sequence
        for name, chain in sorted(AUDIT_CHAINS.items())
        if name in ("letter", "inspection", "duty")
    }
    values = {}
    for index, code in enumerate(codes, start=1):
        values[code] = INDICATORS[code].values(assessment_round.year)
        _count_progress(round_id, requested_at, percent=90 * index // len(codes))
    with transaction.atomic():
        locked = row_lock(AssessmentRound.objects.select_related("scheme", "count_requested_by"), pk=round_id)
        if not locked.is_open or locked.count_requested_at != requested_at:
            return False
        if items:
            _indicators_write(
                locked, items=items, values=values, heads=heads, counted_by=locked.count_requested_by
            )
        locked.count_requested_at, locked.count_requested_by, locked.count_progress = None, None, 100
        locked.version += 1
        locked.save(
            update_fields=[
                "counted_at",
                "count_requested_at",
                "count_requested_by",
                "count_progress",
                "version",
            ]
        )
    return True


def _update_in_groups(model, changes: dict[int, dict]) -> None:
    """Write `changes` ({pk: {field: value}}) with one UPDATE per distinct set of values (and the
    version step), a batch of rows at a time: the counts give most units the same figures, and this is
    far cheaper than one CASE over every row (Django's bulk_update)."""
    groups: dict[str, tuple[dict, list[int]]] = {}
    for pk, values in changes.items():
        key = json.dumps(values, sort_keys=True, default=str)
        groups.setdefault(key, (values, []))[1].append(pk)
    for values, pks in groups.values():
        for start in range(0, len(pks), BATCH_SIZE):
            model.objects.filter(pk__in=pks[start : start + BATCH_SIZE]).update(
                **values, version=F("version") + 1
            )


def _indicators_write(assessment_round: AssessmentRound, *, items, values, heads, counted_by) -> None:
    """Answer every system item of every unit from the indicators' `values` and record the figures'
    digest with the positions of the chains (`heads`) whose records were counted. Only what changed is
    written (a recount mostly finds the same figures)."""
    now = clock.now()
    scores = (
        ItemScore.objects.filter(unit_assessment__round=assessment_round, item__in=items)
        .select_related("item")
        .annotate(unit_id=F("unit_assessment__unit_id"))
    )
    figures, changes = [], {}
    for score in scores.order_by("unit_assessment__unit_id", "item__order", "item_id"):
        item = score.item
        indicator = INDICATORS[item.indicator]
        value = values[item.indicator].get(score.unit_id, IndicatorValue())
        answer = indicator_answer(indicator.kind, value)
        points = rule_points(Rule.of(item), answer)
        counted = (
            {"done": value.done, "due": value.due}
            if indicator.kind == IndicatorKind.RATE
            else {"count": value.count}
        )
        if (score.self_answer, score.self_points, score.counted) != (answer, points, counted):
            changes[score.pk] = {
                "self_answer": answer,
                "self_points": points,
                "counted": counted,
                "self_at": now,
            }
        figures.append([score.unit_id, item.number, str(answer), str(points)])
    _update_in_groups(ItemScore, changes)
    cards = list(assessment_round.units.all())
    totals = unit_totals(assessment_round=assessment_round, unit_ids=[card.pk for card in cards])
    _update_in_groups(
        UnitAssessment,
        {
            card.pk: {"self_points": totals[card.pk][0]}
            for card in cards
            if card.self_points != totals[card.pk][0]
        },
    )
    assessment_round.counted_at = now  # saved by the caller, with the round's version step
    encoded = json.dumps(figures, ensure_ascii=False, separators=(",", ":")).encode()
    assessment_event_record(
        round=assessment_round,
        subject=f"round:{assessment_round.pk}",
        kind=AssessmentEventKind.INDICATORS_COUNTED,
        actor=counted_by,
        digest=hashlib.sha256(encoded).hexdigest(),
        payload={"items": len(items), "units": len(cards), "heads": heads},
    )
