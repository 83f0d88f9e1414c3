"""回头看 pages: draw closed problems for a re-check, read a re-check and run its draw again, record what
each re-check found."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError, TransitionNotAllowed
from core.forms import form_error_show, form_problems_text
from responsibility.supervision.draws import recheck_key_input
from responsibility.supervision.forms.rechecks import RecheckForm, RecheckResultForm
from responsibility.supervision.models import Finding, InspectionEvent, ProblemBatch, Recheck, RecheckResult
from responsibility.supervision.permissions import (
    ledger_user_can_see_all,
    recheck_check_permission,
    recheck_user_can_conduct,
)
from responsibility.supervision.selectors import batch_list_with_closed_problems, recheck_list_visible_to
from responsibility.supervision.services.rechecks import recheck_draw, recheck_result_record, recheck_verify

# Where a service's refusal is shown on the forms (by its code); the rest go above the form.
_FIELD_OF_ERROR = {
    "title": "title",
    "batches": "batches",
    "dates": "closed_to",
    "outcome": "outcome",
    "reason": "reason",
    "deadline": "deadline",
    "deadline_past": "deadline",
    "deadline_far": "deadline",
}


@login_required
def recheck_list_view(request):
    if not ledger_user_can_see_all(user=request.user):
        raise Http404  # 回头看 exist only for the readers of the whole ledger
    return render(
        request,
        "responsibility/rechecks/list.html",
        {
            "rechecks": recheck_list_visible_to(user=request.user).order_by("-number"),
            "can_draw": recheck_user_can_conduct(user=request.user),
        },
    )


@login_required
def recheck_create_view(request):
    recheck_check_permission(user=request.user)  # 403 before anything is read
    batches = batch_list_with_closed_problems()
    last = Recheck.objects.order_by("-number").values_list("number", flat=True).first() or 0
    status = 200
    if request.method == "POST":
        form = RecheckForm(request.POST, batches=batches)
        if form.is_valid():
            try:
                recheck = recheck_draw(data=form.recheck_input(), drawn_by=request.user)
            except ApplicationError as error:
                if error.code == "drawn_meanwhile":
                    messages.warning(request, str(error))
                    return redirect("responsibility:recheck-list")
                form_error_show(form, error, fields=_FIELD_OF_ERROR)
            else:
                messages.success(
                    request,
                    _("Re-check %(number)d drawn: %(count)d problems to re-check.")
                    % {"number": recheck.number, "count": len(recheck.result)},
                )
                return redirect("responsibility:recheck-detail", pk=recheck.pk)
        status = 400
    else:
        form = RecheckForm(batches=batches, initial={"last_recheck": last})
    return render(
        request,
        "responsibility/rechecks/form.html",
        {"form": form, "has_batches": batches.exists()},
        status=status,
    )


def _scope_day(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _recheck_page(request, recheck: Recheck, *, status: int = 200, result_forms=None):
    """The re-check page; `result_forms` holds a problem's form with its errors, by finding pk."""
    result_forms = result_forms or {}
    findings = Finding.objects.select_related("plan", "batch", "unit", "rectification").in_bulk(
        recheck.result
    )
    results = {
        result.finding_id: result
        for result in RecheckResult.objects.filter(recheck=recheck).select_related("recorded_by")
    }
    can_record = recheck_user_can_conduct(user=request.user)
    rows = []
    for position, finding_id in enumerate(recheck.result, start=1):
        finding = findings.get(finding_id)
        result = results.get(finding_id)
        rows.append(
            {
                "position": position,
                "finding": finding,
                "key_input": recheck_key_input(seed=recheck.seed, finding_id=finding_id),
                "result": result,
                "form": (result_forms.get(finding_id) or RecheckResultForm(prefix=f"finding{finding_id}"))
                if can_record and result is None and finding is not None
                else None,
            }
        )
    context = {
        "recheck": recheck,
        "verification": recheck_verify(recheck),
        "rows": rows,
        "events": InspectionEvent.objects.filter(subject=f"recheck:{recheck.pk}").order_by("sequence"),
        "batches": ProblemBatch.objects.filter(pk__in=recheck.scope.get("batches", [])).order_by("pk"),
        "closed_from": _scope_day(recheck.scope.get("closed_from")),
        "closed_to": _scope_day(recheck.scope.get("closed_to")),
    }
    return render(request, "responsibility/rechecks/detail.html", context, status=status)


@login_required
def recheck_detail_view(request, pk: int):
    recheck = get_object_or_404(recheck_list_visible_to(user=request.user), pk=pk)  # invisible → 404
    return _recheck_page(request, recheck)


@login_required
@require_POST
def recheck_result_view(request, pk: int, finding: int):
    recheck = get_object_or_404(recheck_list_visible_to(user=request.user), pk=pk)
    recheck_check_permission(user=request.user)
    if finding not in recheck.result:
        raise Http404
    form = RecheckResultForm(request.POST, prefix=f"finding{finding}")
    if not form.is_valid():
        messages.error(
            request, _("Please correct, then save: %(problems)s") % {"problems": form_problems_text(form)}
        )
        return _recheck_page(request, recheck, status=400, result_forms={finding: form})
    problem = Finding.objects.select_related("plan", "batch").get(pk=finding)
    try:
        result = recheck_result_record(
            recheck=recheck, finding=problem, data=form.recheck_finding(), recorded_by=request.user
        )
    except TransitionNotAllowed as error:
        messages.warning(request, str(error))
    except ApplicationError as error:
        form_error_show(form, error, fields=_FIELD_OF_ERROR)
        messages.error(request, str(error))
        return _recheck_page(request, recheck, status=400, result_forms={finding: form})
    else:
        messages.success(
            request,
            _("%(reference)s: %(outcome)s, recorded.")
            % {"reference": problem.reference, "outcome": result.get_outcome_display()},
        )
    return redirect("responsibility:recheck-detail", pk=recheck.pk)
