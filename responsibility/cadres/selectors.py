"""述责述廉, 廉政档案 and 廉政意见回复 reads: rounds, reports, raters and ballots, files, access requests,
openings and replies, filtered by who may see them."""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q, QuerySet

from accounts.models import Post
from accounts.org_tree import org_tree
from core import clock
from responsibility.cadres.models import (
    AccessStatus,
    CadreEvent,
    CadreEventKind,
    FileAccessRequest,
    IntegrityOpinion,
    IntegrityReport,
    RatingBallot,
    RatingStatus,
    ReportRound,
    ReportStatus,
)
from responsibility.cadres.permissions import cadres_read_everything, files_read_everything
from responsibility.cadres.posts_held import has_integrity_file
from responsibility.evidence.selectors import evidence_owner_register


def report_round_list() -> QuerySet[ReportRound]:
    return ReportRound.objects.order_by("-year")


def integrity_report_list_visible_to(*, user) -> QuerySet[IntegrityReport]:
    """Reports the user may open: every one for the Party Group, the inspection team and the office; else
    their own, and the accepted reports they were named to rate while the rating is open."""
    reports = IntegrityReport.objects.select_related("round", "leader", "assignment__post__unit")
    if not user.is_authenticated or not user.is_active:
        return reports.none()
    if cadres_read_everything(user):
        return reports
    rating = RatingBallot.objects.filter(rater=user, report__rating_status=RatingStatus.OPEN).values(
        "report_id"
    )
    return reports.filter(Q(leader=user) | Q(pk__in=rating))


def integrity_report_rows(*, reports: QuerySet[IntegrityReport]) -> QuerySet[IntegrityReport]:
    """The round page's rows: each report with how many raters were named and how many ballots cast."""
    return reports.annotate(
        raters=Count("ballots"), cast=Count("ballots", filter=Q(ballots__spent=True))
    ).order_by("assignment__post__unit__sort_order", "assignment__post__sort_order", "pk")


def integrity_report_list_to_write(*, user) -> QuerySet[IntegrityReport]:
    """The user's reports still to submit (their to-do), oldest round first."""
    if not user.is_authenticated or not user.is_active:
        return IntegrityReport.objects.none()
    return (
        IntegrityReport.objects.filter(leader=user, status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
        .select_related("round")
        .order_by("round__deadline", "pk")
    )


def integrity_report_list_to_review(*, user) -> QuerySet[IntegrityReport]:
    if not (user.is_authenticated and user.has_perm("responsibility.review_integrityreport")):
        return IntegrityReport.objects.none()
    return (
        IntegrityReport.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("round", "leader")
        .order_by("submitted_at", "pk")
    )


def ballot_list_open_for(*, user) -> QuerySet[RatingBallot]:
    """The ballots the user still has to cast (their to-do), soonest closing first."""
    if not user.is_authenticated or not user.is_active:
        return RatingBallot.objects.none()
    return (
        RatingBallot.objects.filter(rater=user, spent=False, report__rating_status=RatingStatus.OPEN)
        .select_related("report__leader", "report__round")
        .order_by("report__rating_closes_on", "pk")
    )


def rating_turnout(*, report: IntegrityReport) -> dict:
    """How many raters were named and how many cast their ballot: {"named", "cast"} (one query)."""
    return RatingBallot.objects.filter(report=report).aggregate(
        named=Count("pk"), cast=Count("pk", filter=Q(spent=True))
    )


def ballot_of(*, report: IntegrityReport, rater) -> RatingBallot | None:
    """The rater's ballot on the report, if they were named."""
    return RatingBallot.objects.filter(report=report, rater=rater).first()


def rater_candidate_list_for(*, report: IntegrityReport) -> QuerySet:
    """Whom the office may name to rate the leader: the holders of posts in the units the leader oversees
    (and below them), or in the leader's own unit when they oversee none; never the leader."""
    assignment = report.assignment
    units = set(assignment.oversees.values_list("pk", flat=True)) or {assignment.post.unit_id}
    holders = Post.objects.filter(holder__isnull=False, unit_id__in=org_tree().subtree(*units))
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=holders.values("holder_id"))
        .exclude(pk=report.leader_id)
        .order_by("full_name", "username")
    )


def cadre_event_list_of(*, subject: str) -> QuerySet[CadreEvent]:
    return CadreEvent.objects.filter(subject=subject).select_related("actor").order_by("sequence")


# --- 廉政档案 ----------------------------------------------------------------------------------------------


class FileBasis(StrEnum):
    """On what ground a file is read: one's own, the inspection team's, or an approved access request."""

    OWN = "own"
    TEAM = "team"
    ACCESS = "access"


@dataclass(frozen=True)
class FileReading:
    basis: FileBasis
    access_request: FileAccessRequest | None = None


def file_cadre_list(*, search: str = "") -> QuerySet:
    """The people with a file the inspection team looks through: every holder of a post, in the order of
    their units and posts; `search` finds a name, a post's title or a unit's name."""
    held = Post.objects.filter(holder__isnull=False)
    search = search.strip()
    if search:
        held = held.filter(
            Q(holder__full_name__icontains=search)
            | Q(title__icontains=search)
            | Q(unit__name__icontains=search)
        )
    return (
        get_user_model()
        .objects.filter(pk__in=held.values("holder_id"))
        .annotate(first_unit=Min("posts__unit__sort_order"), first_post=Min("posts__sort_order"))
        .order_by("first_unit", "first_post", "full_name", "pk")
    )


def file_cadre_get(*, pk: int):
    """The person whose file this is: anyone who holds or held a post (None for anyone else)."""
    person = get_user_model().objects.filter(pk=pk).first()
    if person is None or not has_integrity_file(person):
        return None
    return person


def integrity_file_reading(*, user, cadre, today: datetime.date | None = None) -> FileReading | None:
    """Whether, and on what ground, the user may read the cadre's file today (None: they may not)."""
    if not (user.is_authenticated and user.is_active):
        return None
    if cadre.pk == user.pk:
        return FileReading(FileBasis.OWN)
    if files_read_everything(user):
        return FileReading(FileBasis.TEAM)
    today = today or clock.today()
    granted = (
        FileAccessRequest.objects.filter(
            requester=user,
            cadre=cadre,
            status=AccessStatus.APPROVED,
            valid_from__lte=today,
            valid_until__gte=today,
        )
        .order_by("-valid_until", "-pk")
        .first()
    )
    return FileReading(FileBasis.ACCESS, granted) if granted is not None else None


def file_access_out_of_period(*, user, cadre) -> FileAccessRequest | None:
    """The user's latest approved request for the file (when it does not grant today: a clear refusal)."""
    return (
        FileAccessRequest.objects.filter(requester=user, cadre=cadre, status=AccessStatus.APPROVED)
        .order_by("-valid_until", "-pk")
        .first()
    )


def file_access_request_list_visible_to(*, user) -> QuerySet[FileAccessRequest]:
    """Requests the user may see: every one for those who decide them; else their own."""
    requests = FileAccessRequest.objects.select_related("cadre", "requester", "decided_by")
    if not (user.is_authenticated and user.is_active):
        return requests.none()
    if user.has_perm("responsibility.approve_fileaccessrequest"):
        return requests
    return requests.filter(requester=user)


def file_access_requests_pending(*, user) -> QuerySet[FileAccessRequest]:
    """Requests awaiting a decision, for those who decide them (their to-do), oldest first."""
    if not (
        user.is_authenticated and user.is_active and user.has_perm("responsibility.approve_fileaccessrequest")
    ):
        return FileAccessRequest.objects.none()
    return (
        FileAccessRequest.objects.filter(status=AccessStatus.PENDING)
        .exclude(requester=user)
        .select_related("cadre", "requester")
        .order_by("created_at", "pk")
    )


def file_opening_list(*, cadre_id: int | None = None) -> QuerySet[CadreEvent]:
    """Every opening of a file, newest first (the log the inspection team's head reads)."""
    openings = CadreEvent.objects.filter(kind=CadreEventKind.FILE_OPENED).select_related("actor")
    if cadre_id is not None:
        openings = openings.filter(subject=f"file:{cadre_id}")
    return openings.order_by("-sequence")


# --- 廉政意见回复 ------------------------------------------------------------------------------------------


def integrity_opinion_list_visible_to(*, user) -> QuerySet[IntegrityOpinion]:
    """Replies the user may open: every one for the inspection team; none for anyone else."""
    opinions = IntegrityOpinion.objects.select_related("cadre", "registered_by")
    if not (
        user.is_authenticated and user.is_active and user.has_perm("responsibility.view_integrityopinion")
    ):
        return opinions.none()
    return opinions


def _evidence_visible_through_the_file(*, user, evidence) -> bool:
    """A document of a 廉政档案 is downloaded only from its file's page, where each download is logged."""
    return False


evidence_owner_register("file_document", _evidence_visible_through_the_file)
