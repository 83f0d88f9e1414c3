"""Every change to 述责述廉 and its 民主测评: open the round, write and submit a report, review it, name the
raters and open the rating, cast a ballot, close the rating.

Each appends its `CadreEvent` to the 述责述廉 chain in the same transaction. A ballot's event says only
that its rater cast it; what it said is added into the report's `RatingResult`, which names nobody.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import event_digest, person_payload
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.cadres.audit import cadre_event_record, cadre_events_append
from responsibility.cadres.models import (
    DEFAULT_RATING_ITEMS,
    CadreEvent,
    CadreEventKind,
    Grade,
    IntegrityReport,
    RatingBallot,
    RatingResult,
    RatingStatus,
    ReportRound,
    ReportStatus,
)
from responsibility.cadres.permissions import CadreAction, cadre_check_permission
from responsibility.cadres.prefill import report_prefill
from responsibility.cadres.reminder_sources import IntegrityReportDueSource, RatingBallotOpenSource
from responsibility.cadres.selectors import rater_candidate_list_for
from responsibility.duties.models import DutyAssignment
from responsibility.reminders.services import reminders_close_done

MAX_REASON_LENGTH = 1000
MAX_COMMENT_LENGTH = 500
MAX_RATING_DAYS = 60
TEXT_LIMITS = {"duties_text": 8000, "integrity_text": 8000, "shortcomings_text": 4000}


def _report_payload(report: IntegrityReport) -> dict:
    return {"round": report.round_id, "leader": person_payload(report.leader)}


def report_text_digest(report: IntegrityReport) -> str:
    """SHA-256 of the report's text as it stands, canonical JSON of its three parts."""
    return event_digest({name: getattr(report, name) for name in TEXT_LIMITS})


def rating_result_digest(result: RatingResult) -> str:
    """SHA-256 of a result: its tallies and its comments sorted (their order says nothing)."""
    return event_digest(
        {"tallies": result.tallies, "comments": sorted(result.comments), "ballots": result.ballots}
    )


@transaction.atomic
def report_round_open(
    *, year: int, title: str, deadline: datetime.date, min_ballots: int, opened_by
) -> ReportRound:
    """Open the year's 述责述廉: a draft report for every leader with a duty assignment that year."""
    cadre_check_permission(user=opened_by, action=CadreAction.OPEN_ROUND)
    if ReportRound.objects.filter(year=year).exists():
        raise ApplicationError(_("The round for %(year)d is already open.") % {"year": year}, code="year")
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Give the round a title."), code="title")
    if deadline < clock.today():
        raise ApplicationError(_("The deadline cannot be in the past."), code="deadline")
    if not 1 <= min_ballots <= 100:
        raise ApplicationError(
            _("The minimum number of ballots must be between 1 and 100."), code="min_ballots"
        )
    assignments = list(
        DutyAssignment.objects.filter(year=year).select_related("leader", "post").prefetch_related("oversees")
    )
    if not assignments:
        raise ApplicationError(
            _("There is no duty assignment for %(year)d: generate the year's assignments first.")
            % {"year": year},
            code="year",
        )
    round_ = ReportRound.objects.create(
        year=year,
        title=title,
        deadline=deadline,
        rating_items=list(DEFAULT_RATING_ITEMS),
        min_ballots=min_ballots,
        opened_by=opened_by,
    )
    IntegrityReport.objects.bulk_create(
        [
            IntegrityReport(
                round=round_,
                assignment=assignment,
                leader=assignment.leader,
                duties_text=report_prefill(assignment),
            )
            for assignment in assignments
        ]
    )
    cadre_event_record(
        subject=f"round:{round_.pk}",
        kind=CadreEventKind.ROUND_OPENED,
        actor=opened_by,
        payload={
            "year": year,
            "title": title,
            "deadline": deadline.isoformat(),
            "items": round_.rating_items,
            "min_ballots": min_ballots,
            "reports": len(assignments),
        },
    )
    return round_


@dataclass
class ReportText:
    duties_text: str
    integrity_text: str
    shortcomings_text: str


@transaction.atomic
def report_save(
    *, report: IntegrityReport, saved_by, text: ReportText, submit: bool, expected_version: int | None
) -> IntegrityReport:
    """The leader saves their report, and with `submit` hands it to the inspection team."""
    locked = row_lock(IntegrityReport.objects.select_related("leader"), pk=report.pk)
    cadre_check_permission(user=saved_by, action=CadreAction.WRITE, report=locked)
    stale_check(record=locked, expected_version=expected_version, what=_("report"))
    if locked.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ApplicationError(
            _("This report is %(status)s: it can no longer be changed.")
            % {"status": locked.get_status_display()},
            code="status",
        )
    for name, limit in TEXT_LIMITS.items():
        value = (getattr(text, name) or "").strip()
        if len(value) > limit:
            raise ApplicationError(
                _("A part of the report may be at most %(max)d characters.") % {"max": limit}
            )
        setattr(locked, name, value)
    if submit and not (locked.duties_text and locked.integrity_text):
        raise ApplicationError(
            _("Write how you carried out your responsibilities and how you kept clean before submitting."),
            code="empty",
        )
    previous = locked.status
    if submit:
        locked.status = ReportStatus.SUBMITTED
        locked.submitted_at = clock.now()
    locked.version += 1
    locked.save()
    if submit:
        reminders_close_done(object_keys=[IntegrityReportDueSource.object_key(locked.pk)])
    cadre_event_record(
        subject=f"report:{locked.pk}",
        kind=CadreEventKind.REPORT_SUBMITTED if submit else CadreEventKind.REPORT_SAVED,
        actor=saved_by,
        from_status=previous if submit else "",
        to_status=locked.status if submit else "",
        payload=_report_payload(locked),
        digest=report_text_digest(locked),
    )
    return locked


@transaction.atomic
def report_review(
    *, report: IntegrityReport, reviewed_by, accept: bool, reason: str = "", expected_version: int | None
) -> IntegrityReport:
    """The inspection team accepts a submitted report, or returns it with a reason."""
    cadre_check_permission(user=reviewed_by, action=CadreAction.REVIEW, report=report)
    locked = row_lock(IntegrityReport.objects.select_related("leader"), pk=report.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("report"))
    if locked.status != ReportStatus.SUBMITTED:
        raise ApplicationError(
            _("This report is %(status)s: there is nothing to review.")
            % {"status": locked.get_status_display()},
            code="status",
        )
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ApplicationError(_("Give the reason the report is returned."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}
        )
    previous = locked.status
    locked.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    locked.return_reason = "" if accept else reason
    locked.reviewed_by = reviewed_by
    locked.reviewed_at = clock.now()
    locked.version += 1
    locked.save()
    cadre_event_record(
        subject=f"report:{locked.pk}",
        kind=CadreEventKind.REPORT_ACCEPTED if accept else CadreEventKind.REPORT_RETURNED,
        actor=reviewed_by,
        from_status=previous,
        to_status=locked.status,
        note=locked.return_reason,
        payload=_report_payload(locked),
    )
    return locked


@transaction.atomic
def rating_open(
    *,
    report: IntegrityReport,
    opened_by,
    raters: list,
    closes_on: datetime.date,
    expected_version: int | None,
) -> IntegrityReport:
    """The office names the raters of an accepted report and opens its 民主测评 until `closes_on`: each rater
    gets one ballot."""
    cadre_check_permission(user=opened_by, action=CadreAction.MANAGE_RATING)
    locked = row_lock(IntegrityReport.objects.select_related("assignment__post", "round"), pk=report.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("report"))
    if locked.status != ReportStatus.ACCEPTED:
        raise ApplicationError(_("Only an accepted report is rated."), code="status")
    if locked.rating_status != RatingStatus.NOT_STARTED:
        raise ApplicationError(_("The rating of this report has already been opened."), code="rating")
    if not raters:
        raise ApplicationError(_("Name at least one rater."), code="raters")
    allowed = set(rater_candidate_list_for(report=locked).values_list("pk", flat=True))
    if any(rater.pk not in allowed for rater in raters):
        raise ApplicationError(
            _("Raters are people of the units the leader oversees, never the leader."), code="raters"
        )
    today = clock.today()
    if not today <= closes_on <= today + datetime.timedelta(days=MAX_RATING_DAYS):
        raise ApplicationError(
            _("The rating closes between today and %(days)d days from now.") % {"days": MAX_RATING_DAYS},
            code="closes_on",
        )
    RatingBallot.objects.bulk_create([RatingBallot(report=locked, rater=rater) for rater in raters])
    RatingResult.objects.create(
        report=locked, tallies=[{grade: 0 for grade in Grade.values} for _item in locked.round.rating_items]
    )
    locked.rating_status = RatingStatus.OPEN
    locked.rating_closes_on = closes_on
    locked.version += 1
    locked.save(update_fields=["rating_status", "rating_closes_on", "version"])
    cadre_event_record(
        subject=f"report:{locked.pk}",
        kind=CadreEventKind.RATING_OPENED,
        actor=opened_by,
        from_status=RatingStatus.NOT_STARTED,
        to_status=RatingStatus.OPEN,
        payload={"raters": len(raters), "closes_on": closes_on.isoformat()},
    )
    return locked


def rating_is_open(report: IntegrityReport, *, today: datetime.date | None = None) -> bool:
    """Ballots are cast while the rating is open, until the end of its closing day."""
    today = today or clock.today()
    return report.rating_status == RatingStatus.OPEN and today <= report.rating_closes_on


@transaction.atomic
def ballot_cast(*, report: IntegrityReport, rater, grades: list[str], comment: str = "") -> None:
    """The rater's one ballot: a grade per item and an optional comment, added into the report's result.
    Nothing links the rater to it: their ballot is only marked spent."""
    ballot = RatingBallot.objects.select_for_update().filter(report_id=report.pk, rater_id=rater.pk).first()
    if ballot is None:
        raise PermissionDenied(_("You were not named to rate this leader."))
    if ballot.spent:
        raise ApplicationError(_("You have already cast your ballot on this leader."), code="spent")
    # The result's lock first, then the report as it stands: a rating closed meanwhile refuses the ballot.
    result = row_lock(RatingResult, report_id=report.pk)
    locked = IntegrityReport.objects.select_related("round").get(pk=report.pk)
    if not rating_is_open(locked):
        raise ApplicationError(_("The rating is closed: ballots are no longer taken."), code="closed")
    items = locked.round.rating_items
    if len(grades) != len(items) or any(grade not in Grade.values for grade in grades):
        raise ApplicationError(_("Rate every item: good, fairly good, fair or poor."), code="grades")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ApplicationError(
            _("The comment may be at most %(max)d characters.") % {"max": MAX_COMMENT_LENGTH}, code="comment"
        )
    for tally, grade in zip(result.tallies, grades, strict=True):
        tally[grade] += 1
    if comment:  # at a random place: the order of the comments says nothing of who wrote which
        result.comments.insert(secrets.randbelow(len(result.comments) + 1), comment)
    result.ballots += 1
    result.save(update_fields=["tallies", "comments", "ballots"])
    ballot.spent = True
    ballot.save(update_fields=["spent"])
    reminders_close_done(object_keys=[RatingBallotOpenSource.object_key(locked.pk)])
    cadre_events_append(
        events=[CadreEvent(subject=f"report:{locked.pk}", kind=CadreEventKind.BALLOT_CAST, actor=rater)]
    )


@transaction.atomic
def rating_close(*, report: IntegrityReport, closed_by, expected_version: int | None) -> IntegrityReport:
    """The office closes the rating (on or before its closing day): the result is final, and shown once it
    holds at least the round's minimum number of ballots."""
    cadre_check_permission(user=closed_by, action=CadreAction.MANAGE_RATING)
    locked = row_lock(IntegrityReport, pk=report.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("report"))
    if locked.rating_status != RatingStatus.OPEN:
        raise ApplicationError(_("The rating of this report is not open."), code="rating")
    result = row_lock(RatingResult, report_id=locked.pk)
    locked.rating_status = RatingStatus.CLOSED
    locked.version += 1
    locked.save(update_fields=["rating_status", "version"])
    reminders_close_done(object_keys=[RatingBallotOpenSource.object_key(locked.pk)])
    cadre_event_record(
        subject=f"report:{locked.pk}",
        kind=CadreEventKind.RATING_CLOSED,
        actor=closed_by,
        from_status=RatingStatus.OPEN,
        to_status=RatingStatus.CLOSED,
        payload={"ballots": result.ballots, "raters": locked.ballots.count()},
        digest=rating_result_digest(result),
    )
    return locked


@dataclass(frozen=True)
class ResultRow:
    """A rating item's counts, one per grade in Grade's order, and the share of 好 and 较好 (0–100)."""

    item: str
    counts: list[int]
    favourable: float


def rating_result_rows(*, items: list[str], result: RatingResult) -> list[ResultRow]:
    """The result's rows, item by item in the round's order (the page and the sealed report show them)."""
    rows = []
    for name, tally in zip(items, result.tallies, strict=True):
        counts = [tally.get(grade, 0) for grade in Grade.values]
        share = (tally.get(Grade.GOOD, 0) + tally.get(Grade.FAIRLY_GOOD, 0)) * 100 / (sum(counts) or 1)
        rows.append(ResultRow(item=name, counts=counts, favourable=share))
    return rows


def rating_result_readable(report: IntegrityReport) -> bool:
    """The result is shown once the rating closed with at least the round's minimum number of ballots."""
    if report.rating_status != RatingStatus.CLOSED:
        return False
    try:
        result = report.rating_result  # read with the report when selected with it
    except RatingResult.DoesNotExist:
        return False
    return result.ballots >= report.round.min_ballots
