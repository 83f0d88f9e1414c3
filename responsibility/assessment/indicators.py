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
from functools import partial

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat, Substr
from django.utils.functional import Promise
from django.utils.text import format_lazy
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
from responsibility.reminders.models import Reminder, ReminderKind, ReminderStatus
from responsibility.supervision.models import (
    BUILTIN_PROBLEM_SOURCES,
    RECHECK_REOPENING_OUTCOMES,
    Finding,
    Measure,
    RecheckResult,
    Rectification,
)


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
    # A rate's words for a record counted as done, and as not: what the item's page marks each with.
    outcomes: tuple[Promise, Promise] | None = None


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


# --- Problems rectified on time, and closed (of every source, or of one) ------------------------------


def _problems_due(year: int, source: str | None) -> QuerySet[Finding]:
    """The problems whose rectification was due in the year (its deadline as it stands); of one source
    (its code) when `source` is given."""
    problems = Finding.objects.filter(rectification__deadline__year=year)
    return problems if source is None else problems.filter(batch__source__code=source)


def _verified_on_time() -> Q:
    """Verified, on or before the deadline (a day of the local time zone)."""
    return Q(rectification__verified_at__date__lte=F("rectification__deadline"))


def _closed_by(year: int) -> Q:
    """Closed (销号) by the year's end, or by today while the year runs (a day of the local time zone)."""
    return Q(rectification__closed_at__date__lte=min(clock.today(), datetime.date(year, 12, 31)))


def problems_rectified_on_time(year: int, source: str | None = None) -> dict[int, IndicatorValue]:
    return _rates_by_unit(_problems_due(year, source), unit="unit_id", done=_verified_on_time())


def _unit_problems_due(unit_id: int, year: int, source: str | None, done: Q) -> QuerySet[Finding]:
    """The unit's problems due in the year, each marked whether it counted as `done`, by deadline."""
    records = (
        _problems_due(year, source).filter(unit_id=unit_id).select_related("rectification", "plan", "batch")
    )
    return _with_done(records, done).order_by("rectification__deadline", "pk")


def problems_rectified_on_time_records(
    unit_id: int, year: int, source: str | None = None
) -> QuerySet[Finding]:
    return _unit_problems_due(unit_id, year, source, _verified_on_time())


def problems_closed(year: int, source: str | None = None) -> dict[int, IndicatorValue]:
    return _rates_by_unit(_problems_due(year, source), unit="unit_id", done=_closed_by(year))


def problems_closed_records(unit_id: int, year: int, source: str | None = None) -> QuerySet[Finding]:
    return _unit_problems_due(unit_id, year, source, _closed_by(year))


# --- 回头看 failures --------------------------------------------------------------------------------


def _recheck_failures(year: int, source: str | None) -> QuerySet[RecheckResult]:
    """Re-check results of the year that found 整改不到位 or 虚假整改 (the problem opened again); of the
    problems of one source when `source` is given."""
    results = RecheckResult.objects.filter(recorded_at__year=year, outcome__in=RECHECK_REOPENING_OUTCOMES)
    return results if source is None else results.filter(finding__batch__source__code=source)


def recheck_failures(year: int, source: str | None = None) -> dict[int, IndicatorValue]:
    rows = _recheck_failures(year, source).order_by().values("finding__unit_id").annotate(count=Count("pk"))
    return {row["finding__unit_id"]: IndicatorValue(count=row["count"]) for row in rows}


def recheck_failures_records(unit_id: int, year: int, source: str | None = None) -> QuerySet[RecheckResult]:
    records = (
        _recheck_failures(year, source)
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


# --- Reminders left unanswered (催办) ---------------------------------------------------------------

# The reminders about a unit's own work, with the model of the item each names (`<prefix>:<id>`) and the
# path from it to its unit: letters its signers sign, its problems' rectifications and measures, its
# leaders' duty periods.
_REMINDED_WORK = (
    (ReminderKind.LETTER_UNSIGNED, "letter", Letter, "signer_unit_id"),
    (ReminderKind.RECTIFICATION_DUE, "rectification", Rectification, "finding__unit_id"),
    (ReminderKind.MEASURE_DUE, "measure", Measure, "finding__unit_id"),
    (ReminderKind.DUTY_TASK_DUE, "occurrence", TaskOccurrence, "task__assignment__post__unit_id"),
)


def _reminders_unanswered(year: int) -> QuerySet[Reminder]:
    """The reminders of the year sent after their item's deadline had passed (due period `overdue-N`):
    each went out because the item was still not done, the reminders before it left unanswered."""
    return Reminder.objects.filter(
        kind__in=[kind for kind, *_rest in _REMINDED_WORK],
        status=ReminderStatus.SENT,
        due_period__startswith="overdue-",
        sent_at__year=year,
    )


def reminders_unanswered(year: int) -> dict[int, IndicatorValue]:
    """One grouped query per kind of work: each reminder's item looked up by the id in its key."""
    counts: dict[int, int] = {}
    for kind, prefix, model, unit in _REMINDED_WORK:
        rows = (
            _reminders_unanswered(year)
            .filter(kind=kind)
            .annotate(item_id=Cast(Substr("object_key", len(prefix) + 2), IntegerField()))
            .annotate(unit_id=Subquery(model.objects.filter(pk=OuterRef("item_id")).values(unit)[:1]))
            .order_by()
            .values("unit_id")
            .annotate(count=Count("pk"))
        )
        for row in rows:
            if row["unit_id"] is not None:
                counts[row["unit_id"]] = counts.get(row["unit_id"], 0) + row["count"]
    return {unit_id: IndicatorValue(count=count) for unit_id, count in counts.items()}


def reminders_unanswered_records(unit_id: int, year: int) -> QuerySet[Reminder]:
    of_unit = Q()
    for kind, prefix, model, unit in _REMINDED_WORK:
        keys = (
            model.objects.filter(**{unit: unit_id})
            .annotate(key=Concat(Value(f"{prefix}:"), Cast("pk", CharField())))
            .values("key")
        )
        of_unit |= Q(kind=kind, object_key__in=keys)
    return _reminders_unanswered(year).filter(of_unit).select_related("recipient").order_by("sent_at", "pk")


_COMMON: tuple[Indicator, ...] = (
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
        outcomes=(_("Signed on time"), _("Not signed on time")),
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
        outcomes=(_("Signed"), _("Not signed yet")),
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
        outcomes=(_("Done on time"), _("Not done on time")),
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
        outcomes=(_("Accepted"), _("Returned")),
    ),
    Indicator(
        code="reminders_unanswered",
        name=_("Reminders left unanswered"),
        definition=_(
            "How many reminders the system sent in the year about the unit's work already past its "
            "deadline (a letter its signer had not signed, a rectification or measure of its problems, a "
            "period of its leaders' duty tasks): each went out because the work was still not done, the "
            "reminders before it left unanswered."
        ),
        kind=IndicatorKind.COUNT,
        values=reminders_unanswered,
        records=reminders_unanswered_records,
    ),
)

# The indicators of problems, each counted over every source or over one: the problem ledger's sources.
_BY_SOURCE: tuple[Indicator, ...] = (
    Indicator(
        code="problems_rectified_on_time",
        name=_("Problems rectified on time"),
        definition=_(
            "Of the unit's problems of every source whose rectification was due in the year, the share "
            "verified by its deadline."
        ),
        kind=IndicatorKind.RATE,
        values=problems_rectified_on_time,
        records=problems_rectified_on_time_records,
        outcomes=(_("Rectified on time"), _("Not rectified on time")),
    ),
    Indicator(
        code="problems_closed",
        name=_("Problems closed"),
        definition=_(
            "Of the unit's problems of every source whose rectification was due in the year, the share "
            "closed (销号) by the year's end (by the day of the count while the year runs)."
        ),
        kind=IndicatorKind.RATE,
        values=problems_closed,
        records=problems_closed_records,
        outcomes=(_("Closed (ticked off)"), _("Not closed")),
    ),
    Indicator(
        code="recheck_failures",
        name=_("Re-checks failed"),
        definition=_(
            "How many of the unit's closed problems of every source a 回头看 of the year found not "
            "rectified or falsely rectified (opened again)."
        ),
        kind=IndicatorKind.COUNT,
        values=recheck_failures,
        records=recheck_failures_records,
    ),
)


def _of_source(indicator: Indicator, source: str, source_name: str) -> Indicator:
    """`indicator` counted over the problems of one source only: code `<code>.<source>`."""
    return Indicator(
        code=f"{indicator.code}.{source}",
        name=format_lazy("{name}（{source}）", name=indicator.name, source=source_name),
        definition=format_lazy(
            _("{definition} This one counts only the problems of the source “{source}”."),
            definition=indicator.definition,
            source=source_name,
        ),
        kind=indicator.kind,
        values=partial(indicator.values, source=source),
        records=partial(indicator.records, source=source),
        outcomes=indicator.outcomes,
    )


# Every indicator by its code. The problems' indicators exist over every source and over each source
# every installation has (`BUILTIN_PROBLEM_SOURCES`, by their codes, which do not change); problems of a
# source the office added count in the indicator over every source.
INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        *_COMMON,
        *_BY_SOURCE,
        *(
            _of_source(indicator, str(source), name)
            for indicator in _BY_SOURCE
            for source, name in BUILTIN_PROBLEM_SOURCES
        ),
    )
}
