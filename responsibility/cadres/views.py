"""述责述廉 pages: the rounds and their reports, a report with its text, review, 民主测评 and history, and
the rater's ballot.

Lookups go through `integrity_report_list_visible_to` (a report the user may not see is a 404); actions
are decided by permissions.py (a refusal is a 403, before any input is read) and carried out by
services.py (its refusal is shown on the form).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.audit import event_history_rows
from core.errors import ApplicationError
from core.forms import VersionForm
from core.http import form_data, form_status, form_submit, object_or_404, query_without_page
from core.sealed_reports import report_file_response, report_issue_tell
from responsibility.cadres.audit import cadre_event_describe
from responsibility.cadres.documents import integrity_report_document_issue
from responsibility.cadres.forms import BallotForm, RatingOpenForm, ReportForm, ReviewForm, RoundOpenForm
from responsibility.cadres.models import (
    CadreEventKind,
    Grade,
    IntegrityReportDocument,
    RatingStatus,
    ReportStatus,
)
from responsibility.cadres.permissions import (
    CadreAction,
    cadre_check_permission,
    cadre_reads_results,
    cadre_sees_voters,
    cadre_user_can,
    cadres_read_everything,
)
from responsibility.cadres.selectors import (
    ballot_of,
    cadre_event_list_of,
    integrity_report_list_visible_to,
    integrity_report_rows,
    rater_candidate_list_for,
    rating_turnout,
    report_round_list,
)
from responsibility.cadres.services import (
    ballot_cast,
    rating_close,
    rating_is_open,
    rating_open,
    rating_result_readable,
    rating_result_rows,
    report_review,
    report_round_open,
    report_save,
)

REPORTS_PER_PAGE = 50


def _report_url(pk: int, anchor: str = "") -> str:
    url = reverse("responsibility:integrity-report-detail", kwargs={"pk": pk})
    return f"{url}#{anchor}" if anchor else url


@login_required
def report_round_list_view(request):
    """The rounds, the selected one's reports the user may see, and (the office) opening a year's round."""
    user = request.user
    rounds = list(report_round_list())
    raw = request.GET.get("round", "")
    selected = next((r for r in rounds if str(r.pk) == raw), rounds[0] if rounds else None)
    page = None
    if selected is not None:
        visible = integrity_report_list_visible_to(user=user).filter(round=selected)
        page = Paginator(integrity_report_rows(reports=visible), REPORTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    can_open = cadre_user_can(user=user, action=CadreAction.OPEN_ROUND)
    form = None
    if can_open:
        form = RoundOpenForm(form_data(request), initial=RoundOpenForm.initial_for(clock.today().year))

        def save():
            round_ = report_round_open(
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                deadline=form.cleaned_data["deadline"],
                min_ballots=form.cleaned_data["min_ballots"],
                opened_by=user,
            )
            messages.success(
                request,
                _("%(title)s is open: %(count)d leaders are asked for their report.")
                % {"title": round_.title, "count": round_.reports.count()},
            )
            return redirect(f"{reverse('responsibility:report-round-list')}?round={round_.pk}")

        done = form_submit(form, save)
        if done is not None:
            return done
    elif request.method == "POST":
        cadre_check_permission(user=user, action=CadreAction.OPEN_ROUND)
    return render(
        request,
        "responsibility/cadres/rounds.html",
        {
            "rounds": rounds,
            "selected": selected,
            "reports": page.object_list if page is not None else [],
            "page_obj": page,
            "query_without_page": query_without_page(request),
            "reads_everything": cadres_read_everything(user),
            "form": form,
        },
        status=form_status(form) if form is not None else 200,
    )


def _report_page(
    request, pk: int, *, report_form=None, review_form=None, rating_form=None, status: int = 200
):
    user = request.user
    report = object_or_404(integrity_report_list_visible_to(user=user).filter(pk=pk))
    is_leader = report.leader_id == user.pk
    can_write = is_leader and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    can_review = report.status == ReportStatus.SUBMITTED and cadre_user_can(
        user=user, action=CadreAction.REVIEW
    )
    can_manage = cadre_user_can(user=user, action=CadreAction.MANAGE_RATING)
    can_open_rating = (
        can_manage
        and report.status == ReportStatus.ACCEPTED
        and (report.rating_status == RatingStatus.NOT_STARTED)
    )
    if can_write and report_form is None:
        report_form = ReportForm(
            initial={
                "version": report.version,
                "duties_text": report.duties_text,
                "integrity_text": report.integrity_text,
                "shortcomings_text": report.shortcomings_text,
            }
        )
    if can_review and review_form is None:
        review_form = ReviewForm(initial={"version": report.version})
    if can_open_rating and rating_form is None:
        candidates = list(rater_candidate_list_for(report=report))
        rating_form = RatingOpenForm(
            candidates=candidates,
            initial={
                "version": report.version,
                "raters": [candidate.pk for candidate in candidates],
                "closes_on": RatingOpenForm.default_closes_on(),
            },
        )
    reads_results = cadre_reads_results(user=user, report=report)
    turnout = None
    if report.rating_status != RatingStatus.NOT_STARTED and reads_results:
        turnout = rating_turnout(report=report)
    result_rows, comments, result_withheld = None, None, False
    if report.rating_status == RatingStatus.CLOSED and reads_results:
        if rating_result_readable(report):
            result = report.rating_result
            result_rows = rating_result_rows(items=report.round.rating_items, result=result)
            comments = sorted(result.comments)
        else:
            result_withheld = True
    my_ballot = ballot_of(report=report, rater=user)
    documents = (
        list(report.documents.select_related("issued_by").order_by("-version")) if reads_results else []
    )
    history = []
    if reads_results:
        events = cadre_event_list_of(subject=f"report:{report.pk}")
        if not cadre_sees_voters(user):
            events = events.exclude(kind=CadreEventKind.BALLOT_CAST)
        history = event_history_rows(
            events,
            describe=cadre_event_describe,
            status_labels={**dict(ReportStatus.choices), **dict(RatingStatus.choices)},
        )
    return render(
        request,
        "responsibility/cadres/report.html",
        {
            "report": report,
            "report_form": report_form if can_write else None,
            "review_form": review_form if can_review else None,
            "rating_form": rating_form if can_open_rating else None,
            "can_close_rating": can_manage and report.rating_status == RatingStatus.OPEN,
            "can_issue_document": can_manage and report.rating_status == RatingStatus.CLOSED,
            "documents": documents,
            "turnout": turnout,
            "result_rows": result_rows,
            "comments": comments,
            "result_withheld": result_withheld,
            "my_ballot": my_ballot,
            "ballot_open": my_ballot is not None and not my_ballot.spent and rating_is_open(report),
            "grades": Grade.choices,
            "history": history,
            # The rating's section: an accepted report's readers (not its raters), or who sees the turnout.
            "show_rating": (report.status == ReportStatus.ACCEPTED and my_ballot is None)
            or turnout is not None,
        },
        status=status,
    )


@login_required
def integrity_report_detail_view(request, pk: int):
    return _report_page(request, pk)


def _visible_report(request, pk: int):
    return object_or_404(integrity_report_list_visible_to(user=request.user).filter(pk=pk))


@login_required
@require_POST
def integrity_report_save_view(request, pk: int):
    report = _visible_report(request, pk)
    cadre_check_permission(user=request.user, action=CadreAction.WRITE, report=report)
    form = ReportForm(request.POST)
    submit = "submit" in request.POST

    def save():
        report_save(
            report=report,
            saved_by=request.user,
            text=form.report_text(),
            submit=submit,
            expected_version=form.cleaned_data["version"],
        )
        if submit:
            messages.success(request, _("Your report was submitted to the discipline inspection team."))
        else:
            messages.success(request, _("Your report was saved. Submit it when it is complete."))
        return redirect(_report_url(report.pk))

    return form_submit(form, save) or _report_page(request, pk, report_form=form, status=400)


@login_required
@require_POST
def integrity_report_review_view(request, pk: int):
    report = _visible_report(request, pk)
    cadre_check_permission(user=request.user, action=CadreAction.REVIEW, report=report)
    form = ReviewForm(request.POST)

    def save():
        report_review(
            report=report,
            reviewed_by=request.user,
            accept=form.accept,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        if form.accept:
            messages.success(request, _("The report was accepted."))
        else:
            messages.success(request, _("The report was returned to its author with your reason."))
        return redirect(_report_url(report.pk))

    return form_submit(form, save) or _report_page(request, pk, review_form=form, status=400)


@login_required
@require_POST
def rating_open_view(request, pk: int):
    report = _visible_report(request, pk)
    cadre_check_permission(user=request.user, action=CadreAction.MANAGE_RATING)
    form = RatingOpenForm(request.POST, candidates=list(rater_candidate_list_for(report=report)))

    def save():
        opened = rating_open(
            report=report,
            opened_by=request.user,
            raters=list(form.cleaned_data["raters"]),
            closes_on=form.cleaned_data["closes_on"],
            expected_version=form.cleaned_data["version"],
        )
        messages.success(
            request,
            _("民主测评 is open until %(date)s: each rater finds their ballot on their to-do page.")
            % {"date": opened.rating_closes_on.isoformat()},
        )
        return redirect(_report_url(report.pk, "rating"))

    return form_submit(form, save) or _report_page(request, pk, rating_form=form, status=400)


@login_required
@require_POST
def rating_close_view(request, pk: int):
    report = _visible_report(request, pk)
    cadre_check_permission(user=request.user, action=CadreAction.MANAGE_RATING)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This page is out of date. Reload it and try again."))
        return redirect(_report_url(report.pk, "rating"))
    try:
        rating_close(report=report, closed_by=request.user, expected_version=form.cleaned_data["version"])
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("民主测评 is closed."))
    return redirect(_report_url(report.pk, "rating"))


@login_required
def ballot_view(request, pk: int):
    """The rater's ballot: the accepted report to read, a grade per item and an optional comment."""
    report = _visible_report(request, pk)
    ballot = ballot_of(report=report, rater=request.user)
    if ballot is None:
        raise Http404
    if ballot.spent:
        messages.info(request, _("You have already cast your ballot on this leader. Thank you."))
        return redirect("responsibility:todo")
    if not rating_is_open(report):
        messages.error(request, _("The rating is closed: ballots are no longer taken."))
        return redirect("responsibility:todo")
    form = BallotForm(form_data(request), items=report.round.rating_items)

    def save():
        ballot_cast(
            report=report, rater=request.user, grades=form.grades(), comment=form.cleaned_data["comment"]
        )
        messages.success(
            request, _("Your ballot was cast. Nobody, administrators included, can tell what you voted.")
        )
        return redirect("responsibility:todo")

    return form_submit(form, save) or render(
        request,
        "responsibility/cadres/ballot.html",
        {"report": report, "form": form},
        status=form_status(form),
    )


@login_required
@require_POST
def integrity_report_document_issue_view(request, pk: int):
    """出具述责述廉报告: seal and archive the report with its results as its next version."""
    report = _visible_report(request, pk)
    try:
        result = integrity_report_document_issue(
            report=report, issued_by=request.user
        )  # PermissionDenied: 403
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect(_report_url(report.pk, "documents"))
    report_issue_tell(
        request,
        result,
        issued=_("Version %(version)d of the sealed report was issued. Its verification code is %(code)s."),
    )
    return redirect(_report_url(report.pk, "documents"))


@login_required
def integrity_report_document_view(request, pk: int, version: int):
    """A sealed version: the stored bytes, as sealed (never rendered again)."""
    report = _visible_report(request, pk)
    if not cadre_reads_results(user=request.user, report=report):
        raise Http404
    document = get_object_or_404(IntegrityReportDocument.objects.filter(report=report), version=version)
    response = report_file_response(
        request,
        document,
        download_name=_("述责述廉_%(year)s_%(leader)s_version %(version)d.pdf")
        % {"year": report.round.year, "leader": report.leader.get_full_name(), "version": document.version},
        fallback_name=f"integrity-report-{report.round.year}-{report.pk}-v{document.version}.pdf",
    )
    return response or redirect(_report_url(report.pk, "documents"))
