"""廉政意见回复 pages: the replies and (posted there) a new request, a reply with what every source showed,
its conclusion, its sealed versions and its history. For anyone but the inspection team they do not exist
(404): lookups go through `integrity_opinion_list_visible_to`; the services decide the rest.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.audit import event_history_rows
from core.errors import ApplicationError
from core.http import form_data, form_status, form_submit, object_or_404, query_without_page
from core.sealed_reports import report_file_response, report_issue_tell
from responsibility.cadres.audit import cadre_event_describe
from responsibility.cadres.file_forms import OpinionForm, OpinionRegisterForm
from responsibility.cadres.models import IntegrityOpinionDocument, OpinionStatus
from responsibility.cadres.opinions import opinion_issue, opinion_register, opinion_save
from responsibility.cadres.permissions import FileAction, file_check_permission
from responsibility.cadres.selectors import (
    cadre_event_list_of,
    file_cadre_list,
    integrity_opinion_list_visible_to,
)

OPINIONS_PER_PAGE = 50


def _opinion_url(pk: int, anchor: str = "") -> str:
    url = reverse("responsibility:opinion-detail", kwargs={"pk": pk})
    return f"{url}#{anchor}" if anchor else url


def _visible_opinion(request, pk: int):
    return object_or_404(integrity_opinion_list_visible_to(user=request.user).filter(pk=pk))


@login_required
def opinion_list_view(request):
    """The replies, newest first, and registering a new request."""
    user = request.user
    file_check_permission(user=user, action=FileAction.MANAGE_OPINIONS)
    form = OpinionRegisterForm(
        form_data(request),
        cadres=file_cadre_list().prefetch_related("posts__unit"),
        initial={"received_on": clock.today()},
    )

    def save():
        opinion = opinion_register(
            cadre=form.cleaned_data["cadre"],
            registered_by=user,
            purpose=form.cleaned_data["purpose"],
            requested_by=form.cleaned_data["requested_by"],
            request_reference=form.cleaned_data["request_reference"],
            received_on=form.cleaned_data["received_on"],
        )
        messages.success(
            request,
            _("The request was registered and every source checked: write the conclusion and issue it."),
        )
        return redirect(_opinion_url(opinion.pk))

    done = form_submit(form, save)
    if done is not None:
        return done
    page = Paginator(integrity_opinion_list_visible_to(user=user), OPINIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "responsibility/files/opinions.html",
        {
            "opinions": page.object_list,
            "page_obj": page,
            "query_without_page": query_without_page(request),
            "form": form,
        },
        status=form_status(form),
    )


def _opinion_page(request, pk: int, *, form=None, status: int = 200):
    opinion = _visible_opinion(request, pk)
    is_draft = opinion.status == OpinionStatus.DRAFT
    if is_draft and form is None:
        form = OpinionForm(initial={"version": opinion.version, "conclusion": opinion.conclusion})
    return render(
        request,
        "responsibility/files/opinion.html",
        {
            "opinion": opinion,
            "form": form if is_draft else None,
            "documents": list(opinion.documents.select_related("issued_by").order_by("-version")),
            "history": event_history_rows(
                cadre_event_list_of(subject=f"opinion:{opinion.pk}"),
                describe=cadre_event_describe,
                status_labels=dict(OpinionStatus.choices),
            ),
        },
        status=status,
    )


@login_required
def opinion_detail_view(request, pk: int):
    return _opinion_page(request, pk)


@login_required
@require_POST
def opinion_save_view(request, pk: int):
    """Save the conclusion; the 「重新查阅」 button checks every source again first."""
    opinion = _visible_opinion(request, pk)
    file_check_permission(user=request.user, action=FileAction.MANAGE_OPINIONS)
    form = OpinionForm(request.POST)
    recheck = "recheck" in request.POST

    def save():
        opinion_save(
            opinion=opinion,
            saved_by=request.user,
            conclusion=form.cleaned_data["conclusion"],
            recheck=recheck,
            expected_version=form.cleaned_data["version"],
        )
        if recheck:
            messages.success(request, _("Every source was checked again, and the conclusion saved."))
        else:
            messages.success(request, _("The conclusion was saved."))
        return redirect(_opinion_url(opinion.pk, "findings" if recheck else "conclusion"))

    return form_submit(form, save) or _opinion_page(request, pk, form=form, status=400)


@login_required
@require_POST
def opinion_issue_view(request, pk: int):
    """出具: seal the reply as it stands; it never changes after."""
    opinion = _visible_opinion(request, pk)
    try:
        result = opinion_issue(opinion=opinion, issued_by=request.user)  # PermissionDenied: 403
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect(_opinion_url(opinion.pk, "conclusion"))
    report_issue_tell(
        request, result, issued=_("The reply was sealed and issued. Its verification code is %(code)s.")
    )
    return redirect(_opinion_url(opinion.pk, "documents"))


@login_required
def opinion_document_view(request, pk: int, version: int):
    """A sealed version: the stored bytes, as sealed (never rendered again)."""
    opinion = _visible_opinion(request, pk)
    document = get_object_or_404(IntegrityOpinionDocument.objects.filter(opinion=opinion), version=version)
    response = report_file_response(
        request,
        document,
        download_name=_("廉政意见回复_%(cadre)s_version %(version)d.pdf")
        % {"cadre": opinion.cadre.get_full_name(), "version": document.version},
        fallback_name=f"integrity-opinion-{opinion.pk}-v{document.version}.pdf",
    )
    return response or redirect(_opinion_url(opinion.pk, "documents"))
