"""Batch prints of the archive: a campaign's stored sealed PDFs as one merged print volume, or as a ZIP.

Nothing is laid out again: the letters are the stored bytes, checked against their recorded SHA-256.
Only the cover and the table of contents of the merged volume are rendered. The volume is bound by
core.pdf.volume: each face's fonts and every identical resource embedded once, and its pages numbered
continuously from the first letter (「汇编第 12 页」 in the top outer corner; the letters keep their own
footers), the numbers the contents list. On request every letter starts on an odd page for
double-sided printing. The volume is a print copy: the seals of the single PDFs do not survive
binding, and its cover says so. The ZIP keeps each sealed PDF byte for byte, with a manifest of their
SHA-256.
"""

import csv
import datetime
import hashlib
import io
import logging
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from core.pdf.fonts import font_template_context
from core.spreadsheets import csv_text, formula_like, spreadsheet_text
from responsibility.letters.models.documents import ArchiveExport, ExportFormat, ExportStatus, LetterDocument
from responsibility.letters.models.letters import Campaign
from responsibility.letters.permissions import ArchiveAction, archive_check_permission
from responsibility.letters.selectors import archive_export_documents
from responsibility.letters.services.documents import letter_document_download_name
from responsibility.letters.tasks import archive_export_build as archive_export_build_task

logger = logging.getLogger(__name__)

# Progress is written every this many letters: often enough for the bar, rarely enough to stay cheap.
PROGRESS_EVERY = 25
MAX_ERROR_LENGTH = 300
MANIFEST_NAME = "manifest.csv"
# The volume holds every letter's parsed PDF in memory while it is bound (the worker peaked at 511 MB
# binding 500 different 4-page letters, measured): a larger batch goes out as a ZIP, or by units.
MERGED_PDF_MAX_LETTERS = 1000
# Where the volume's page numbers are printed: baseline 20 mm below the top edge, ending at the outer
# edge of the letters' text block (letter.css: 26 mm right margin).
VOLUME_NUMBER_TOP_MM = 20
VOLUME_NUMBER_OUTER_MM = 26

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportSummary:
    """What an export holds: letters, pages (merged PDF only) and bytes written."""

    letters: int
    pages: int | None
    size: int


@dataclass(frozen=True)
class _TocEntry:
    reference: str
    unit: str
    signer: str
    start: int  # the volume page number printed on the letter's first page
    pages: int


def archive_compilation_title(*, campaign: Campaign) -> str:
    """「2026年度党风廉政建设责任书汇编」: the cover title and the download name of a batch print."""
    return f"{campaign.year}年度党风廉政建设责任书汇编"


def archive_volume_page_label(number: int) -> str:
    """「汇编第 12 页」: what the volume prints on its page `number` and what the contents refer to."""
    return f"汇编第 {number} 页"


@transaction.atomic
def archive_export_request(
    *, campaign: Campaign, unit_ids: Sequence[int], export_format: str, requested_by, duplex: bool = False
) -> ArchiveExport:
    """The office asks for a batch print; a task builds it from the stored PDFs once this commits.

    `duplex` (merged PDF only; a ZIP ignores it) starts every letter on an odd page.
    """
    archive_check_permission(user=requested_by, action=ArchiveAction.EXPORT)
    if export_format not in ExportFormat.values:
        raise ApplicationError(_("Choose a merged PDF or a ZIP."), code="export_format_invalid")
    unit_ids = sorted({int(unit_id) for unit_id in unit_ids})
    total = archive_export_documents(campaign=campaign, unit_ids=unit_ids).count()
    if not total:
        raise ApplicationError(
            _("No sealed PDF is ready for this campaign and these units yet."), code="export_empty"
        )
    _merged_size_check(export_format=export_format, letters=total)
    export = ArchiveExport.objects.create(
        campaign=campaign,
        unit_ids=unit_ids,
        format=export_format,
        duplex=bool(duplex) and export_format == ExportFormat.MERGED_PDF,
        requested_by=requested_by,
        progress_total=total,
    )
    archive_export_build_task.delay_on_commit(export_id=export.pk)
    logger.info("Archive export %s of %s requested by %s", export.pk, campaign, requested_by)
    return export


def archive_export_build(*, export: ArchiveExport) -> ArchiveExport:
    """Assemble a requested export and store it. A ready one is left alone; any other starts over."""
    with transaction.atomic():
        locked = row_lock(ArchiveExport.objects.select_related("campaign"), pk=export.pk)
        if locked.status == ExportStatus.READY:
            return locked
        documents = list(archive_export_documents(campaign=locked.campaign, unit_ids=locked.unit_ids))
        locked.status = ExportStatus.RUNNING
        locked.progress_done = 0
        locked.progress_total = len(documents)
        locked.error = ""
        locked.heartbeat_at = clock.now()
        locked.save(update_fields=["status", "progress_done", "progress_total", "error", "heartbeat_at"])

    def progress(done: int, total: int) -> None:
        # Also the build's heartbeat: one silent for STUCK_WORK_AFTER died with its worker.
        locked.progress_done = done
        locked.heartbeat_at = clock.now()
        locked.save(update_fields=["progress_done", "heartbeat_at"])

    try:
        if not documents:
            raise ApplicationError(_("No sealed PDF is ready for this campaign and these units."))
        with tempfile.TemporaryFile() as out:
            summary = archive_export_write(
                campaign=locked.campaign,
                documents=documents,
                export_format=locked.format,
                out=out,
                progress=progress,
                duplex=locked.duplex,
            )
            out.seek(0)
            name = f"{locked.campaign.year}-export-{locked.pk}.{locked.format}"
            locked.file.save(name, File(out, name=name), save=False)
    except Exception as error:
        message = (
            f"{type(error).__name__}: {error}" if not isinstance(error, ApplicationError) else str(error)
        )
        locked.status = ExportStatus.FAILED
        locked.error = message[:MAX_ERROR_LENGTH]
        locked.finished_at = clock.now()
        locked.save(update_fields=["status", "error", "finished_at"])
        logger.error("Archive export %s failed: %s", locked.pk, message, exc_info=error)
        raise
    locked.status = ExportStatus.READY
    locked.progress_done = summary.letters
    locked.finished_at = clock.now()
    locked.save(update_fields=["file", "status", "progress_done", "finished_at"])
    logger.info("Archive export %s ready: %d letters, %d bytes", locked.pk, summary.letters, summary.size)
    return locked


def archive_export_download_name(*, export: ArchiveExport) -> str:
    return f"{archive_compilation_title(campaign=export.campaign)}.{export.format}"


def archive_export_write(
    *,
    campaign: Campaign,
    documents: Sequence[LetterDocument],
    export_format: str,
    out: BinaryIO,
    progress: Progress | None = None,
    duplex: bool = False,
) -> ExportSummary:
    """Write the export to `out`: the service's task and `manage.py export_archive` share this.

    `duplex` applies to the merged PDF: every letter starts on an odd page.
    """
    if not documents:
        raise ApplicationError(_("No sealed PDF is ready for this campaign and these units."))
    if export_format == ExportFormat.ZIP:
        return _zip_write(documents=documents, out=out, progress=progress)
    _merged_size_check(export_format=export_format, letters=len(documents))
    return _merged_pdf_write(
        campaign=campaign, documents=documents, out=out, progress=progress, duplex=duplex
    )


def _merged_size_check(*, export_format: str, letters: int) -> None:
    if export_format == ExportFormat.MERGED_PDF and letters > MERGED_PDF_MAX_LETTERS:
        raise ApplicationError(
            _(
                "One merged PDF holds at most %(max)d letters (this selection has %(count)d). "
                "Choose some units, or a ZIP."
            )
            % {"max": MERGED_PDF_MAX_LETTERS, "count": letters},
            code="export_too_large",
        )


def _stored_pdf_read(document: LetterDocument) -> bytes:
    """The stored sealed PDF, refused if it is no longer the file that was sealed."""
    with document.file.storage.open(document.file.name, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise ApplicationError(
            _("The stored PDF of letter %(reference)s does not match its recorded SHA-256.")
            % {"reference": document.letter.reference}
        )
    return data


def _progress_report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


def _zip_write(
    *, documents: Sequence[LetterDocument], out: BinaryIO, progress: Progress | None
) -> ExportSummary:
    """The sealed PDFs byte for byte (stored, not deflated: PDFs are compressed already) and a manifest.

    The manifest's text cells go through `csv_text` (a unit named "=cmd|…" stays text). Its file names
    and SHA-256 stay exact: the names are made never to start like a formula (`_archive_entry_name`),
    so each cell is the very name of its entry in the ZIP.
    """
    manifest = io.StringIO()
    rows = csv.writer(manifest)
    rows.writerow(
        [
            _("File"),
            _("Letter number"),
            _("Unit"),
            _("Signer"),
            _("Countersigned on"),
            _("Verification code"),
            _("Size (bytes)"),
            "SHA-256",
        ]
    )
    used: set[str] = set()
    total = len(documents)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, document in enumerate(documents, 1):
            letter = document.letter
            data = _stored_pdf_read(document)
            name = _unique_name(_archive_entry_name(letter_document_download_name(letter=letter)), used)
            info = zipfile.ZipInfo(name, date_time=_zip_time(document.rendered_at))
            archive.writestr(info, data)
            rows.writerow(
                [
                    name,
                    csv_text(letter.reference),
                    csv_text(letter.signer_unit.name),
                    csv_text(letter.signer.full_name),
                    _local_date(letter.countersigned_at),
                    csv_text(document.verification_code),
                    len(data),
                    document.sha256,
                ]
            )
            _progress_report(progress, done, total)
        # UTF-8 with a byte-order mark, so that Excel shows the Chinese names.
        archive.writestr(
            zipfile.ZipInfo(MANIFEST_NAME, date_time=_zip_time(clock.now())),
            manifest.getvalue().encode("utf-8-sig"),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return ExportSummary(letters=total, pages=None, size=out.tell())


def _merged_pdf_write(
    *,
    campaign: Campaign,
    documents: Sequence[LetterDocument],
    out: BinaryIO,
    progress: Progress | None,
    duplex: bool,
) -> ExportSummary:
    """Cover and contents (rendered), then each stored PDF bound into the volume, numbered as printed."""
    # Imported here: pikepdf and WeasyPrint load only in the processes that build exports.
    from core.pdf.volume import MM, Volume, VolumeError

    volume = Volume(odd_starts=duplex)
    entries: list[_TocEntry] = []
    total = len(documents)
    for done, document in enumerate(documents, 1):
        letter = document.letter
        unit, signer = letter.signer_unit.name, letter.signer.full_name
        try:
            placement = volume.part_add(
                _stored_pdf_read(document), title=f"{letter.reference} {unit} {signer}"
            )
        except VolumeError as error:
            raise ApplicationError(
                _("The stored PDF of letter %(reference)s cannot be read.") % {"reference": letter.reference}
            ) from error
        entries.append(
            _TocEntry(
                reference=letter.reference,
                unit=unit,
                signer=signer,
                start=placement.first,
                pages=placement.pages,
            )
        )
        _progress_report(progress, done, total)
    try:
        summary = volume.write(
            out,
            front=_front_matter_render(campaign=campaign, entries=entries, duplex=duplex),
            number_font=_page_number_font_render(),
            number_text=archive_volume_page_label,
            title=archive_compilation_title(campaign=campaign),
            number_top=VOLUME_NUMBER_TOP_MM * MM,
            number_outer=VOLUME_NUMBER_OUTER_MM * MM,
        )
    except VolumeError as error:
        raise ApplicationError(
            _("The merged PDF could not be assembled: %(error)s") % {"error": error}
        ) from error
    return ExportSummary(letters=total, pages=summary.pages, size=summary.size)


def _front_matter_render(*, campaign: Campaign, entries: Sequence[_TocEntry], duplex: bool) -> bytes:
    """Cover and table of contents. The numbers the contents list start at the first letter, so the
    length of the front matter changes none of them."""
    from core.pdf.engine import html_to_pdf

    return html_to_pdf(
        template_name="responsibility/archive/pdf/compilation_front.html",
        context={
            **font_template_context(),
            "title": archive_compilation_title(campaign=campaign),
            "campaign": campaign,
            "count": len(entries),
            "date": _chinese_date(clock.today()),
            "entries": entries,
            "duplex": duplex,
            "page_label_example": archive_volume_page_label(1),
        },
        subject=f"Cover of the batch print of {campaign}",
    )


def _page_number_font_render() -> bytes:
    """A page never printed, whose font the volume borrows to print its page numbers."""
    from core.pdf.engine import html_to_pdf

    characters = sorted(set(archive_volume_page_label(1234567890)) - {" "})
    return html_to_pdf(
        template_name="responsibility/archive/pdf/page_number_font.html",
        context={**font_template_context(), "characters": "".join(characters)},
        subject="Page number font of a batch print",
    )


def _archive_entry_name(name: str) -> str:
    """A name for a file in the ZIP that no spreadsheet reads as a formula and no direction control
    reverses ("报告\u202efdp.exe"): the manifest can then list it exactly as it is."""
    name = spreadsheet_text(name)
    return "_" + name if formula_like(name) else name


def _unique_name(name: str, used: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".")
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{stem}_{n}{dot}{suffix}"
    used.add(candidate)
    return candidate


def _local_date(moment: datetime.datetime | None) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


def _chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _zip_time(moment: datetime.datetime | None) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment) if moment else timezone.localtime(clock.now())
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
