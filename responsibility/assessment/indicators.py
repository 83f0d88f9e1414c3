"""Indicators (考核指标): figures the system computes from its own records, one named function each.

An item a scheme says the system answers names one of them; the scheme's page shows its definition. Each
indicator counts, for every unit at once (one query), over one year: a rate is what was done of what was
due (in per cent), a count is how many times. `records` gives, for one unit, the very records counted,
so that a score can link to them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Post
from core import clock
from responsibility.duties.models import PerformanceRecord, ReviewStatus, TaskOccurrence
from responsibility.duties.timeliness import occurrence_on_time_q
from responsibility.letters.models.letters import (
    SIGNED_STATUSES,
    Letter,
    LetterStatus,
    Signature,
    SignatureRole,
)
from responsibility.supervision.models import RECHECK_REOPENING_OUTCOMES, Finding, RecheckResult


class IndicatorKind:
    RATE = "rate"  # done of due, in per cent: scored by share of a rate
    COUNT = "count"  # how many times: scored per occurrence


@dataclass(frozen=True)
class IndicatorValue:
    """One unit's figure: `done` of `due` for a rate (None when nothing was due), `count` for a count."""

    done: int = 0
    due: int = 0
    count: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Per cent, two decimals; None when nothing was due."""
        if not self.due:
            return None
        return (Decimal(100) * self.done / self.due).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Promise
    definition: Promise
    kind: str
    # (year) -> {unit id: value}, every unit with something counted
    values: Callable[[int], dict[int, IndicatorValue]]
    # (unit id, year) -> the records counted for that unit
    records: Callable[[int, int], QuerySet]


def _with_done(records: QuerySet, done: Q) -> QuerySet:
    """The records of a rate, each marked `counted_done`: whether it counted as done."""
    return records.annotate(counted_done=ExpressionWrapper(done, output_field=BooleanField()))


def _rates_by_unit(due: QuerySet, *, unit: str, done: Q) -> dict[int, IndicatorValue]:
    """`due` counted per unit (the lookup `unit`), and of them those `done`: one grouped query."""
    rows = due.order_by().values(unit).annotate(due_count=Count("pk"), done_count=Count("pk", filter=done))
    return {row[unit]: IndicatorValue(done=row["done_count"], due=row["due_count"]) for row in rows}


# --- Letters signed on time -----------------------------------------------------------------------


def _letters_due(year: int) -> QuerySet[Letter]:
    """The year's letters to sign: the current version of each, not voided."""
    return (
        Letter.objects.filter(campaign__year=year, next_version__isnull=True)
        .exclude(status__in=[LetterStatus.VOIDED, LetterStatus.DRAFT])
        .annotate(
            on_time=Exists(
                Signature.objects.filter(
                    letter=OuterRef("pk"),
                    role=SignatureRole.SIGNER,
                    signed_at__date__lte=OuterRef("campaign__deadline"),
                )
            )
        )
    )


def letters_signed_on_time(year: int) -> dict[int, IndicatorValue]:
    return _rates_by_unit(_letters_due(year), unit="signer_unit_id", done=Q(on_time=True))


def letters_signed_on_time_records(unit_id: int, year: int) -> QuerySet[Letter]:
    return _with_done(_letters_due(year).filter(signer_unit_id=unit_id), Q(on_time=True)).order_by(
        "reference"
    )


# --- Problems rectified on time -------------------------------------------------------------------


def _problems_due(year: int) -> QuerySet[Finding]:
    """The problems whose rectification was due in the year (its deadline as it stands)."""
    return Finding.objects.filter(rectification__deadline__year=year)


def _verified_on_time() -> Q:
    """Verified, on or before the deadline (a day of the local time zone)."""
    return Q(rectification__verified_at__date__lte=F("rectification__deadline"))


def problems_rectified_on_time(year: int) -> dict[int, IndicatorValue]:
    return _rates_by_unit(_problems_due(year), unit="unit_id", done=_verified_on_time())


def problems_rectified_on_time_records(unit_id: int, year: int) -> QuerySet[Finding]:
    records = _problems_due(year).filter(unit_id=unit_id).select_related("rectification", "plan", "batch")
    return _with_done(records, _verified_on_time()).order_by("rectification__deadline", "pk")


# --- 回头看 failures --------------------------------------------------------------------------------


def _recheck_failures(year: int) -> QuerySet[RecheckResult]:
    """Re-check results of the year that found 整改不到位 or 虚假整改 (the problem opened again)."""
    return RecheckResult.objects.filter(recorded_at__year=year, outcome__in=RECHECK_REOPENING_OUTCOMES)


def recheck_failures(year: int) -> dict[int, IndicatorValue]:
    rows = _recheck_failures(year).order_by().values("finding__unit_id").annotate(count=Count("pk"))
    return {row["finding__unit_id"]: IndicatorValue(count=row["count"]) for row in rows}


def recheck_failures_records(unit_id: int, year: int) -> QuerySet[RecheckResult]:
    records = (
        _recheck_failures(year)
        .filter(finding__unit_id=unit_id)
        .select_related("finding__plan", "finding__batch")
    )
    return records.order_by("recorded_at", "pk")


# --- 层层签订 coverage ------------------------------------------------------------------------------


def _posts_held() -> QuerySet[Post]:
    """The posts someone holds now: each should hold a letter of the year, level by level."""
    return Post.objects.filter(holder__isnull=False)


def _signed_in(year: int) -> Exists:
    return Exists(
        Letter.objects.filter(
            signer_post=OuterRef("pk"),
            campaign__year=year,
            next_version__isnull=True,
            status__in=SIGNED_STATUSES,
        )
    )


def cascade_coverage(year: int) -> dict[int, IndicatorValue]:
    return _rates_by_unit(_posts_held(), unit="unit_id", done=Q(_signed_in(year)))


def cascade_coverage_records(unit_id: int, year: int) -> QuerySet[Post]:
    return (
        _posts_held()
        .filter(unit_id=unit_id)
        .select_related("unit", "holder")
        .annotate(signed=_signed_in(year))
        .annotate(counted_done=F("signed"))
        .order_by("sort_order", "pk")
    )


# --- Duty periods done on time ----------------------------------------------------------------------


def _periods_due(year: int) -> QuerySet[TaskOccurrence]:
    """The periods of the year's tasks (not withdrawn) due by today, or by the year's end once it is over."""
    last = min(clock.today(), datetime.date(year, 12, 31))
    return TaskOccurrence.objects.filter(
        task__assignment__year=year, task__withdrawn_at__isnull=True, due_date__lte=last
    )


def duty_periods_on_time(year: int) -> dict[int, IndicatorValue]:
    return _rates_by_unit(
        _periods_due(year), unit="task__assignment__post__unit_id", done=occurrence_on_time_q()
    )


def duty_periods_on_time_records(unit_id: int, year: int) -> QuerySet[TaskOccurrence]:
    records = _periods_due(year).filter(task__assignment__post__unit_id=unit_id).select_related("task")
    return _with_done(records, occurrence_on_time_q()).order_by("due_date", "pk")


# --- Duty records accepted --------------------------------------------------------------------------


def _records_reviewed(year: int) -> QuerySet[PerformanceRecord]:
    """The year's performance records the inspection team has reviewed (accepted or returned)."""
    return PerformanceRecord.objects.filter(
        occurrence__task__assignment__year=year,
        review_status__in=[ReviewStatus.ACCEPTED, ReviewStatus.RETURNED],
    )


def duty_records_accepted(year: int) -> dict[int, IndicatorValue]:
    return _rates_by_unit(
        _records_reviewed(year),
        unit="occurrence__task__assignment__post__unit_id",
        done=Q(review_status=ReviewStatus.ACCEPTED),
    )


def duty_records_accepted_records(unit_id: int, year: int) -> QuerySet[PerformanceRecord]:
    records = (
        _records_reviewed(year)
        .filter(occurrence__task__assignment__post__unit_id=unit_id)
        .select_related("occurrence__task")
    )
    return _with_done(records, Q(review_status=ReviewStatus.ACCEPTED)).order_by("performed_on", "pk")


INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator(
            code="letters_signed_on_time",
            name=_("Letters signed on time"),
            definition=_(
                "Of the unit's responsibility letters of the year (the current version of each, voided "
                "ones left out), the share its signer signed by the campaign's deadline."
            ),
            kind=IndicatorKind.RATE,
            values=letters_signed_on_time,
            records=letters_signed_on_time_records,
        ),
        Indicator(
            code="cascade_coverage",
            name=_("Letters signed level by level"),
            definition=_(
                "Of the unit's posts held now, the share whose holder signed a responsibility letter of "
                "the year (层层签订: the current version, signed by them)."
            ),
            kind=IndicatorKind.RATE,
            values=cascade_coverage,
            records=cascade_coverage_records,
        ),
        Indicator(
            code="duty_periods_on_time",
            name=_("Duty periods done on time"),
            definition=_(
                "Of the periods of the unit's leaders' 一岗双责 tasks of the year due so far (withdrawn "
                "tasks left out), the share done by their due date: a record of the work, not returned, "
                "dated on or before it."
            ),
            kind=IndicatorKind.RATE,
            values=duty_periods_on_time,
            records=duty_periods_on_time_records,
        ),
        Indicator(
            code="duty_records_accepted",
            name=_("Duty records accepted"),
            definition=_(
                "Of the unit's leaders' performance records of the year the inspection team reviewed, "
                "the share it accepted (the others it returned for more)."
            ),
            kind=IndicatorKind.RATE,
            values=duty_records_accepted,
            records=duty_records_accepted_records,
        ),
        Indicator(
            code="problems_rectified_on_time",
            name=_("Problems rectified on time"),
            definition=_(
                "Of the unit's problems of every source whose rectification was due in the year, the "
                "share verified by its deadline."
            ),
            kind=IndicatorKind.RATE,
            values=problems_rectified_on_time,
            records=problems_rectified_on_time_records,
        ),
        Indicator(
            code="recheck_failures",
            name=_("Re-checks failed"),
            definition=_(
                "How many of the unit's closed problems a 回头看 of the year found not rectified or "
                "falsely rectified (opened again)."
            ),
            kind=IndicatorKind.COUNT,
            values=recheck_failures,
            records=recheck_failures_records,
        ),
    )
}
