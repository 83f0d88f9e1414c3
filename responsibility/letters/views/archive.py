"""The archive: browse the sealed PDFs of letters in force; the office also batch-prints and retries PDFs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import form_problems_text
from responsibility.letters.forms.archive import ArchiveExportForm, ArchiveFilterForm
from responsibility.letters.models.documents import ExportFormat, ExportStatus
from responsibility.letters.permissions import ArchiveAction, archive_check_permission, archive_user_can
from responsibility.letters.selectors import (
    archive_export_list_visible_to,
    archive_years,
    campaign_list_visible_to,
    campaign_list_with_ready_documents,
    letter_document_list_unfinished,
    letter_list_archived,
    org_unit_list_for_archive,
)
from responsibility.letters.services.exports import archive_export_download_name, archive_export_request
from responsibility.letters.views.documents import stored_file_response
from responsibility.letters.views.keyset import keyset_page

ARCHIVE_PAGE_SIZE = 50
UNFINISHED_SHOWN = 50
EXPORTS_SHOWN = 10


def _archive_page(request, *, export_form: ArchiveExportForm | None = None, status: int = 200):
    user = request.user
    archive_check_permission(user=user, action=ArchiveAction.BROWSE)  # 403: a page, not an object
    campaigns = campaign_list_visible_to(user=user).order_by("-year", "title")
    units = org_unit_list_for_archive()
    unit_choices = list(units.values_list("pk", "name"))  # read once for both forms' unit selects
    filter_form = ArchiveFilterForm(
        request.GET or None,
        years=archive_years(user=user),
        campaigns=campaigns,
        units=units,
        unit_choices=unit_choices,
    )
    filters = filter_form.filters() if filter_form.is_bound else {}
    # Newest first, in keyset pages (views.keyset): no page costs more than its 50 rows.
    page = keyset_page(
        letter_list_archived(user=user, **filters), query=request.GET, per_page=ARCHIVE_PAGE_SIZE
    )
    context = {
        "filter_form": filter_form,
        "page": page,
        "letters": page.rows,
        "can_export": archive_user_can(user=user, action=ArchiveAction.EXPORT),
        "can_retry": archive_user_can(user=user, action=ArchiveAction.RETRY_DOCUMENT),
    }
    if context["can_export"]:
        # Only campaigns with a sealed PDF ready can be printed; with none, the page says so instead of
        # offering a form that could only be refused (a refused form is shown again with its input).
        printable = campaign_list_with_ready_documents(campaigns=campaigns)
        context["export_form"] = export_form or ArchiveExportForm(
            campaigns=printable, units=units, unit_choices=unit_choices
        )
        context["export_offered"] = export_form is not None or printable.exists()
        context["exports"] = list(archive_export_list_visible_to(user=user)[:EXPORTS_SHOWN])
    if context["can_retry"]:
        unfinished = letter_document_list_unfinished(user=user)
        shown = list(unfinished[:UNFINISHED_SHOWN])
        context["unfinished"] = shown
        context["unfinished_total"] = len(shown) if len(shown) < UNFINISHED_SHOWN else unfinished.count()
    return render(request, "responsibility/archive/archive.html", context, status=status)


@login_required
def archive_view(request):
    return _archive_page(request)


@login_required
@require_POST
def export_create_view(request):
    archive_check_permission(user=request.user, action=ArchiveAction.EXPORT)  # 403 before a 400
    form = ArchiveExportForm(
        request.POST,
        campaigns=campaign_list_visible_to(user=request.user),
        units=org_unit_list_for_archive(),
    )
    if form.is_valid():
        try:
            export = archive_export_request(
                campaign=form.cleaned_data["campaign"],
                unit_ids=[unit.pk for unit in form.cleaned_data["units"]],
                export_format=form.cleaned_data["export_format"],
                requested_by=request.user,
                duplex=form.cleaned_data["duplex"],
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The batch print is being prepared."))
            return redirect("responsibility:export-detail", pk=export.pk)
    messages.error(
        request,
        _("Please correct, then start the batch print: %(problems)s")
        % {"problems": form_problems_text(form)},
    )
    return _archive_page(request, export_form=form, status=400)


def _visible_export(request, pk: int):
    return get_object_or_404(archive_export_list_visible_to(user=request.user), pk=pk)  # not the office → 404


@login_required
def export_detail_view(request, pk: int):
    export = _visible_export(request, pk)
    return render(
        request,
        "responsibility/archive/export_detail.html",
        {
            "export": export,
            "in_progress": export.status in (ExportStatus.PENDING, ExportStatus.RUNNING),
            "is_ready": export.status == ExportStatus.READY,
            "is_merged_pdf": export.format == ExportFormat.MERGED_PDF,
            "download_name": archive_export_download_name(export=export),
        },
    )


@login_required
def export_status_view(request, pk: int):
    """Polled by the export page for its status badge and progress bar."""
    export = _visible_export(request, pk)
    return JsonResponse(
        {
            "status": export.status,
            "status_label": export.get_status_display(),
            "done": export.progress_done,
            "total": export.progress_total,
            "percent": export.percent,
        }
    )


@login_required
def export_download_view(request, pk: int):
    export = _visible_export(request, pk)
    if export.status != ExportStatus.READY:
        messages.info(request, _("The batch print is not ready yet."))
        return redirect(reverse("responsibility:export-detail", args=[export.pk]))
    return stored_file_response(
        field_file=export.file,
        download_name=archive_export_download_name(export=export),
        content_type="application/pdf" if export.format == ExportFormat.MERGED_PDF else "application/zip",
        fallback_name=f"archive-export-{export.pk}.{export.format}",
    )
