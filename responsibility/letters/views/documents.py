"""A letter's sealed PDF: download the stored bytes, poll while it is prepared, and (the office) retry it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.http import as_attachment
from responsibility.letters.models.documents import DocumentStatus
from responsibility.letters.permissions import letter_document_user_can_download
from responsibility.letters.selectors import (
    letter_document_for,
    letter_document_get_visible,
    letter_list_visible_to,
)
from responsibility.letters.services.documents import letter_document_download_name, letter_document_retry


def stored_file_response(*, field_file, download_name: str, content_type: str, fallback_name: str):
    """The stored bytes as an attachment (never re-rendered), named in Chinese for every browser."""
    response = FileResponse(field_file.open("rb"), content_type=content_type)
    return as_attachment(response, download_name=download_name, fallback_name=fallback_name)


def _visible_letter(request, pk: int):
    letter = get_object_or_404(letter_list_visible_to(user=request.user), pk=pk)  # invisible → 404
    if not letter_document_user_can_download(user=request.user, letter=letter):
        raise Http404
    return letter


@login_required
def letter_pdf_download_view(request, pk: int):
    letter = _visible_letter(request, pk)
    document = letter_document_for(letter=letter)
    if document is None or document.status != DocumentStatus.READY:
        if document is None:
            messages.error(request, _("This letter has no PDF: it is made once the letter is countersigned."))
        else:
            messages.info(request, _("The PDF is being prepared. Please try again in a moment."))
        return redirect("responsibility:letter-detail", pk=letter.pk)
    return stored_file_response(
        field_file=document.file,
        download_name=letter_document_download_name(letter=letter),
        content_type="application/pdf",
        fallback_name=f"letter-{letter.pk}.pdf",
    )


@login_required
def letter_pdf_status_view(request, pk: int):
    """Polled by the letter page while its PDF is being prepared."""
    document = letter_document_for(letter=_visible_letter(request, pk))
    return JsonResponse({"status": document.status if document else "none"})


@login_required
@require_POST
def letter_document_retry_view(request, pk: int):
    document = get_object_or_404(letter_document_get_visible(user=request.user), pk=pk)
    try:
        letter_document_retry(document=document, requested_by=request.user)  # PermissionDenied → 403
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The PDF of letter %(reference)s will be prepared again.")
            % {"reference": document.letter.reference},
        )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("responsibility:letter-detail", pk=document.letter_id)
