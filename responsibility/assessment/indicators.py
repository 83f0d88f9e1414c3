"""Indicators (考核指标): figures the system computes from its own records, one named function each.

An item a scheme says the system answers names one of them; the scheme's page shows its definition. Each
indicator counts, for every unit at once (one query), over one year: a rate is what was done of what was
due (in per cent), a count is how many times. `records` gives, for one unit, the very records counted,
so that a score can link to them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from responsibility.letters.models.letters import Letter, LetterStatus, Signature, SignatureRole
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
    rows = (
        _letters_due(year)
        .order_by()
        .values("signer_unit_id")
        .annotate(due=Count("pk"), done=Count("pk", filter=Q(on_time=True)))
    )
    return {row["signer_unit_id"]: IndicatorValue(done=row["done"], due=row["due"]) for row in rows}


def letters_signed_on_time_records(unit_id: int, year: int) -> QuerySet[Letter]:
    return _letters_due(year).filter(signer_unit_id=unit_id).order_by("reference")


# --- Problems rectified on time -------------------------------------------------------------------


def _problems_due(year: int) -> QuerySet[Finding]:
    """The problems whose rectification was due in the year (its deadline as it stands)."""
    return Finding.objects.filter(rectification__deadline__year=year)


def _verified_on_time() -> Q:
    """Verified, on or before the deadline (a day of the local time zone)."""
    return Q(rectification__verified_at__date__lte=F("rectification__deadline"))


def problems_rectified_on_time(year: int) -> dict[int, IndicatorValue]:
    rows = (
        _problems_due(year)
        .order_by()
        .values("unit_id")
        .annotate(due=Count("pk"), done=Count("pk", filter=_verified_on_time()))
    )
    return {row["unit_id"]: IndicatorValue(done=row["done"], due=row["due"]) for row in rows}


def problems_rectified_on_time_records(unit_id: int, year: int) -> QuerySet[Finding]:
    return _problems_due(year).filter(unit_id=unit_id).order_by("rectification__deadline", "pk")


# --- 回头看 failures --------------------------------------------------------------------------------


def _recheck_failures(year: int) -> QuerySet[RecheckResult]:
    """Re-check results of the year that found 整改不到位 or 虚假整改 (the problem opened again)."""
    return RecheckResult.objects.filter(recorded_at__year=year, outcome__in=RECHECK_REOPENING_OUTCOMES)


def recheck_failures(year: int) -> dict[int, IndicatorValue]:
    rows = _recheck_failures(year).order_by().values("finding__unit_id").annotate(count=Count("pk"))
    return {row["finding__unit_id"]: IndicatorValue(count=row["count"]) for row in rows}


def recheck_failures_records(unit_id: int, year: int) -> QuerySet[RecheckResult]:
    return _recheck_failures(year).filter(finding__unit_id=unit_id).order_by("recorded_at", "pk")


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
