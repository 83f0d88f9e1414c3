"""Letter template (范本) pages: list, read, draft, publish, and a new version of a published one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from responsibility.letters.forms.templates import (
    LetterTemplateCreateForm,
    LetterTemplateUpdateForm,
    clause_formset,
    clause_texts,
)
from responsibility.letters.models.letters import TemplateLevel
from responsibility.letters.permissions import CampaignAction, campaign_check_permission
from responsibility.letters.selectors import template_list
from responsibility.letters.services.templates import (
    template_create,
    template_new_version,
    template_publish,
    template_update,
)

TEMPLATES_PER_PAGE = 50


def _check_may_manage(request) -> None:
    campaign_check_permission(user=request.user, action=CampaignAction.MANAGE_TEMPLATES)


def _template(pk: int):
    return get_object_or_404(template_list().prefetch_related("clauses"), pk=pk)


@login_required
def template_list_view(request):
    _check_may_manage(request)
    level = request.GET.get("level", "")
    if level not in TemplateLevel.values:
        level = ""
    page_obj = Paginator(
        template_list(level=level or None).order_by("code", "-version"), TEMPLATES_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "responsibility/lettertemplates/list.html",
        {
            "page_obj": page_obj,
            "level": level,
            "levels": TemplateLevel.choices,
            "query_without_page": f"level={level}&" if level else "",
        },
    )


@login_required
def template_detail_view(request, pk: int):
    _check_may_manage(request)
    template = _template(pk)
    return render(
        request,
        "responsibility/lettertemplates/detail.html",
        {
            "template": template,
            "clauses": template.clauses.all(),
            "can_edit": not template.is_published,
            "can_publish": not template.is_published,
            "can_new_version": template.is_published,
        },
    )


@login_required
def template_create_view(request):
    _check_may_manage(request)
    if request.method == "POST":
        form, formset = LetterTemplateCreateForm(request.POST), clause_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                template = template_create(
                    code=form.cleaned_data["code"],
                    clauses=clause_texts(formset),
                    created_by=request.user,
                    **form.template_fields(),
                )
            except (ApplicationError, ValidationError) as error:
                form.add_error(None, _error_messages(error))
            else:
                messages.success(request, _("Template “%(name)s” saved as a draft.") % {"name": template})
                return redirect("responsibility:template-detail", pk=template.pk)
    else:
        form, formset = LetterTemplateCreateForm(), clause_formset()
    return render(
        request,
        "responsibility/lettertemplates/form.html",
        {"form": form, "formset": formset, "template": None},
    )


@login_required
def template_update_view(request, pk: int):
    _check_may_manage(request)
    template = _template(pk)
    if request.method == "POST":
        form = LetterTemplateUpdateForm(request.POST, instance=template)
        formset = clause_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                template = template_update(
                    template=template,
                    clauses=clause_texts(formset),
                    updated_by=request.user,
                    **form.template_fields(),
                )
            except (ApplicationError, ValidationError) as error:
                form.add_error(None, _error_messages(error))
            else:
                messages.success(request, _("Template “%(name)s” saved.") % {"name": template})
                return redirect("responsibility:template-detail", pk=template.pk)
    elif template.is_published:
        messages.info(request, _("A published template cannot be changed; create a new version."))
        return redirect("responsibility:template-detail", pk=template.pk)
    else:
        form, formset = LetterTemplateUpdateForm(instance=template), clause_formset(template=template)
    return render(
        request,
        "responsibility/lettertemplates/form.html",
        {"form": form, "formset": formset, "template": template},
    )


@login_required
@require_POST
def template_publish_view(request, pk: int):
    _check_may_manage(request)
    template = _template(pk)
    try:
        template = template_publish(template=template, published_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Template “%(name)s” published.") % {"name": template})
    return redirect("responsibility:template-detail", pk=template.pk)


@login_required
@require_POST
def template_new_version_view(request, pk: int):
    _check_may_manage(request)
    template = _template(pk)
    try:
        copy = template_new_version(template=template, created_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("responsibility:template-detail", pk=template.pk)
    messages.success(request, _("Version %(version)d created as a draft.") % {"version": copy.version})
    return redirect("responsibility:template-update", pk=copy.pk)


def _error_messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]
