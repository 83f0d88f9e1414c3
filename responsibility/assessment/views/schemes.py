"""The assessment scheme pages: HTTP in, one selector or service, a page out."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.http import XLSX_CONTENT_TYPE, as_attachment
from core.workbooks import MAX_ERRORS_SHOWN
from responsibility.assessment.forms import SchemeImportForm
from responsibility.assessment.indicators import INDICATORS
from responsibility.assessment.models import AssessmentScheme, SchemeArea, SchemeItem, SchemeStatus
from responsibility.assessment.permissions import scheme_check_manage_permission, scheme_user_can_manage
from responsibility.assessment.rules import Rule, rule_sentence
from responsibility.assessment.scheme_workbook import SchemeImportRefused, scheme_workbook
from responsibility.assessment.selectors import scheme_list_visible_to, scheme_with_items
from responsibility.assessment.services.schemes import scheme_draft_discard, scheme_import, scheme_publish


@login_required
def scheme_list_view(request):
    """Every scheme the user may read, each with its versions, newest first."""
    schemes = scheme_list_visible_to(user=request.user).order_by("code", "-version")
    families: dict[str, list[AssessmentScheme]] = {}
    for scheme in schemes:
        families.setdefault(scheme.code, []).append(scheme)
    return render(
        request,
        "responsibility/assessment/schemes/list.html",
        {
            "families": sorted(families.values(), key=lambda versions: versions[0].name),
            "can_manage": scheme_user_can_manage(user=request.user),
        },
    )


def _visible_scheme(request, pk: int) -> AssessmentScheme:
    """A scheme the user may read, or 404: a draft does not exist for those who may not read drafts."""
    return get_object_or_404(scheme_list_visible_to(user=request.user), pk=pk)


@dataclass(frozen=True)
class ItemRow:
    item: SchemeItem
    rule: str  # the rule as a sentence
    indicator_name: str
    indicator_definition: str


@dataclass(frozen=True)
class AreaRows:
    area: SchemeArea
    items: list[ItemRow]


@login_required
def scheme_detail_view(request, pk: int):
    """A scheme version: its areas and scoring points, each with its rule, evidence and who answers it."""
    scheme = get_object_or_404(scheme_with_items(scheme_list_visible_to(user=request.user)), pk=pk)
    areas = []
    for area in scheme.areas.all():
        rows = []
        for item in area.items.all():
            indicator = INDICATORS.get(item.indicator)
            rows.append(
                ItemRow(
                    item=item,
                    rule=rule_sentence(Rule.of(item)),
                    indicator_name=str(indicator.name) if indicator else "",
                    indicator_definition=str(indicator.definition) if indicator else "",
                )
            )
        areas.append(AreaRows(area=area, items=rows))
    versions = scheme_list_visible_to(user=request.user).filter(code=scheme.code).order_by("-version")
    can_manage = scheme_user_can_manage(user=request.user)
    has_draft = any(version.status == SchemeStatus.DRAFT for version in versions)
    return render(
        request,
        "responsibility/assessment/schemes/detail.html",
        {
            "scheme": scheme,
            "areas": areas,
            "scored_areas": [rows for rows in areas if not rows.area.is_bonus],
            "bonus_area": next((rows.area for rows in areas if rows.area.is_bonus), None),
            "item_count": sum(len(rows.items) for rows in areas),
            "versions": versions,
            "can_publish": can_manage and not scheme.is_published,
            "can_discard": can_manage and not scheme.is_published,
            "can_import_version": can_manage and (not scheme.is_published or not has_draft),
        },
    )


@login_required
def scheme_import_view(request, pk: int | None = None):
    """Import a scheme from the office's spreadsheet: a new scheme, a new version of a published one, or
    a draft replaced; every row, or none and each problem listed by row."""
    version_of = _visible_scheme(request, pk) if pk is not None else None
    scheme_check_manage_permission(user=request.user)  # 403 before anything is read
    errors, status = [], 200
    if request.method == "POST":
        form = SchemeImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                scheme = scheme_import(
                    workbook_file=form.cleaned_data["workbook"],
                    imported_by=request.user,
                    version_of=version_of,
                )
            except SchemeImportRefused as error:
                form.add_error(None, str(error))
                errors = error.errors
            except ApplicationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Version %(version)d of “%(name)s” imported as a draft. Check it, then publish it.")
                    % {"version": scheme.version, "name": scheme.name},
                )
                return redirect("responsibility:scheme-detail", pk=scheme.pk)
        status = 400
    else:
        form = SchemeImportForm()
    return render(
        request,
        "responsibility/assessment/schemes/import.html",
        {
            "form": form,
            "version_of": version_of,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "errors_not_shown": max(0, len(errors) - MAX_ERRORS_SHOWN),
        },
        status=status,
    )


@login_required
@require_POST
def scheme_publish_view(request, pk: int):
    scheme = _visible_scheme(request, pk)
    scheme_check_manage_permission(user=request.user)
    try:
        scheme_publish(scheme=scheme, published_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Version %(version)d of “%(name)s” is published: it can no longer change.")
            % {"version": scheme.version, "name": scheme.name},
        )
    return redirect("responsibility:scheme-detail", pk=scheme.pk)


@login_required
@require_POST
def scheme_discard_view(request, pk: int):
    scheme = _visible_scheme(request, pk)
    scheme_check_manage_permission(user=request.user)
    try:
        scheme_draft_discard(scheme=scheme, discarded_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("responsibility:scheme-detail", pk=scheme.pk)
    messages.success(request, _("The draft of “%(name)s” was discarded.") % {"name": scheme.name})
    return redirect("responsibility:scheme-list")


@login_required
def scheme_export_view(request, pk: int):
    """The scheme as its spreadsheet, which imports again as it is (how a new version starts)."""
    scheme = _visible_scheme(request, pk)
    return as_attachment(
        HttpResponse(scheme_workbook(scheme), content_type=XLSX_CONTENT_TYPE),
        download_name=f"{scheme.name}（第{scheme.version}版）.xlsx",
        fallback_name="assessment-scheme.xlsx",
    )


@login_required
def scheme_template_view(request):
    scheme_check_manage_permission(user=request.user)
    return as_attachment(
        HttpResponse(scheme_workbook(None), content_type=XLSX_CONTENT_TYPE),
        download_name=f"{_('Assessment scheme')}.xlsx",
        fallback_name="assessment-scheme-template.xlsx",
    )
