"""一岗双责 pages: the year's assignments and their progress, one leader's assignment with its tasks,
periods, performance records (履责纪实) and history, and every action on them: generate, adjust,
confirm, add or withdraw a task, keep a record, review it, hand the post over, issue the year-end report
(sealed, one version after another) and download it, or its unsealed working draft.

Lookups go through `duty_assignment_list_visible_to` (an invisible assignment, task, period or record is
a 404); actions are decided by permissions.py (a refusal is a 403, before any input is read) and carried
out by services/duties.py (its refusal is shown on the form or as a message).
"""

import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.selectors import org_unit_list_active
from core import clock
from core.audit import event_history_rows
from core.deadlines import TrafficLight
from core.errors import ApplicationError
from core.forms import VersionForm
from core.http import as_attachment, form_data, form_files, form_status, form_submit, query_without_page
from core.sealed_reports import report_file_response, report_issue_tell
from responsibility.duties.audit import duty_event_describe
from responsibility.duties.forms import (
    AssignmentForm,
    GenerateForm,
    HandoverForm,
    RecordForm,
    ReviewForm,
    TaskForm,
    WithdrawForm,
)
from responsibility.duties.models import (
    AssignmentStatus,
    DutyAssignment,
    DutyTask,
    ReviewStatus,
)
from responsibility.duties.permissions import (
    DutyAction,
    duty_check_permission,
    duty_reads_everything,
    duty_user_can,
    occurrence_check_permission,
    occurrence_user_can,
    talks_read_everything,
)
from responsibility.duties.selectors import (
    duty_assignment_list_of_unit,
    duty_assignment_list_visible_to,
    duty_assignment_list_with_records,
    duty_event_list_of,
    duty_leader_letter,
    duty_progress_by_unit,
    duty_progress_counts,
    duty_report_document_list_of,
    duty_task_list_visible_to,
    duty_unit_list_of_posts,
    duty_units_of,
    letter_clause_list_of,
    occurrence_list_visible_to,
    performance_record_list_visible_to,
    post_handover_list_of,
)
from responsibility.duties.services.assignments import (
    duty_assignment_confirm,
    duty_assignment_update,
    duty_assignments_generate,
    duty_task_create,
    duty_task_withdraw,
    performance_record_create,
    performance_record_review,
    post_handover,
)
from responsibility.duties.services.reports import duty_report_issue
from responsibility.duties.timeliness import period_completion

logger = logging.getLogger(__name__)

ASSIGNMENTS_PER_PAGE = 50
UNITS_PER_PAGE = 50  # rows of the per-unit summary
# An assignment's page shows the open periods and the done ones due within this many days (a quarterly task's
# last quarter); the earlier done periods of a task are counted, and shown on asking.
RECENT_DONE_DAYS = 90
# How many skipped posts the message after generating names one by one; the rest are counted.
SKIPPED_NAMED = 10


def _visible_assignment(request, pk: int, queryset=None) -> DutyAssignment:
    """The assignment, if the user may see it; otherwise 404."""
    if queryset is None:
        queryset = duty_assignment_list_visible_to(user=request.user)
    return get_object_or_404(queryset, pk=pk)


def _detail(assignment_id: int, anchor: str = ""):
    url = reverse("responsibility:duty-detail", args=[assignment_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


# --- Progress figures -------------------------------------------------------------------------------


def _worst_light(row) -> TrafficLight | None:
    """The worst light among a leader's periods: red if any is overdue, yellow if any is due soon."""
    if not row.periods_total:
        return None
    if row.periods_overdue:
        return TrafficLight.RED
    if row.periods_due_soon:
        return TrafficLight.YELLOW
    if row.periods_done < row.periods_total:
        return TrafficLight.GREEN
    return TrafficLight.DONE


# --- The list --------------------------------------------------------------------------------------


@login_required
def duty_list_view(request):
    user = request.user
    today = clock.today()
    visible = duty_assignment_list_visible_to(user=user)
    years = sorted(
        set(visible.order_by().values_list("year", flat=True).distinct()) | {today.year}, reverse=True
    )
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() and int(raw_year) in years else today.year
    of_year = visible.filter(year=year)

    units = duty_units_of(assignments=of_year)
    raw_unit = request.GET.get("unit", "")
    unit = next((candidate for candidate in units if str(candidate.pk) == raw_unit), None)
    selected = of_year
    if unit is not None:
        selected = duty_assignment_list_of_unit(assignments=selected, unit=unit)

    # The page is counted and cut on the assignments alone; only its rows' periods are then counted, so a
    # page costs the same whatever the number of periods behind the other pages.
    ordered = selected.order_by("post__unit__sort_order", "post__sort_order", "pk")
    page = Paginator(ordered.values_list("pk", flat=True), ASSIGNMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(
        ordered.filter(pk__in=list(page.object_list))
        .annotate(**duty_progress_counts(today=today))
        .prefetch_related("oversees")
    )
    for row in rows:
        row.worst_light = _worst_light(row)

    reads_everything = duty_reads_everything(user)
    by_unit, units_page = [], None
    if reads_everything and rows:
        # The per-unit summary is paged too (its own page number, the filters kept).
        units_page = Paginator(duty_unit_list_of_posts(assignments=selected), UNITS_PER_PAGE).get_page(
            request.GET.get("units_page")
        )
        unit_ids = [unit["post__unit_id"] for unit in units_page.object_list]
        by_unit = duty_progress_by_unit(assignments=selected, today=today, unit_ids=unit_ids)

    can_generate = duty_user_can(user=user, action=DutyAction.GENERATE)
    return render(
        request,
        "responsibility/duties/list.html",
        {
            "assignments": rows,
            "page_obj": page,
            "query_without_page": query_without_page(request),
            "units_page": units_page,
            "query_without_units_page": query_without_page(request, "units_page"),
            "years": years,
            "year": year,
            "units": units,
            "unit": unit,
            "by_unit": by_unit,
            "reads_everything": reads_everything,
            "can_generate": can_generate,
            "generate_form": GenerateForm(initial={"year": year}) if can_generate else None,
            "today": today,
        },
    )


@login_required
@require_POST
def duty_generate_view(request):
    duty_check_permission(user=request.user, action=DutyAction.GENERATE)  # 403 before the input is read
    form = GenerateForm(request.POST)
    list_url = reverse("responsibility:duty-list")
    if not form.is_valid():
        messages.error(request, _("Nothing was generated: enter a year between 2000 and 2100."))
        return redirect(list_url)
    year = form.cleaned_data["year"]
    try:
        result = duty_assignments_generate(year=year, generated_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d assignment generated for %(year)d, with the common tasks.",
                "%(count)d assignments generated for %(year)d, with the common tasks.",
                len(result.created),
            )
            % {"count": len(result.created), "year": year},
        )
        if result.skipped:
            named = "；".join(f"{post}（{reason}）" for post, reason in result.skipped[:SKIPPED_NAMED])
            more = len(result.skipped) - SKIPPED_NAMED
            if more > 0:
                named += "；" + ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more}
            messages.info(
                request,
                ngettext(
                    "%(count)d post skipped: %(posts)s",
                    "%(count)d posts skipped: %(posts)s",
                    len(result.skipped),
                )
                % {"count": len(result.skipped), "posts": named},
            )
    return redirect(f"{list_url}?year={year}")


# --- One assignment --------------------------------------------------------------------------------


def _assignment_for_page(request, pk: int, *, done_since) -> DutyAssignment:
    """The assignment with everything its page shows, read in a fixed number of queries."""
    return _visible_assignment(
        request,
        pk,
        duty_assignment_list_with_records(
            assignments=duty_assignment_list_visible_to(user=request.user), done_since=done_since
        ),
    )


def _withdraw_form(task: DutyTask, data=None) -> WithdrawForm:
    # One form per task on the page: its own ids.
    return WithdrawForm(data, auto_id=f"id_withdraw_{task.pk}_%s")


def _history(assignment: DutyAssignment) -> list[dict]:
    """The assignment's audit events, oldest first, with the states by their names and as sentences."""
    return event_history_rows(
        duty_event_list_of(assignment=assignment),
        describe=duty_event_describe,
        status_labels={**dict(AssignmentStatus.choices), **dict(ReviewStatus.choices)},
    )


def _duty_page(request, pk: int, *, status: int = 200, withdraw_form: tuple[int, WithdrawForm] | None = None):
    """The assignment's page; `withdraw_form` is (task id, the form sent back with its errors)."""
    user = request.user
    today = clock.today()
    # The open periods and those due lately; a task's earlier done periods on asking (`?periods=all`).
    all_periods = request.GET.get("periods") == "all"
    done_since = None if all_periods else today - datetime.timedelta(days=RECENT_DONE_DAYS)
    assignment = _assignment_for_page(request, pk, done_since=done_since)
    can_edit = duty_user_can(user=user, action=DutyAction.EDIT, assignment=assignment)
    tasks = []
    for task in assignment.tasks.all():
        withdrawn = task.is_withdrawn
        periods = []
        has_records = False
        for occurrence in task.occurrences.all():
            records = []
            for record in occurrence.records.all():
                has_records = True
                records.append(
                    {
                        "record": record,
                        "can_review": record.review_status == ReviewStatus.PENDING
                        and occurrence_user_can(user=user, action=DutyAction.REVIEW, occurrence=occurrence),
                    }
                )
            periods.append(
                {
                    "occurrence": occurrence,
                    "light": None if withdrawn else occurrence.light(today),
                    "completion": period_completion(occurrence=occurrence, records=occurrence.records.all()),
                    "can_record": not withdrawn
                    and occurrence_user_can(user=user, action=DutyAction.RECORD, occurrence=occurrence),
                    "records": records,
                }
            )
        earlier_done = getattr(task, "earlier_done", 0)
        has_records = has_records or earlier_done > 0  # a done period has a standing record
        can_withdraw = can_edit and not withdrawn and not has_records
        form = None
        if can_withdraw:
            sent_back = withdraw_form is not None and withdraw_form[0] == task.pk
            form = withdraw_form[1] if sent_back else _withdraw_form(task)
        tasks.append(
            {
                "task": task,
                "periods": periods,
                "earlier_done": earlier_done,
                "can_withdraw": can_withdraw,
                "withdraw_form": form,
            }
        )
    handovers = post_handover_list_of(assignment=assignment)
    return render(
        request,
        "responsibility/duties/detail.html",
        {
            "assignment": assignment,
            "tasks": tasks,
            "handovers": handovers,
            "history": _history(assignment),
            "can_edit": can_edit,
            "can_confirm": assignment.status == AssignmentStatus.DRAFT
            and duty_user_can(user=user, action=DutyAction.CONFIRM, assignment=assignment),
            "can_handover": duty_user_can(user=user, action=DutyAction.HANDOVER),
            "can_download_report": True,  # everyone who can see the assignment
            "can_issue_report": duty_user_can(
                user=user, action=DutyAction.ISSUE_REPORT, assignment=assignment
            ),
            "reports": list(duty_report_document_list_of(assignment=assignment)),
            "can_read_talks": talks_read_everything(user),  # a record kept by a talk links to it
            "all_periods": all_periods,
            "today": today,
        },
        status=status,
    )


@login_required
def duty_detail_view(request, pk: int):
    return _duty_page(request, pk)


@login_required
def duty_update_view(request, pk: int):
    assignment = _visible_assignment(request, pk)
    duty_check_permission(user=request.user, action=DutyAction.EDIT, assignment=assignment)
    letter = duty_leader_letter(post=assignment.post, holder_id=assignment.leader_id, year=assignment.year)
    form_kwargs = {
        "units": org_unit_list_active().select_related("parent").order_by("sort_order", "code"),
        "clauses": letter_clause_list_of(letter=letter),
    }
    initial = {
        "business_areas": assignment.business_areas,
        "integrity_duties": assignment.integrity_duties,
        "oversees": list(assignment.oversees.all()),
        "clauses": list(assignment.clauses.all()),
        "version": assignment.version,
    }
    form = AssignmentForm(form_data(request), initial=initial, **form_kwargs)

    def save():
        # A stale edit is refused above the form: the input stays on the page; nothing was saved.
        duty_assignment_update(
            assignment=assignment,
            data=form.assignment_input(),
            updated_by=request.user,
            expected_version=form.cleaned_data["version"],
        )
        messages.success(request, _("The assignment was saved. It now awaits the leader's confirmation."))
        return _detail(assignment.pk)

    return form_submit(form, save) or render(
        request,
        "responsibility/duties/form.html",
        {"form": form, "assignment": assignment, "letter": letter},
        status=form_status(form),
    )


@login_required
@require_POST
def duty_confirm_view(request, pk: int):
    assignment = _visible_assignment(request, pk)
    duty_check_permission(user=request.user, action=DutyAction.CONFIRM, assignment=assignment)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This page is out of date. Reload it and try again."))
        return _detail(assignment.pk)
    try:
        duty_assignment_confirm(
            assignment=assignment, confirmed_by=request.user, expected_version=form.cleaned_data["version"]
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You confirmed your duty assignment for %(year)d.") % {"year": assignment.year}
        )
    return _detail(assignment.pk)


# --- Tasks -----------------------------------------------------------------------------------------


@login_required
def duty_task_create_view(request, pk: int):
    assignment = _visible_assignment(request, pk)
    duty_check_permission(user=request.user, action=DutyAction.EDIT, assignment=assignment)
    clauses = assignment.clauses.select_related("letter").order_by("letter", "number")
    form = TaskForm(form_data(request), clauses=clauses)

    def save():  # a RecurrenceRefused is a refusal like any other: nothing was created
        task = duty_task_create(assignment=assignment, data=form.task_input(), created_by=request.user)
        count = task.occurrences.count()
        messages.success(
            request,
            ngettext(
                "Task “%(title)s” added with %(count)d period this year.",
                "Task “%(title)s” added with %(count)d periods this year.",
                count,
            )
            % {"title": task.title, "count": count},
        )
        return _detail(assignment.pk, f"task-{task.pk}")

    return form_submit(form, save) or render(
        request,
        "responsibility/duties/task_form.html",
        {"form": form, "assignment": assignment},
        status=form_status(form),
    )


@login_required
@require_POST
def duty_task_withdraw_view(request, pk: int):
    """Withdraw a task with a reason; without one, the page comes back with the reason asked for."""
    task = get_object_or_404(duty_task_list_visible_to(user=request.user), pk=pk)
    duty_check_permission(user=request.user, action=DutyAction.EDIT, assignment=task.assignment)  # 403 first
    form = _withdraw_form(task, request.POST)
    if form.is_valid():
        try:
            duty_task_withdraw(task=task, withdrawn_by=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            if error.code != "reason":  # the task moved on: say so above the page
                messages.error(request, str(error))
                return _detail(task.assignment_id, f"task-{task.pk}")
            form.add_error("reason", str(error))
        else:
            messages.success(
                request,
                _("Task “%(title)s” withdrawn. It stays on record with your reason.") % {"title": task.title},
            )
            return _detail(task.assignment_id, f"task-{task.pk}")
    messages.error(request, _("The task was not withdrawn: give the reason."))
    return _duty_page(request, task.assignment_id, status=400, withdraw_form=(task.pk, form))


# --- Performance records -----------------------------------------------------------------------------


@login_required
def performance_record_create_view(request, pk: int):
    occurrence = get_object_or_404(occurrence_list_visible_to(user=request.user), pk=pk)
    # Recording is personal: refused (403) before the input is read.
    occurrence_check_permission(user=request.user, action=DutyAction.RECORD, occurrence=occurrence)
    assignment = occurrence.task.assignment
    form = RecordForm(
        form_data(request), form_files(request), initial={"performed_on": RecordForm.default_date()}
    )

    def save():
        performance_record_create(occurrence=occurrence, data=form.record_input(), recorded_by=request.user)
        messages.success(
            request,
            _("Your record for “%(task)s”, period %(sequence)d, was kept. It awaits review.")
            % {"task": occurrence.task.title, "sequence": occurrence.sequence},
        )
        return _detail(assignment.pk, f"occurrence-{occurrence.pk}")

    return form_submit(form, save) or render(
        request,
        "responsibility/duties/record_form.html",
        {
            "form": form,
            "occurrence": occurrence,
            "assignment": assignment,
            "light": occurrence.light(clock.today()),
        },
        status=form_status(form),
    )


@login_required
@require_POST
def performance_record_review_view(request, pk: int):
    record = get_object_or_404(performance_record_list_visible_to(user=request.user), pk=pk)
    occurrence_check_permission(user=request.user, action=DutyAction.REVIEW, occurrence=record.occurrence)
    assignment_id = record.occurrence.task.assignment_id
    anchor = f"record-{record.pk}"
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: choose to accept or to return the record."))
        if "version" in form.errors:
            messages.error(request, _("This page is out of date. Reload it and try again."))
        return _detail(assignment_id, anchor)
    try:
        performance_record_review(
            record=record,
            reviewed_by=request.user,
            accept=form.accept,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        if form.accept:
            messages.success(request, _("The record was accepted."))
        else:
            messages.success(request, _("The record was returned to its author with your reason."))
    return _detail(assignment_id, anchor)


# --- Handover -------------------------------------------------------------------------------------


@login_required
def post_handover_view(request, pk: int):
    assignment = _visible_assignment(
        request, pk, duty_assignment_list_visible_to(user=request.user).select_related("post__holder")
    )
    duty_check_permission(user=request.user, action=DutyAction.HANDOVER)
    post = assignment.post
    form = HandoverForm(
        form_data(request),
        current_holder_id=post.holder_id,
        initial={"handed_over_on": HandoverForm.default_date()},
    )

    def save():
        handover = post_handover(
            post=post,
            new_holder=form.cleaned_data["new_holder"],
            handed_over_on=form.cleaned_data["handed_over_on"],
            handed_over_by=request.user,
        )
        messages.success(
            request,
            ngettext(
                "%(name)s now holds %(post)s: %(count)d open task period moved to them.",
                "%(name)s now holds %(post)s: %(count)d open task periods moved to them.",
                handover.occurrences_moved,
            )
            % {
                "name": handover.new_holder.get_full_name(),
                "post": str(post),
                "count": handover.occurrences_moved,
            },
        )
        # A sentence of its own: joined to the one above it would read badly in Chinese.
        if handover.new_letter is not None:
            messages.info(
                request,
                _("Letter %(reference)s was issued to them to sign.")
                % {"reference": handover.new_letter.reference},
            )
        else:
            messages.info(
                request, _("No new letter was issued (no open campaign letter of the post this year).")
            )
        return _detail(assignment.pk)

    return form_submit(form, save) or render(
        request,
        "responsibility/duties/handover_form.html",
        {"form": form, "assignment": assignment, "post": post},
        status=form_status(form),
    )


# --- The year-end report --------------------------------------------------------------------------


@login_required
def duty_report_view(request, pk: int):
    """履责报告工作稿: the leader's year as an unsealed PDF, made from the records now, for checking before
    the report is issued (anyone who can see the assignment may download it)."""
    assignment = _visible_assignment(request, pk)
    # Loaded on use: WeasyPrint is heavy, and no other page needs it.
    from responsibility.duties.pdf import DutyReportRenderError, duty_report_render

    try:
        pdf = duty_report_render(assignment=assignment)
    except DutyReportRenderError:
        logger.exception("The year-end report of duty assignment %s could not be made", assignment.pk)
        messages.error(request, _("The report could not be made. Please try again later."))
        return _detail(assignment.pk)
    leader = assignment.leader.get_full_name()
    download_name = _("Performance report_%(year)s_%(leader)s_working draft.pdf") % {
        "year": assignment.year,
        "leader": leader,
    }
    fallback_name = f"duty-report-{assignment.year}-{assignment.pk}-draft.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    return as_attachment(response, download_name=download_name, fallback_name=fallback_name)


@login_required
@require_POST
def duty_report_issue_view(request, pk: int):
    """出具年度履职报告: seal and archive the report as its next version (the service decides who may)."""
    assignment = _visible_assignment(request, pk)
    try:
        result = duty_report_issue(assignment=assignment, issued_by=request.user)  # PermissionDenied → 403
    except ApplicationError as error:
        messages.error(request, str(error))
        return _detail(assignment.pk, "reports")
    report_issue_tell(
        request,
        result,
        issued=_(
            "Version %(version)d of the year-end duty report was issued and sealed. "
            "Its verification code is %(code)s."
        ),
    )
    return _detail(assignment.pk, "reports")


@login_required
def duty_report_document_view(request, pk: int, version: int):
    """A sealed version of the year-end report: the stored bytes, as sealed (never rendered again)."""
    assignment = _visible_assignment(request, pk)
    document = get_object_or_404(duty_report_document_list_of(assignment=assignment), version=version)
    response = report_file_response(
        request,
        document,
        download_name=_("Year-end duty report_%(year)s_%(leader)s_version %(version)d.pdf")
        % {"year": assignment.year, "leader": assignment.leader.get_full_name(), "version": document.version},
        fallback_name=f"duty-report-{assignment.year}-{assignment.pk}-v{document.version}.pdf",
    )
    return response or _detail(assignment.pk, "reports")
