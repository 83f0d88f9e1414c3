"""Finding pages (问题 → 整改 → 销号): record a finding, read it, correct it, answer and verify its
rectification, and download the evidence behind it."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import PostKind
from core import clock
from core.audit import event_history_rows
from core.dates import date_text
from core.errors import ApplicationError, TransitionNotAllowed
from core.forms import form_error_show, form_problems_text
from core.versions import StaleEdit
from responsibility.supervision.audit import inspection_event_describe
from responsibility.supervision.forms.findings import (
    CloseForm,
    FindingCreateForm,
    FindingUpdateForm,
    MeasureForm,
    MeasureReportForm,
    SendBackForm,
    SubmitForm,
    VerifyForm,
)
from responsibility.supervision.models import Finding, RectificationStatus
from responsibility.supervision.permissions import (
    FindingAction,
    InspectionAction,
    finding_check_permission,
    finding_permissions_for,
    inspection_check_permission,
    measure_check_report_permission,
)
from responsibility.supervision.selectors import (
    finding_list_visible_to,
    inspection_events_of,
    inspection_list_visible_to,
)
from responsibility.supervision.services.measures import (
    measure_add,
    measure_report,
    measure_update,
)
from responsibility.supervision.services.rectifications import (
    finding_record,
    finding_update,
    people_of_unit,
    rectification_close,
    rectification_send_back,
    rectification_submit,
    rectification_verify,
    signed_clauses_of_unit,
)

logger = logging.getLogger(__name__)

# Where a service's refusal is shown on the finding forms (by its code); the rest go above the form.
_FIELD_OF_ERROR = {
    "severity": "severity",
    "clause": "clause",
    "clause_required": "clause",
    "category": "category",
    "result": "check_result",
    "deadline_past": "deadline",
    "deadline_far": "deadline",
    "measures": "measures",
    "evidence_required": "files",
    "reason": "reason",
    "action": "action",
    "measure_owner": "owner",
    "measure_deadline": "deadline",
    "report": "report",
}


def _visible_finding(request, pk: int) -> Finding:
    """A finding the user may see, with what its page shows, or 404: an invisible one does not exist."""
    return get_object_or_404(
        finding_list_visible_to(user=request.user)
        .select_related(
            "inspection", "check_result__checkpoint", "clause__letter__campaign", "created_by", "plan"
        )
        .prefetch_related(
            "plan__team", "evidence", "rectification__evidence", "measures__owner", "measures__evidence"
        ),
        pk=pk,
    )


# --- Recording and correcting a finding ------------------------------------------------------------


@login_required
def finding_create_view(request, pk: int):
    inspection = get_object_or_404(inspection_list_visible_to(user=request.user), pk=pk)  # invisible → 404
    inspection_check_permission(
        user=request.user, action=InspectionAction.RAISE_FINDING, inspection=inspection
    )
    people = people_of_unit(unit_id=inspection.unit_id)
    form_kwargs = {
        "people": people,
        "clauses": signed_clauses_of_unit(unit_id=inspection.unit_id),
        "results": inspection.results.select_related("checkpoint").order_by("checkpoint__number"),
    }
    status = 200
    if request.method == "POST":
        form = FindingCreateForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                finding = finding_record(
                    inspection=inspection, data=form.finding_input(), recorded_by=request.user
                )
            except ApplicationError as error:
                form_error_show(form, error, fields=_FIELD_OF_ERROR)
            else:
                messages.success(
                    request,
                    _("Finding %(reference)s recorded. Its rectification is due by %(deadline)s.")
                    % {
                        "reference": finding.reference,
                        "deadline": date_text(finding.rectification.deadline),
                    },
                )
                return redirect("responsibility:finding-detail", pk=finding.pk)
        status = 400
    else:
        head = people.filter(posts__unit_id=inspection.unit_id, posts__kind=PostKind.UNIT_HEAD).first()
        result = request.GET.get("result", "")
        form = FindingCreateForm(
            initial={
                "responsible": head,
                "owner": head,
                "deadline": FindingCreateForm.default_deadline(),
                "check_result": int(result) if result.isdigit() else None,
            },
            **form_kwargs,
        )
    return render(
        request,
        "responsibility/findings/form.html",
        {"form": form, "inspection": inspection, "finding": None},
        status=status,
    )


@login_required
def finding_update_view(request, pk: int):
    finding = _visible_finding(request, pk)
    finding_check_permission(user=request.user, action=FindingAction.EDIT, finding=finding)
    people = people_of_unit(unit_id=finding.unit_id)
    status = 200
    if request.method == "POST":
        form = FindingUpdateForm(request.POST, people=people)
        if form.is_valid():
            try:
                finding_update(
                    finding=finding,
                    data=form.finding_change(),
                    updated_by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEdit as error:
                form.add_error(None, str(error))  # the input stays on the page; nothing was saved
                messages.error(request, str(error))
            except ApplicationError as error:
                form_error_show(form, error, fields=_FIELD_OF_ERROR)
            else:
                messages.success(
                    request, _("Finding %(reference)s saved.") % {"reference": finding.reference}
                )
                return redirect("responsibility:finding-detail", pk=finding.pk)
        status = 400
    else:
        rectification = finding.rectification
        form = FindingUpdateForm(
            people=people,
            initial={
                "title": finding.title,
                "description": finding.description,
                "severity": finding.severity,
                "responsible": finding.responsible_id,
                "owner": rectification.owner_id,
                "requirement": rectification.requirement,
                "deadline": rectification.deadline,
                "version": finding.version,
            },
        )
    return render(
        request,
        "responsibility/findings/form.html",
        {"form": form, "inspection": finding.inspection, "finding": finding},
        status=status,
    )


# --- The finding page ------------------------------------------------------------------------------


def _finding_page(request, finding: Finding, *, status: int = 200, measure_forms=None, **forms):
    """The finding page; `measure_forms` holds a measure's form with its errors, by ("report" or "edit",
    measure pk)."""
    rectification = finding.rectification
    version = {"version": rectification.version}
    allowed = finding_permissions_for(user=request.user, finding=finding)
    today = clock.today()
    measure_forms = measure_forms or {}
    several = len(finding.measures.all()) > 1
    # Read once for every measure form of the page.
    people = list(people_of_unit(unit_id=finding.unit_id)) if allowed.can_plan_measures else None

    def form_of(kind: str, measure, make):
        return measure_forms.get((kind, measure.pk)) or make()

    measures = [
        {
            "measure": measure,
            "light": measure.light(today),
            "report_form": form_of(
                "report",
                measure,
                lambda measure=measure: MeasureReportForm(
                    initial={"version": measure.version}, prefix=f"measure{measure.pk}"
                ),
            )
            if several and measure.pk in allowed.reportable_measures
            else None,
            "edit_form": form_of(
                "edit",
                measure,
                lambda measure=measure: MeasureForm(
                    initial={
                        "action": measure.action,
                        "owner": measure.owner_id,
                        "deadline": measure.deadline,
                        "version": measure.version,
                    },
                    prefix=f"edit{measure.pk}",
                    people=people,
                ),
            )
            if several and allowed.can_plan_measures and measure.is_open
            else None,
        }
        for measure in finding.measures.all()
    ]
    context = {
        "finding": finding,
        "rectification": rectification,
        "light": rectification.light(today),
        "allowed": allowed,
        "measures": measures,
        "can_open_inspection": inspection_list_visible_to(user=request.user)
        .filter(pk=finding.inspection_id)
        .exists(),
        "history": _history(finding),
        "submit_form": forms.get("submit_form") or SubmitForm(initial=version),
        "measure_add_form": forms.get("measure_add_form")
        or (
            MeasureForm(initial=version, prefix="measure", people=people)
            if allowed.can_plan_measures
            else None
        ),
        "verify_form": forms.get("verify_form") or VerifyForm(initial=version, prefix="verify"),
        "send_back_form": forms.get("send_back_form")
        or SendBackForm(initial=version, prefix="send_back", measures=finding.measures.all()),
        "close_form": forms.get("close_form") or CloseForm(initial=version, prefix="close"),
    }
    return render(request, "responsibility/findings/detail.html", context, status=status)


def _history(finding: Finding) -> list[dict]:
    """The finding's audit events, with the states shown by their names and each event as a sentence."""
    return event_history_rows(
        inspection_events_of(subject=f"finding:{finding.pk}"),
        describe=inspection_event_describe,
        status_labels=dict(RectificationStatus.choices),
    )


@login_required
def finding_detail_view(request, pk: int):
    return _finding_page(request, _visible_finding(request, pk))


# --- Rectification steps -----------------------------------------------------------------------------


def _refusal_message(request, pk: int, error: ApplicationError, *, target: RectificationStatus) -> None:
    """Say clearly why a step was refused because the record moved on (another user, or a double click)."""
    finding = finding_list_visible_to(user=request.user).filter(pk=pk).first()
    rectification = finding.rectification if finding else None
    if target is not None and rectification is not None and rectification.status == target:
        last = inspection_events_of(subject=f"finding:{pk}").filter(to_status=target).last()
        if last is not None and last.actor_id == request.user.pk:
            messages.warning(
                request,
                _(
                    "This was already done: you moved the rectification to “%(status)s” at %(time)s. "
                    "Nothing more was done."
                )
                % {
                    "status": rectification.get_status_display(),
                    "time": timezone.localtime(last.created_at).strftime("%H:%M:%S"),
                },
            )
            return
    messages.error(request, str(error))
    if rectification is not None:
        messages.info(
            request,
            _("The rectification is now “%(status)s”; the page below shows it as it is now.")
            % {"status": rectification.get_status_display()},
        )


def _rectification_step(
    request,
    pk: int,
    *,
    action: FindingAction,
    form_class,
    form_name: str,
    prefix: str | None,
    target: RectificationStatus | None,
    run,
    done_message: str,
    form_kwargs=None,
    measure_form: tuple[str, int] | None = None,
):
    """Check the permission (403 before the input is read), parse the form, run the service.

    A refusal because the record moved on (stale page, double click) redirects to the fresh page with a
    message; any other refusal shows the page again with the input kept and the reason on the form.
    `action` is a FindingAction, or a callable that checks the permission on the finding; `form_kwargs`
    a callable giving the form's arguments from the finding; `measure_form` says which measure's form this
    is: ("report" or "edit", its pk).
    """
    finding = _visible_finding(request, pk)
    if callable(action):
        action(finding)
    else:
        finding_check_permission(user=request.user, action=action, finding=finding)
    form = form_class(
        request.POST, request.FILES, prefix=prefix, **(form_kwargs(finding) if form_kwargs else {})
    )

    def page_again():
        if measure_form is not None:
            return _finding_page(request, finding, status=400, measure_forms={measure_form: form})
        return _finding_page(request, finding, status=400, **{form_name: form})

    if not form.is_valid():
        messages.error(
            request, _("Please correct, then save: %(problems)s") % {"problems": form_problems_text(form)}
        )
        return page_again()
    try:
        run(finding.rectification, form)
    except (StaleEdit, TransitionNotAllowed) as error:
        _refusal_message(request, pk, error, target=target)
    except ApplicationError as error:
        form_error_show(form, error, fields=_FIELD_OF_ERROR)
        messages.error(request, str(error))
        return page_again()
    else:
        messages.success(request, done_message % {"reference": finding.reference})
    return redirect("responsibility:finding-detail", pk=finding.pk)


@login_required
@require_POST
def rectification_submit_view(request, pk: int):
    return _rectification_step(
        request,
        pk,
        action=FindingAction.SUBMIT,
        form_class=SubmitForm,
        form_name="submit_form",
        prefix=None,
        target=RectificationStatus.SUBMITTED,
        run=lambda rectification, form: rectification_submit(
            rectification=rectification,
            data=form.submission_input(),
            submitted_by=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        done_message=_("The rectification of %(reference)s was submitted for verification."),
    )


@login_required
@require_POST
def measure_add_view(request, pk: int):
    return _rectification_step(
        request,
        pk,
        action=FindingAction.PLAN_MEASURES,
        form_class=MeasureForm,
        form_name="measure_add_form",
        prefix="measure",
        target=None,
        run=lambda rectification, form: measure_add(
            finding=rectification.finding,
            data=form.measure_input(),
            added_by=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        done_message=_("A measure was added to the rectification of %(reference)s."),
        form_kwargs=lambda finding: {"people": people_of_unit(unit_id=finding.unit_id)},
    )


@login_required
@require_POST
def measure_report_view(request, pk: int, number: int):
    finding = _visible_finding(request, pk)  # invisible → 404, before the measure is looked up
    measure = get_object_or_404(finding.measures.all(), number=number)
    return _rectification_step(
        request,
        pk,
        action=lambda finding: measure_check_report_permission(
            user=request.user, measure=measure, finding=finding
        ),
        form_class=MeasureReportForm,
        form_name="report_form",
        prefix=f"measure{measure.pk}",
        measure_form=("report", measure.pk),
        target=None,
        run=lambda rectification, form: measure_report(
            measure=measure,
            data=form.measure_report(),
            reported_by=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        done_message=_("Measure %(number)d of %%(reference)s is reported done.") % {"number": number},
    )


@login_required
@require_POST
def measure_update_view(request, pk: int, number: int):
    finding = _visible_finding(request, pk)  # invisible → 404, before the measure is looked up
    measure = get_object_or_404(finding.measures.all(), number=number)
    return _rectification_step(
        request,
        pk,
        action=FindingAction.PLAN_MEASURES,
        form_class=MeasureForm,
        form_name="edit_form",
        prefix=f"edit{measure.pk}",
        measure_form=("edit", measure.pk),
        target=None,
        run=lambda rectification, form: measure_update(
            measure=measure,
            data=form.measure_input(),
            updated_by=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        done_message=_("Measure %(number)d of %%(reference)s is saved.") % {"number": number},
        form_kwargs=lambda finding: {"people": people_of_unit(unit_id=finding.unit_id)},
    )


@login_required
@require_POST
def rectification_verify_view(request, pk: int):
    return _rectification_step(
        request,
        pk,
        action=FindingAction.VERIFY,
        form_class=VerifyForm,
        form_name="verify_form",
        prefix="verify",
        target=RectificationStatus.VERIFIED,
        run=lambda rectification, form: rectification_verify(
            rectification=rectification,
            verified_by=request.user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        ),
        done_message=_("The rectification of %(reference)s is verified. It can now be ticked off."),
    )


@login_required
@require_POST
def rectification_send_back_view(request, pk: int):
    return _rectification_step(
        request,
        pk,
        action=FindingAction.VERIFY,
        form_class=SendBackForm,
        form_name="send_back_form",
        prefix="send_back",
        form_kwargs=lambda finding: {"measures": finding.measures.all()},
        target=RectificationStatus.OPEN,
        run=lambda rectification, form: rectification_send_back(
            rectification=rectification,
            sent_back_by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            measures=form.cleaned_data.get("measures") or None,
        ),
        done_message=_("The rectification of %(reference)s was sent back to its owner."),
    )


@login_required
@require_POST
def rectification_close_view(request, pk: int):
    return _rectification_step(
        request,
        pk,
        action=FindingAction.VERIFY,
        form_class=CloseForm,
        form_name="close_form",
        prefix="close",
        target=RectificationStatus.CLOSED,
        run=lambda rectification, form: rectification_close(
            rectification=rectification,
            closed_by=request.user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        ),
        done_message=_("%(reference)s is ticked off the ledger (销号)."),
    )


# --- Evidence ---------------------------------------------------------------------------------------
