"""Problem list pages (问题清单): the lists of every source, opening and correcting a list of another source
than inspections, and recording its problems with their measures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import PostKind
from core import clock
from core.audit import event_history_rows
from core.errors import ApplicationError
from core.forms import form_error_show
from core.http import XLSX_CONTENT_TYPE, as_attachment, query_without_page
from core.versions import StaleEdit
from core.workbooks import MAX_ERRORS_SHOWN
from responsibility.supervision.audit import inspection_event_describe
from responsibility.supervision.forms.problems import (
    BatchForm,
    BatchSourceFilterForm,
    BatchUpdateForm,
    CarryOverForm,
    MeasureRows,
    ProblemForm,
    ProblemImportForm,
    ReconcileForm,
    UnitChoiceForm,
)
from responsibility.supervision.ledger import ledger_findings_ordered, ledger_rows
from responsibility.supervision.models import BatchStatus
from responsibility.supervision.permissions import (
    batch_permissions_for,
    problem_list_check_permission,
    problem_list_user_can_manage,
)
from responsibility.supervision.problem_import import (
    ProblemImportRefused,
    problem_import_summary,
    problem_list_import,
    problem_list_template_workbook,
)
from responsibility.supervision.selectors import (
    batch_list_counted,
    batch_list_visible_to,
    finding_list_visible_to,
    inspection_events_of,
    rectification_report_list_of,
)
from responsibility.supervision.services.problems import (
    batch_reconcile_refusal,
    problem_batch_open,
    problem_batch_reconcile,
    problem_batch_update,
    problem_carry_over,
    problem_record,
)
from responsibility.supervision.services.rectifications import people_of_unit

BATCHES_PER_PAGE = 50

# Where a service's refusal is shown on the forms (by its code); the rest go above the form.
_FIELD_OF_ERROR = {
    "source": "source",
    "source_plan": "source",
    "title": "title",
    "duplicate": "title",
    "title_taken": "title",
    "year": "year",
    "raised_on": "raised_on",
    "severity": "severity",
    "category": "category",
    "reason": "reason",
    "deadline": "deadline",
    "deadline_past": "deadline",
    "deadline_far": "deadline",
}


@login_required
def batch_list_view(request):
    """Every list the user may open, newest first, 50 a page, with how far its problems are; narrowed by
    source. The page's lists are chosen first, then only theirs are counted (a province has thousands)."""
    filter_form = BatchSourceFilterForm(request.GET or None)
    batches = batch_list_visible_to(user=request.user)
    if filter_form.is_valid() and filter_form.cleaned_data["source"]:
        batches = batches.filter(source=filter_form.cleaned_data["source"])
    ordered = batches.order_by("-year", "-raised_on", "-pk").values_list("pk", flat=True)
    page_obj = Paginator(ordered, BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "responsibility/problems/list.html",
        {
            "filter_form": filter_form,
            "batches": batch_list_counted(pks=list(page_obj)),
            "page_obj": page_obj,
            "query_without_page": query_without_page(request),
            "can_open": problem_list_user_can_manage(user=request.user),
        },
    )


@login_required
def batch_create_view(request):
    problem_list_check_permission(user=request.user)  # 403 before anything is read
    status = 200
    if request.method == "POST":
        form = BatchForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = problem_batch_open(data=form.batch_input(), opened_by=request.user)
            except ApplicationError as error:
                form_error_show(form, error, fields=_FIELD_OF_ERROR)
            else:
                messages.success(
                    request,
                    _("Problem list “%(title)s” opened. Record its problems.") % {"title": batch.title},
                )
                return redirect("responsibility:batch-detail", pk=batch.pk)
        status = 400
    else:
        form = BatchForm(initial=BatchForm.initial_for_new())
    return render(
        request, "responsibility/problems/batch_form.html", {"form": form, "batch": None}, status=status
    )


def _visible_batch(request, pk: int):
    """A list the user may open, or 404: an invisible one does not exist."""
    return get_object_or_404(batch_list_visible_to(user=request.user).prefetch_related("documents"), pk=pk)


@login_required
def batch_detail_view(request, pk: int):
    """The list: its terms and documents, the problems the user may read in the ledger's order, its
    history."""
    batch = _visible_batch(request, pk)
    allowed = batch_permissions_for(user=request.user, batch=batch)
    today = clock.today()
    problems = ledger_findings_ordered(
        findings=finding_list_visible_to(user=request.user)
        .filter(batch=batch)
        .select_related(None)
        .select_related("batch", "plan", "unit", "rectification__owner"),
        today=today,
    )
    return render(
        request,
        "responsibility/problems/batch_detail.html",
        {
            "batch": batch,
            "allowed": allowed,
            "reports": list(rectification_report_list_of(batch=batch)) if allowed.can_read_report else [],
            "rows": list(ledger_rows(problems)),
            "history": event_history_rows(
                inspection_events_of(subject=f"batch:{batch.pk}"),
                describe=inspection_event_describe,
                status_labels=dict(BatchStatus.choices),
            ),
            "today": today,
        },
    )


@login_required
def batch_update_view(request, pk: int):
    batch = _visible_batch(request, pk)
    problem_list_check_permission(user=request.user)
    status = 200
    if request.method == "POST":
        form = BatchUpdateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                problem_batch_update(
                    batch=batch,
                    data=form.batch_input(),
                    updated_by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEdit as error:
                form.add_error(None, str(error))  # the input stays on the page; nothing was saved
            except ApplicationError as error:
                form_error_show(form, error, fields=_FIELD_OF_ERROR)
            else:
                messages.success(
                    request, _("Problem list “%(title)s” saved.") % {"title": form.cleaned_data["title"]}
                )
                return redirect("responsibility:batch-detail", pk=batch.pk)
        status = 400
    else:
        form = BatchUpdateForm(
            initial={
                "source": batch.source_id,
                "title": batch.title,
                "year": batch.year,
                "raised_on": batch.raised_on,
                "raised_by": batch.raised_by,
                "version": batch.version,
            }
        )
    return render(
        request, "responsibility/problems/batch_form.html", {"form": form, "batch": batch}, status=status
    )


@login_required
def problem_create_view(request, pk: int):
    """Record a problem of the list: first its unit (whose people answer for it), then the problem and its
    measures."""
    batch = _visible_batch(request, pk)
    problem_list_check_permission(user=request.user)
    unit_form = UnitChoiceForm(request.POST if request.method == "POST" else request.GET or None)
    unit = unit_form.cleaned_data["unit"] if unit_form.is_bound and unit_form.is_valid() else None
    context = {"batch": batch, "unit_form": unit_form, "unit": unit}
    if unit is None:
        return render(
            request,
            "responsibility/problems/problem_form.html",
            context,
            status=400 if request.method == "POST" else 200,
        )
    people = people_of_unit(unit_id=unit.pk)
    status = 200
    if request.method == "POST":
        form = ProblemForm(request.POST, request.FILES, people=people)
        rows = MeasureRows(request.POST, prefix="measure", people=people)
        if form.is_valid() and rows.is_valid():
            try:
                finding = problem_record(
                    batch=batch,
                    data=form.problem_input(unit=unit, measures=rows.measure_inputs()),
                    recorded_by=request.user,
                )
            except ApplicationError as error:
                form_error_show(form, error, fields=_FIELD_OF_ERROR)
            else:
                messages.success(
                    request,
                    _("Problem %(reference)s recorded with %(count)d measures.")
                    % {"reference": finding.reference, "count": len(rows.measure_inputs())},
                )
                return redirect("responsibility:batch-detail", pk=batch.pk)
        status = 400
    else:
        head = people.filter(posts__unit_id=unit.pk, posts__kind=PostKind.UNIT_HEAD).first()
        form = ProblemForm(people=people, initial={"responsible": head, "owner": head})
        rows = MeasureRows(prefix="measure", people=people)
    return render(
        request,
        "responsibility/problems/problem_form.html",
        {**context, "form": form, "rows": rows},
        status=status,
    )


# Problems shown on the import page; the rest are counted.


@login_required
def problem_import_view(request, pk: int):
    """Import the list's problems from the office's spreadsheet: every row, or none and each problem
    listed by row."""
    batch = _visible_batch(request, pk)
    problem_list_check_permission(user=request.user)
    errors, status = [], 200
    if request.method == "POST":
        form = ProblemImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                recorded = problem_list_import(
                    batch=batch, workbook_file=form.cleaned_data["workbook"], imported_by=request.user
                )
            except ProblemImportRefused as error:
                form.add_error(None, str(error))
                errors = error.errors
            except ApplicationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, problem_import_summary(len(recorded)))
                return redirect("responsibility:batch-detail", pk=batch.pk)
        status = 400
    else:
        form = ProblemImportForm()
    return render(
        request,
        "responsibility/problems/import.html",
        {
            "batch": batch,
            "form": form,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "errors_not_shown": max(0, len(errors) - MAX_ERRORS_SHOWN),
        },
        status=status,
    )


@login_required
def problem_import_template_view(request, pk: int):
    _visible_batch(request, pk)
    problem_list_check_permission(user=request.user)
    return as_attachment(
        HttpResponse(problem_list_template_workbook(), content_type=XLSX_CONTENT_TYPE),
        download_name=f"{_('Problem list')}.xlsx",
        fallback_name="problem-list.xlsx",
    )


# --- 对账销号 ------------------------------------------------------------------------------------------


def _reconcile_page(request, batch, *, status: int = 200, carry_forms=None, reconcile_form=None):
    """Every problem of the list the user may read, with its measures, evidence and who verified and
    ticked it off; a carry-over form for each still being rectified, and the reconcile button."""
    allowed = batch_permissions_for(user=request.user, batch=batch)
    problems = list(
        finding_list_visible_to(user=request.user)
        .filter(batch=batch)
        .select_related("rectification__verified_by", "rectification__closed_by")
        .prefetch_related("measures__owner", "measures__evidence", "rectification__evidence", "evidence")
        .order_by("number")
    )
    carry_forms = carry_forms or {}
    rows = []
    for problem in problems:
        rectification = problem.rectification
        rows.append(
            {
                "problem": problem,
                "rectification": rectification,
                "measures": problem.measures.all(),
                "evidence_count": len(rectification.evidence.all())
                + sum(len(measure.evidence.all()) for measure in problem.measures.all()),
                "carry_form": (
                    carry_forms.get(problem.pk)
                    or CarryOverForm(initial={"version": rectification.version}, prefix=f"carry{problem.pk}")
                )
                if allowed.can_carry_over(rectification)
                else None,
            }
        )
    refusal = batch_reconcile_refusal(batch=batch) if batch.is_open else ""
    return render(
        request,
        "responsibility/problems/reconcile.html",
        {
            "batch": batch,
            "allowed": allowed,
            "rows": rows,
            "refusal": refusal,
            "reconcile_form": reconcile_form or ReconcileForm(initial={"version": batch.version}),
        },
        status=status,
    )


@login_required
def batch_reconcile_view(request, pk: int):
    batch = _visible_batch(request, pk)
    if request.method != "POST":
        return _reconcile_page(request, batch)
    problem_list_check_permission(user=request.user)
    form = ReconcileForm(request.POST)
    if form.is_valid():
        try:
            problem_batch_reconcile(
                batch=batch, reconciled_by=request.user, expected_version=form.cleaned_data["version"]
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Problem list “%(title)s” reconciled.") % {"title": batch.title})
            return redirect("responsibility:batch-reconcile", pk=batch.pk)
    return _reconcile_page(request, _visible_batch(request, pk), status=400, reconcile_form=form)


@login_required
@require_POST
def problem_carry_over_view(request, pk: int):
    finding = get_object_or_404(
        finding_list_visible_to(user=request.user).filter(plan__isnull=True).select_related("batch"), pk=pk
    )
    problem_list_check_permission(user=request.user)
    form = CarryOverForm(request.POST, prefix=f"carry{finding.pk}")
    if form.is_valid():
        try:
            problem_carry_over(
                finding=finding,
                reason=form.cleaned_data["reason"],
                deadline=form.cleaned_data["deadline"],
                carried_by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            form_error_show(form, error, fields=_FIELD_OF_ERROR)
        else:
            messages.success(
                request, _("Problem %(reference)s carried over.") % {"reference": finding.reference}
            )
            return redirect("responsibility:batch-reconcile", pk=finding.batch_id)
    return _reconcile_page(
        request, _visible_batch(request, finding.batch_id), status=400, carry_forms={finding.pk: form}
    )
