"""A problem list's 整改情况报告: its working draft, issuing it sealed, and each sealed version's PDF.

Each is read by the readers of the whole ledger only (it names every problem of the list); to anyone else
the report is a page that does not exist (404), as an invisible object is.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.http import as_attachment
from core.sealed_reports import report_file_response, report_issue_tell
from responsibility.supervision.permissions import rectification_report_user_can_read
from responsibility.supervision.selectors import batch_list_visible_to, rectification_report_list_of
from responsibility.supervision.services.reports import rectification_report_issue

logger = logging.getLogger(__name__)


def _report_batch(request, pk: int):
    """A list whose report the user may read, or 404."""
    batch = get_object_or_404(batch_list_visible_to(user=request.user), pk=pk)
    if not rectification_report_user_can_read(user=request.user, batch=batch):
        raise Http404
    return batch


def _reports_section(pk: int):
    return redirect(reverse("responsibility:batch-detail", args=[pk]) + "#reports")


@login_required
def rectification_report_view(request, pk: int):
    """整改情况报告工作稿: the list's report as an unsealed PDF made from the records now, for checking."""
    batch = _report_batch(request, pk)
    # Loaded on use: WeasyPrint is heavy, and no other page needs it.
    from responsibility.supervision.rectification_report import (
        RectificationReportRenderError,
        rectification_report_render,
    )

    try:
        pdf = rectification_report_render(batch=batch)
    except RectificationReportRenderError:
        logger.exception("The rectification report of problem list %s could not be made", batch.pk)
        messages.error(request, _("The report could not be made. Please try again later."))
        return _reports_section(batch.pk)
    download_name = _("Rectification report_%(title)s_working draft.pdf") % {"title": batch.title}
    response = HttpResponse(pdf, content_type="application/pdf")
    return as_attachment(
        response, download_name=download_name, fallback_name=f"rectification-report-{batch.pk}-draft.pdf"
    )


@login_required
@require_POST
def rectification_report_issue_view(request, pk: int):
    """出具整改情况报告: seal and archive the report as its next version (the service decides who may)."""
    batch = _report_batch(request, pk)
    try:
        result = rectification_report_issue(batch=batch, issued_by=request.user)  # PermissionDenied → 403
    except ApplicationError as error:
        messages.error(request, str(error))
        return _reports_section(batch.pk)
    report_issue_tell(
        request,
        result,
        issued=_(
            "Version %(version)d of the rectification report was issued and sealed. "
            "Its verification code is %(code)s."
        ),
    )
    return _reports_section(batch.pk)


@login_required
def rectification_report_document_view(request, pk: int, version: int):
    """A sealed version of the report: the stored bytes, as sealed (never rendered again)."""
    batch = _report_batch(request, pk)
    document = get_object_or_404(rectification_report_list_of(batch=batch), version=version)
    response = report_file_response(
        request,
        document,
        download_name=_("Rectification report_%(title)s_version %(version)d.pdf")
        % {"title": batch.title, "version": document.version},
        fallback_name=f"rectification-report-{batch.pk}-v{document.version}.pdf",
    )
    return response or _reports_section(batch.pk)
