"""Supervision pages: inspection plans and their checkpoints, spot-check draws and their verification,
and the checklist of a drawn unit where its inspectors record results.

The inspection team works here; the office and the Party Group read. Lookups go through the selectors
(an invisible record is a 404), actions through permissions.py and the services (a refusal is a 403, or
the service's message on the page).
"""

from datetime import UTC

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import OrgUnitKind
from core import clock
from core.errors import ApplicationError
from core.forms import form_error_show, form_problems_text
from core.http import form_data, form_status, form_submit
from core.versions import StaleEdit
from responsibility.evidence.rules import EvidenceRefused
from responsibility.supervision.draws import DrawRefused, inspector_key_input, rank_key_input
from responsibility.supervision.forms.inspections import (
    CheckpointForm,
    CheckResultForm,
    DrawForm,
    InspectionCompleteForm,
    PlanForm,
)
from responsibility.supervision.models import Inspection, InspectionEventKind, InspectionPlan, PlanStatus
from responsibility.supervision.permissions import (
    InspectionAction,
    PlanAction,
    inspection_check_permission,
    inspection_permissions_for,
    plan_check_permission,
    plan_permissions_for,
    plan_user_can,
)
from responsibility.supervision.selectors import (
    checkpoint_list_of_plan,
    checkpoint_list_visible_to,
    draw_list_visible_to,
    finding_list_visible_to,
    inspection_events_of,
    inspection_list_of_draw,
    inspection_list_visible_to,
    plan_form_choices,
    plan_list_visible_to,
    plan_list_with_counts,
    plan_list_with_scope,
)
from responsibility.supervision.services.draws import draw_replace_refusal, draw_verify, spot_check_draw
from responsibility.supervision.services.inspections import (
    check_result_record,
    inspection_complete,
    inspection_complete_refusal,
)
from responsibility.supervision.services.plans import (
    checkpoint_change_refusal,
    checkpoint_create,
    checkpoint_update,
    inspection_plan_close,
    inspection_plan_create,
    inspection_plan_update,
)
from responsibility.supervision.services.rectifications import signed_clauses_of_unit

PLANS_PER_PAGE = 25


def _visible_plan(request, pk: int, queryset=None) -> InspectionPlan:
    """The plan, if the user may see it; otherwise 404."""
    if queryset is None:
        queryset = plan_list_visible_to(user=request.user)
    return get_object_or_404(queryset, pk=pk)


# --- Plans -------------------------------------------------------------------------------------------


@login_required
def plan_list_view(request):
    visible = plan_list_visible_to(user=request.user)
    years = list(visible.prefetch_related(None).order_by("-year").values_list("year", flat=True).distinct())
    year = request.GET.get("year", "")
    status = request.GET.get("status", "")
    plans = visible
    filters = []
    if year.isdigit() and int(year) in years:
        plans = plans.filter(year=int(year))
        filters.append(f"year={year}")
    else:
        year = ""
    if status in PlanStatus.values:
        plans = plans.filter(status=status)
        filters.append(f"status={status}")
    else:
        status = ""
    plans = plan_list_with_counts(plans=plans)
    page_obj = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "responsibility/inspections/plans/list.html",
        {
            "plans": page_obj.object_list,
            "page_obj": page_obj,
            "years": years,
            "year": year,
            "status": status,
            "statuses": PlanStatus.choices,
            "query_without_page": "".join(f"{item}&" for item in filters),
            "can_create": plan_user_can(user=request.user, action=PlanAction.CREATE),
        },
    )


@login_required
def plan_create_view(request):
    plan_check_permission(user=request.user, action=PlanAction.CREATE)
    today = clock.today()
    initial = {
        "year": today.year,
        "period_start": today,
        "period_end": today.replace(month=12, day=31),
        "team": [request.user.pk],
    }
    form = PlanForm(form_data(request), initial=initial, **plan_form_choices(plan=None))
    del form.fields["version"]  # a new plan has no version yet

    def save():
        plan = inspection_plan_create(data=form.plan_input(), created_by=request.user)
        messages.success(request, _("Plan “%(title)s” created.") % {"title": plan.title})
        return redirect("responsibility:plan-detail", pk=plan.pk)

    return form_submit(form, save) or render(
        request,
        "responsibility/inspections/plans/form.html",
        {"form": form, "plan": None},
        status=form_status(form),
    )


@login_required
def plan_update_view(request, pk: int):
    plan = _visible_plan(request, pk)
    plan_check_permission(user=request.user, action=PlanAction.MANAGE, plan=plan)
    choices = plan_form_choices(plan=plan)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, **choices)
        if form.is_valid():
            try:
                plan = inspection_plan_update(
                    plan=plan,
                    data=form.plan_input(),
                    updated_by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEdit as error:
                form.add_error(None, str(error))  # the input stays on the page; nothing was saved
                messages.error(request, str(error))
            except ApplicationError as error:
                form_error_show(form, error)
            else:
                messages.success(request, _("Plan “%(title)s” saved.") % {"title": plan.title})
                return redirect("responsibility:plan-detail", pk=plan.pk)
        status = 400
    else:
        form = PlanForm(
            initial={
                "year": plan.year,
                "title": plan.title,
                "description": plan.description,
                "period_start": plan.period_start,
                "period_end": plan.period_end,
                "scope": [unit.pk for unit in plan.scope.all()],
                "team": [member.pk for member in plan.team.all()],
                "version": plan.version,
            },
            **choices,
        )
    return render(
        request, "responsibility/inspections/plans/form.html", {"form": form, "plan": plan}, status=status
    )


@login_required
@require_POST
def plan_close_view(request, pk: int):
    plan = _visible_plan(request, pk)
    try:
        plan = inspection_plan_close(plan=plan, closed_by=request.user)  # not on the team → 403
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Plan “%(title)s” closed.") % {"title": plan.title})
    return redirect("responsibility:plan-detail", pk=plan.pk)


def _scope_by_kind(units) -> list[dict]:
    labels = dict(OrgUnitKind.choices)
    groups: dict[str, list] = {}
    for unit in units:
        groups.setdefault(unit.kind, []).append(unit)
    order = list(labels)
    return [
        {"label": labels.get(kind, kind), "units": groups[kind]}
        for kind in sorted(groups, key=lambda kind: order.index(kind) if kind in order else len(order))
    ]


@login_required
def plan_detail_view(request, pk: int):
    plan = _visible_plan(
        request,
        pk,
        plan_list_with_scope(plans=plan_list_visible_to(user=request.user)),
    )
    checkpoints = list(checkpoint_list_of_plan(plan=plan))
    draws = list(plan.draws.select_related("drawn_by").order_by("sequence"))
    current = draws[-1] if draws else None
    inspections = []
    if current is not None:
        inspections = list(inspection_list_of_draw(user=request.user, draw=current))
    total = len(checkpoints)
    rows = [
        {
            "inspection": inspection,
            "percent": round(100 * inspection.results_count / total) if total else 0,
        }
        for inspection in inspections
    ]
    allowed = plan_permissions_for(user=request.user, plan=plan)
    return render(
        request,
        "responsibility/inspections/plans/detail.html",
        {
            "plan": plan,
            "scope_groups": _scope_by_kind(plan.scope.all()),
            "scope_count": len(plan.scope.all()),
            "team": sorted(plan.team.all(), key=lambda member: (member.get_full_name(), member.pk)),
            "checkpoints": checkpoints,
            "draws": draws,
            "current_draw": current,
            "rows": rows,
            "checkpoint_count": total,
            "allowed": allowed,
            "draw_refusal": draw_replace_refusal(draw=current) if allowed.can_draw else "",
        },
    )


# --- Checkpoints -------------------------------------------------------------------------------------


def _checkpoints_url(plan_pk: int) -> str:
    return reverse("responsibility:plan-detail", args=[plan_pk]) + "#checkpoints"


@login_required
def checkpoint_create_view(request, pk: int):
    plan = _visible_plan(request, pk)
    plan_check_permission(user=request.user, action=PlanAction.MANAGE, plan=plan)
    form = CheckpointForm(form_data(request))

    def save():
        checkpoint = checkpoint_create(plan=plan, data=form.checkpoint_input(), created_by=request.user)
        messages.success(request, _("Checkpoint %(number)d added.") % {"number": checkpoint.number})
        return redirect(_checkpoints_url(plan.pk))

    return form_submit(form, save) or render(
        request,
        "responsibility/inspections/checkpoints/form.html",
        {"form": form, "plan": plan, "checkpoint": None, "refusal": ""},
        status=form_status(form),
    )


@login_required
def checkpoint_update_view(request, pk: int):
    checkpoint = get_object_or_404(
        checkpoint_list_visible_to(user=request.user).prefetch_related("plan__team"), pk=pk
    )
    plan = checkpoint.plan
    plan_check_permission(user=request.user, action=PlanAction.MANAGE, plan=plan)
    initial = {
        "title": checkpoint.title,
        "criterion": checkpoint.criterion,
        "categories": checkpoint.categories,
        "weight": checkpoint.weight,
        "evidence_required": checkpoint.evidence_required,
    }
    form = CheckpointForm(form_data(request), initial=initial)

    def save():
        checkpoint_update(checkpoint=checkpoint, data=form.checkpoint_input(), updated_by=request.user)
        messages.success(request, _("Checkpoint %(number)d saved.") % {"number": checkpoint.number})
        return redirect(_checkpoints_url(plan.pk))

    return form_submit(form, save) or render(
        request,
        "responsibility/inspections/checkpoints/form.html",
        {
            "form": form,
            "plan": plan,
            "checkpoint": checkpoint,
            # A checkpoint with results is shown, not offered for editing: the page says why.
            "refusal": checkpoint_change_refusal(checkpoint=checkpoint),
        },
        status=form_status(form),
    )


# --- Draws -------------------------------------------------------------------------------------------


@login_required
def draw_create_view(request, pk: int):
    plan = _visible_plan(request, pk)
    plan_check_permission(user=request.user, action=PlanAction.DRAW, plan=plan)
    current = plan.draws.select_related("drawn_by").order_by("-sequence").first()
    status = 200
    if request.method == "POST":
        form = DrawForm(request.POST, redraw=current is not None)
        if form.is_valid():
            try:
                draw = spot_check_draw(plan=plan, data=form.draw_input(), drawn_by=request.user)
            except ApplicationError as error:
                form, current = _draw_form_again(request, plan, form, error)
            else:
                messages.success(
                    request,
                    _("Draw %(number)d made: %(count)d units drawn.")
                    % {"number": draw.sequence, "count": len(draw.result)},
                )
                return redirect("responsibility:draw-detail", pk=draw.pk)
        status = 400
    else:
        form = DrawForm(
            initial={"previous_draw": current.sequence if current else 0}, redraw=current is not None
        )
    return render(
        request,
        "responsibility/inspections/draws/form.html",
        {
            "plan": plan,
            "form": form,
            "current_draw": current,
            # A draw whose checks have started stands: the page says so instead of offering the form.
            "refusal": draw_replace_refusal(draw=current),
            "population_count": plan.scope.filter(is_active=True).count(),
            "team_count": plan.team.filter(is_active=True).count(),
        },
        status=status,
    )


def _draw_form_again(request, plan, form, error: ApplicationError):
    """The refused draw's form for another try: the user's input, the service's message, and the plan
    as it is now (a draw made meanwhile, by a double submit or a colleague, shows the reason field)."""
    current = plan.draws.select_related("drawn_by").order_by("-sequence").first()
    data = request.POST.copy()
    data["previous_draw"] = str(current.sequence if current else 0)
    again = DrawForm(data, redraw=current is not None)
    again.is_valid()
    field = "reason" if isinstance(error, DrawRefused) and error.code == "reason" else None
    again.add_error(field if field in again.fields else None, str(error))
    return again, current


def _drawn_at_iso(draw) -> str:
    return draw.drawn_at.astimezone(UTC).isoformat(timespec="microseconds")


_EXCLUSION_REASONS = {
    "conflict-of-interest": lambda draw: (
        _("Conflict of interest: fewer than %(needed)d team members hold no post in this unit.")
        % {"needed": draw.inspectors_per_unit}
    ),
}


def _rows(value) -> list[dict]:
    """A stored JSON list of objects, read defensively: the page must show a tampered record, not fail."""
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _draw_rows(result, *, units: dict, members: dict, inspections: dict) -> list[dict]:
    return [
        {
            "position": position,
            "unit_id": row.get("unit"),
            "unit": units.get(row.get("unit"), {"name": f"#{row.get('unit')}"}),
            "inspectors": [
                members.get(member, {"id": member, "name": f"#{member}"})
                for member in (row.get("inspectors") or [])
                if isinstance(member, int | str)
            ],
            "inspection": inspections.get(row.get("unit")),
        }
        for position, row in enumerate(_rows(result), start=1)
    ]


def _key_examples(draw, result_rows: list[dict]) -> dict | None:
    """The texts hashed for the first unit drawn and its first inspector: the page's worked example."""
    first = next((row for row in result_rows if row["inspectors"]), None)
    if first is None or not isinstance(first["unit_id"], int):
        return None
    unit, member = first["unit"], first["inspectors"][0]
    return {
        "unit": unit.get("name", first["unit_id"]),
        "member": member.get("name", member.get("id")),
        "rank": rank_key_input(seed=draw.seed, unit_id=first["unit_id"]),
        "inspector": inspector_key_input(
            seed=draw.seed, unit_id=first["unit_id"], member_id=member.get("id")
        ),
    }


@login_required
def draw_detail_view(request, pk: int):
    """The verification page: everything the draw read and wrote, and the draw run again live."""
    draw = get_object_or_404(draw_list_visible_to(user=request.user), pk=pk)
    verification = draw_verify(draw=draw)
    kinds = dict(OrgUnitKind.choices)
    units = {
        row.get("id"): {**row, "kind_label": kinds.get(row.get("kind"), row.get("kind"))}
        for row in _rows(draw.population)
    }
    members = {row.get("id"): row for row in _rows(draw.team)}
    inspections = dict(
        inspection_list_visible_to(user=request.user)
        .filter(draw=draw)
        .prefetch_related(None)
        .values_list("unit_id", "pk")
    )
    later = draw.plan.draws.filter(sequence__gt=draw.sequence).order_by("sequence").first()
    earlier = list(draw.plan.draws.filter(sequence__lt=draw.sequence).order_by("sequence"))
    team_rows = [
        {
            **member,
            "conflicts": [
                units[unit].get("name", unit) for unit in (member.get("units") or []) if unit in units
            ],
        }
        for member in members.values()
    ]
    exclusions = [
        {
            "unit": units.get(row.get("id"), {"id": row.get("id"), "name": f"#{row.get('id')}"}),
            "reason": _EXCLUSION_REASONS[row.get("reason")](draw)
            if row.get("reason") in _EXCLUSION_REASONS
            else row.get("reason"),
        }
        for row in _rows(draw.excluded)
    ]
    drawn_at_iso = _drawn_at_iso(draw)
    result_rows = _draw_rows(draw.result, units=units, members=members, inspections=inspections)
    return render(
        request,
        "responsibility/inspections/draws/detail.html",
        {
            "draw": draw,
            "plan": draw.plan,
            "verification": verification,
            "later": later,
            "earlier": earlier,
            "population": list(units.values()),
            "team_rows": team_rows,
            "exclusions": exclusions,
            "result_rows": result_rows,
            "recomputed_rows": _draw_rows(
                verification.recomputed_result, units=units, members=members, inspections={}
            ),
            "drawn_at_iso": drawn_at_iso,
            "seed_input": (
                f"{draw.algorithm}|plan={draw.plan_id}|draw={draw.sequence}"
                f"|public={draw.public_value}|at={drawn_at_iso}"
            ),
            # Kinds in the order the algorithm takes them (by their stored code), by their names.
            "kind_order": [
                kinds.get(kind, kind) for kind in sorted({str(unit.get("kind")) for unit in units.values()})
            ],
            "key_examples": _key_examples(draw, result_rows),
            "events": [
                event
                for event in inspection_events_of(subject=f"draw:{draw.pk}")
                if event.kind in (InspectionEventKind.DRAWN, InspectionEventKind.REDRAWN)
            ],
        },
    )


# --- Inspections: a drawn unit's checklist -------------------------------------------------------------


def _inspection_page(request, inspection: Inspection, *, failed=None, complete_form=None, status: int = 200):
    """The checklist page. `failed` is (checkpoint pk, bound form) of a refused result, shown again."""
    checkpoints = list(inspection.plan.checkpoints.order_by("number"))
    results = {
        result.checkpoint_id: result
        for result in inspection.results.select_related("recorded_by").prefetch_related("evidence")
    }
    clauses = list(signed_clauses_of_unit(unit_id=inspection.unit_id))
    allowed = inspection_permissions_for(user=request.user, inspection=inspection)
    rows = []
    for checkpoint in checkpoints:
        result = results.get(checkpoint.pk)
        form = None
        if allowed.can_record:
            if failed is not None and failed[0] == checkpoint.pk:
                form = failed[1]
            else:
                form = CheckResultForm(
                    initial={
                        "outcome": result.outcome if result else "",
                        "notes": result.notes if result else "",
                        # 0: "no result yet", so a result recorded meanwhile by the other inspector is
                        # not overwritten silently.
                        "version": result.version if result else 0,
                    },
                    auto_id=f"cp{checkpoint.pk}-%s",
                )
        rows.append(
            {
                "checkpoint": checkpoint,
                "clauses": [clause for clause in clauses if clause.category in checkpoint.categories],
                "result": result,
                "form": form,
            }
        )
    findings = list(
        finding_list_visible_to(user=request.user).filter(inspection=inspection).order_by("number")
    )
    return render(
        request,
        "responsibility/inspections/checks/detail.html",
        {
            "inspection": inspection,
            "plan": inspection.plan,
            "inspectors": sorted(
                inspection.inspectors.all(), key=lambda user: (user.get_full_name(), user.pk)
            ),
            "rows": rows,
            "has_signed_letter": bool(clauses),
            "recorded_count": len(results),
            "checkpoint_count": len(checkpoints),
            "findings": findings,
            "allowed": allowed,
            "complete_form": complete_form or InspectionCompleteForm(initial={"summary": inspection.summary}),
            # Until every checkpoint has a result the page says so instead of offering the sign-off (a
            # refused sign-off is shown again with its summary, which is not lost).
            "complete_refusal": inspection_complete_refusal(inspection=inspection)
            if allowed.can_record and complete_form is None
            else "",
        },
        status=status,
    )


def _visible_inspection(request, pk: int) -> Inspection:
    return get_object_or_404(inspection_list_visible_to(user=request.user), pk=pk)


@login_required
def inspection_detail_view(request, pk: int):
    return _inspection_page(request, _visible_inspection(request, pk))


def _checkpoint_anchor(inspection_pk: int, checkpoint_pk: int) -> str:
    return reverse("responsibility:inspection-detail", args=[inspection_pk]) + f"#checkpoint-{checkpoint_pk}"


@login_required
def check_result_record_view(request, pk: int, checkpoint: int):
    """POST: record one checkpoint's result. A refusal shows the checklist again with the input kept."""
    inspection = _visible_inspection(request, pk)
    if request.method != "POST":
        return redirect(_checkpoint_anchor(inspection.pk, checkpoint))
    inspection_check_permission(user=request.user, action=InspectionAction.RECORD, inspection=inspection)
    target = get_object_or_404(checkpoint_list_visible_to(user=request.user), pk=checkpoint)
    form = CheckResultForm(request.POST, request.FILES, auto_id=f"cp{target.pk}-%s")
    if form.is_valid():
        try:
            check_result_record(
                inspection=inspection,
                checkpoint=target,
                data=form.result_input(),
                recorded_by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            form.add_error("files" if isinstance(error, EvidenceRefused) else None, str(error))
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Result of checkpoint %(number)d recorded.") % {"number": target.number}
            )
            return redirect(_checkpoint_anchor(inspection.pk, target.pk))
    else:
        messages.error(
            request, _("Please correct, then record: %(problems)s") % {"problems": form_problems_text(form)}
        )
    inspection = _visible_inspection(request, pk)  # as it is now
    return _inspection_page(request, inspection, failed=(target.pk, form), status=400)


@login_required
@require_POST
def inspection_complete_view(request, pk: int):
    inspection = _visible_inspection(request, pk)
    inspection_check_permission(user=request.user, action=InspectionAction.RECORD, inspection=inspection)
    form = InspectionCompleteForm(request.POST)
    if form.is_valid():
        try:
            inspection_complete(
                inspection=inspection, completed_by=request.user, summary=form.cleaned_data["summary"]
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("The check of %(unit)s is completed.") % {"unit": inspection.unit.name}
            )
            return redirect("responsibility:inspection-detail", pk=inspection.pk)
    return _inspection_page(request, _visible_inspection(request, pk), complete_form=form, status=400)
