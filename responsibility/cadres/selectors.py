"""述责述廉 reads: rounds, reports, raters and ballots, filtered by who may see them."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from accounts.models import Post
from accounts.org_tree import org_tree
from responsibility.cadres.models import (
    CadreEvent,
    IntegrityReport,
    RatingBallot,
    RatingStatus,
    ReportRound,
    ReportStatus,
)
from responsibility.cadres.permissions import cadres_read_everything


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
