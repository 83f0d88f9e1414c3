"""廉政档案 pages: the files (the inspection team looks a cadre up; everyone else finds their own and those
opened to them, and asks for access), a cadre's file with its documents, the decisions on access
requests, and the log of openings.

A file is read only on a ground `integrity_file_reading` gives (else 404, or a clear refusal when the
user's approved period is not today's), and every reading is logged before anything is shown; actions
are decided by permissions.py (403 before any input is read) and carried out by files.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import clock
from core.errors import ApplicationError
from core.http import form_data, form_status, form_submit, object_or_404, query_without_page, search_words
from responsibility.cadres.audit import cadre_event_describe
from responsibility.cadres.file_contents import integrity_file_read
from responsibility.cadres.file_forms import AccessDecisionForm, AccessRequestForm, FileDocumentForm
from responsibility.cadres.files import (
    file_access_decide,
    file_access_request,
    file_document_add,
    file_opening_record,
)
from responsibility.cadres.models import AccessStatus, FileDocument
from responsibility.cadres.permissions import (
    FileAction,
    file_access_requests_to_step_aside,
    file_check_permission,
    file_user_can,
    files_read_everything,
)
from responsibility.cadres.posts_held import has_integrity_file
from responsibility.cadres.selectors import (
    FileBasis,
    file_access_out_of_period,
    file_access_request_list_visible_to,
    file_access_requests_pending,
    file_cadre_get,
    file_cadre_list,
    file_opening_list,
    integrity_file_reading,
    integrity_opinion_list_visible_to,
)
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.views import evidence_file_response

CADRES_PER_PAGE = 50
OPENINGS_PER_PAGE = 100
REQUESTS_SHOWN = 50


def _file_url(pk: int, anchor: str = "") -> str:
    url = reverse("responsibility:integrity-file-detail", kwargs={"pk": pk})
    return f"{url}#{anchor}" if anchor else url


@login_required
def integrity_file_list_view(request):
    """The files the user may read, their access requests (and, posted here, a new one), and for the
    inspection team every cadre by name and the requests awaiting a decision."""
    user = request.user
    reads_all = files_read_everything(user)
    page, search = None, search_words(request, max_length=50)
    if reads_all:
        people = file_cadre_list(search=search).prefetch_related("posts__unit")
        page = Paginator(people, CADRES_PER_PAGE).get_page(request.GET.get("page"))
    can_request = file_user_can(user=user, action=FileAction.REQUEST_ACCESS)
    form = None
    if can_request:
        cadres = file_cadre_list().exclude(pk=user.pk).prefetch_related("posts__unit")
        form = AccessRequestForm(form_data(request), cadres=cadres, initial=AccessRequestForm.initial_for())

        def save():
            access = file_access_request(
                cadre=form.cleaned_data["cadre"],
                requester=user,
                reason=form.cleaned_data["reason"],
                valid_from=form.cleaned_data["valid_from"],
                valid_until=form.cleaned_data["valid_until"],
            )
            messages.success(
                request,
                _("Your request to read the file of %(name)s was sent to the discipline inspection team.")
                % {"name": access.cadre.get_full_name()},
            )
            return redirect(reverse("responsibility:integrity-file-list") + "#requests")

        done = form_submit(form, save)
        if done is not None:
            return done
    elif request.method == "POST":
        file_check_permission(user=user, action=FileAction.REQUEST_ACCESS)
    today = clock.today()
    to_decide = list(file_access_requests_pending(user=user)[:REQUESTS_SHOWN])
    step_aside = file_access_requests_to_step_aside(approver=user, requests=to_decide) if to_decide else set()
    my_requests = list(
        file_access_request_list_visible_to(user=user)
        .filter(requester=user)
        .order_by("-created_at", "-pk")[:REQUESTS_SHOWN]
    )
    return render(
        request,
        "responsibility/files/list.html",
        {
            "reads_all": reads_all,
            "people": page.object_list if page is not None else [],
            "page_obj": page,
            "search": search,
            "query_without_page": query_without_page(request),
            "own_file": has_integrity_file(user),
            "my_requests": [(access, access.grants_on(today)) for access in my_requests],
            "to_decide": [(access, access.pk in step_aside) for access in to_decide],
            "form": form,
            "can_read_openings": file_user_can(user=user, action=FileAction.READ_OPENINGS),
            "can_manage_opinions": file_user_can(user=user, action=FileAction.MANAGE_OPINIONS),
        },
        status=form_status(form) if form is not None else 200,
    )


def _cadre_and_reading(request, pk: int):
    """The cadre and the user's ground for reading their file; 404 when there is none, a clear refusal
    (403) when the user's approved period is not today's."""
    cadre = file_cadre_get(pk=pk)
    if cadre is None:
        raise Http404
    reading = integrity_file_reading(user=request.user, cadre=cadre)
    if reading is not None:
        return cadre, reading, None
    approved = file_access_out_of_period(user=request.user, cadre=cadre)
    if approved is None:
        raise Http404
    refusal = render(
        request,
        "responsibility/files/out_of_period.html",
        {"cadre": cadre, "access": approved, "not_yet": approved.valid_from > clock.today()},
        status=403,
    )
    return cadre, None, refusal


def _file_page(request, cadre, reading, *, document_form=None, status: int = 200):
    user = request.user
    can_add = file_user_can(user=user, action=FileAction.ADD_DOCUMENT)
    if can_add and document_form is None:
        document_form = FileDocumentForm(initial={"dated": clock.today()})
    opinions = list(integrity_opinion_list_visible_to(user=user).filter(cadre=cadre))
    openings = []
    if file_user_can(user=user, action=FileAction.READ_OPENINGS):
        openings = _opening_rows(file_opening_list(cadre_id=cadre.pk)[:20])
    return render(
        request,
        "responsibility/files/detail.html",
        {
            "cadre": cadre,
            "reading": reading,
            "by_access": reading.basis == FileBasis.ACCESS,
            "file": integrity_file_read(cadre),
            "document_form": document_form if can_add else None,
            "opinions": opinions,
            "openings": openings,
        },
        status=status,
    )


@login_required
def integrity_file_detail_view(request, pk: int):
    """A cadre's file. Opening it is logged first (who, whose, on what ground)."""
    cadre, reading, refusal = _cadre_and_reading(request, pk)
    if refusal is not None:
        return refusal
    file_opening_record(cadre=cadre, opened_by=request.user, reading=reading)
    return _file_page(request, cadre, reading)


@login_required
@require_POST
def file_document_add_view(request, pk: int):
    cadre, reading, refusal = _cadre_and_reading(request, pk)
    if refusal is not None:
        return refusal
    file_check_permission(user=request.user, action=FileAction.ADD_DOCUMENT)
    form = FileDocumentForm(request.POST, request.FILES)

    def save():
        document = file_document_add(
            cadre=cadre,
            added_by=request.user,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            dated=form.cleaned_data["dated"],
            summary=form.cleaned_data["summary"],
            uploads=form.cleaned_data["files"],
        )
        messages.success(request, _("“%(title)s” was added to the file.") % {"title": document.title})
        return redirect(_file_url(cadre.pk, "documents"))

    return form_submit(form, save) or _file_page(request, cadre, reading, document_form=form, status=400)


@login_required
def file_document_download_view(request, pk: int, document_pk: int, evidence_pk: int):
    """A file of a document in the file, as a download; logged like an opening of the file."""
    cadre, reading, refusal = _cadre_and_reading(request, pk)
    if refusal is not None:
        return refusal
    document = get_object_or_404(FileDocument.objects.filter(cadre=cadre), pk=document_pk)
    evidence = get_object_or_404(EvidenceFile.objects.filter(file_document=document), pk=evidence_pk)
    file_opening_record(cadre=cadre, opened_by=request.user, reading=reading, document=document)
    return evidence_file_response(request, evidence)


@login_required
@require_POST
def file_access_decide_view(request, pk: int):
    """An inspector approves or refuses a request for access (never their own, never when they must step
    aside: 403)."""
    access = object_or_404(file_access_request_list_visible_to(user=request.user).filter(pk=pk))
    file_check_permission(user=request.user, action=FileAction.DECIDE_ACCESS, access_request=access)
    form = AccessDecisionForm(request.POST)
    back = redirect(reverse("responsibility:integrity-file-list") + "#to-decide")
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: choose to approve or to refuse the request."))
        return back
    try:
        decided = file_access_decide(
            access_request=access,
            decided_by=request.user,
            approve=form.approve,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except ApplicationError as error:
        messages.error(request, str(error))
        return back
    if decided.status == AccessStatus.APPROVED:
        messages.success(
            request,
            _("Approved: %(requester)s may read the file of %(cadre)s from %(start)s to %(end)s.")
            % {
                "requester": decided.requester.get_full_name(),
                "cadre": decided.cadre.get_full_name(),
                "start": decided.valid_from.isoformat(),
                "end": decided.valid_until.isoformat(),
            },
        )
    else:
        messages.success(request, _("The request was refused with your reason."))
    return back


@login_required
def file_opening_list_view(request):
    """Every opening of every file, newest first: the head of the inspection team's log."""
    file_check_permission(user=request.user, action=FileAction.READ_OPENINGS)
    page = Paginator(file_opening_list(), OPENINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "responsibility/files/openings.html",
        {
            "openings": _opening_rows(page.object_list),
            "page_obj": page,
            "query_without_page": query_without_page(request),
        },
    )


_BASIS_LABELS = {
    FileBasis.OWN: gettext_lazy("Their own file"),
    FileBasis.TEAM: gettext_lazy("Discipline inspection team"),
    FileBasis.ACCESS: gettext_lazy("Approved access request"),
}


def _opening_rows(events) -> list[tuple]:
    """Each opening with what it was (a sentence) and on what ground."""
    return [
        (event, cadre_event_describe(event), _BASIS_LABELS.get(event.payload.get("basis"), ""))
        for event in events
    ]
