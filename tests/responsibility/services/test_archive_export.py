"""Batch prints: a campaign's stored sealed PDFs as one merged print copy or a ZIP, built by a task."""

import csv
import hashlib
import io
import re
import zipfile
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from core.errors import ApplicationError
from responsibility.letters.models.documents import ArchiveExport, ExportFormat, ExportStatus, LetterDocument
from responsibility.letters.services import exports
from responsibility.letters.services.exports import (
    archive_export_build,
    archive_export_request,
    archive_export_write,
)
from responsibility.letters.tasks import archive_export_build as archive_export_build_task
from responsibility.letters.verify import pdf_verify
from tests.factories import OrgUnitFactory
from tests.responsibility.archive_helpers import (
    FAKE_PAGES,
    documents_attach,
    fake_render_install,
    letters_countersign_new,
    media_root_use,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    return media_root_use(settings, tmp_path)


@pytest.fixture
def sealed_documents(seal_settings, org) -> list[LetterDocument]:
    """Three countersigned letters with their real, sealed PDFs."""
    return documents_attach(letters_countersign_new(org, 3))


@pytest.fixture
def fake_documents(monkeypatch, org) -> list[LetterDocument]:
    fake_render_install(monkeypatch)
    return documents_attach(letters_countersign_new(org, 3))


def _stored(document: LetterDocument) -> bytes:
    with document.file.storage.open(document.file.name, "rb") as stored:
        return stored.read()


def _export_bytes(export: ArchiveExport) -> bytes:
    with export.file.storage.open(export.file.name, "rb") as stored:
        return stored.read()


def _export(org, export_format, unit_ids=()) -> ArchiveExport:
    return archive_export_request(
        campaign=org.campaign,
        unit_ids=list(unit_ids),
        export_format=export_format,
        requested_by=org.office_admin,
    )


# --- request --------------------------------------------------------------------------------------


@mock.patch.object(archive_export_build_task, "delay")
def test_archive_export_request_creates_a_pending_export_and_builds_it_after_commit(
    build_delay, org, fake_documents, django_capture_on_commit_callbacks
):
    # when the office asks for a ZIP of the campaign
    with django_capture_on_commit_callbacks(execute=True):
        export = _export(org, ExportFormat.ZIP)
        build_delay.assert_not_called()

    # then the export waits for its task, which was queued by id
    assert export.status == ExportStatus.PENDING
    assert export.progress_total == 3
    assert export.requested_by == org.office_admin
    build_delay.assert_called_once_with(export_id=export.pk)


def test_archive_export_request_refuses_a_campaign_without_ready_pdfs(org, countersigned_letter):
    # given a countersigned letter whose PDF is still pending
    with pytest.raises(ApplicationError, match="No sealed PDF is ready"):
        _export(org, ExportFormat.MERGED_PDF)

    assert not ArchiveExport.objects.exists()


def test_archive_export_request_refuses_an_unknown_format(org, fake_documents):
    with pytest.raises(ApplicationError, match="merged PDF or a ZIP"):
        _export(org, "docx")


@pytest.mark.parametrize("who", ["inspector", "secretary", "outsider"])
def test_archive_export_request_is_the_offices(org, fake_documents, who):
    with pytest.raises(PermissionDenied):
        archive_export_request(
            campaign=org.campaign, unit_ids=[], export_format=ExportFormat.ZIP, requested_by=getattr(org, who)
        )

    assert not ArchiveExport.objects.exists()


# --- merged PDF -----------------------------------------------------------------------------------


def test_archive_export_build_merges_cover_contents_and_the_stored_pdfs(org, sealed_documents):
    # given three letters with real sealed PDFs, and a requested merged PDF
    export = _export(org, ExportFormat.MERGED_PDF)

    # when the task's service builds it
    built = archive_export_build(export=export)

    # then it holds the cover, one page of contents, then every letter's pages unchanged in count
    assert built.status == ExportStatus.READY
    assert (built.progress_done, built.progress_total) == (3, 3)
    assert built.finished_at is not None
    merged = PdfReader(io.BytesIO(_export_bytes(built)))
    letter_pages = [len(PdfReader(io.BytesIO(_stored(d))).pages) for d in sealed_documents]
    assert len(merged.pages) == 1 + 1 + sum(letter_pages)

    # with one bookmark per letter, pointing at the letter's first page
    outline = merged.outline
    assert len(outline) == 3
    starts = [merged.get_destination_page_number(item) for item in outline]
    assert starts == [2, 2 + letter_pages[0], 2 + letter_pages[0] + letter_pages[1]]
    # in print order: by unit (each letter here has a unit of its own, made in this order)
    ordered = sealed_documents
    assert [item.title.split()[0] for item in outline] == [d.letter.reference for d in ordered]

    # the cover says what it is and that the seals do not survive; the contents list every letter with
    # the volume's page number printed on its first page (numbered from 1 at the first letter)
    cover = merged.pages[0].extract_text()
    assert "2026年度党风廉政建设责任书汇编" in cover
    assert "共 3 份" in cover
    assert "签章" in cover
    contents = merged.pages[1].extract_text()
    for document, start in zip(ordered, starts, strict=True):
        assert document.letter.reference in contents
        assert document.letter.signer.full_name in contents
        number = start - 2 + 1  # after the cover and one page of contents
        # pypdf reads a row as its page number (floated right, drawn first), then the rest of it
        assert re.search(rf"^{number}{re.escape(document.letter.signer.full_name)}\d", contents, re.M)
        assert f"汇编第 {number} 页" in merged.pages[start].extract_text()
    # no leftover signature form: the merged copy does not pretend to be sealed
    assert "/AcroForm" not in merged.trailer["/Root"]


def test_archive_export_build_writes_progress_every_few_letters(monkeypatch, org, fake_documents):
    # given progress written every 2 letters
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    seen = []

    # when an export of 3 letters is written
    archive_export_write(
        campaign=org.campaign,
        documents=fake_documents,
        export_format=ExportFormat.MERGED_PDF,
        out=io.BytesIO(),
        progress=lambda done, total: seen.append((done, total)),
    )

    # then the bar moved at 2 and at the end
    assert seen == [(2, 3), (3, 3)]


def test_archive_export_build_never_renders_a_letter_again(monkeypatch, org, fake_documents):
    # given letters with stored PDFs, and a renderer that must not be called any more
    monkeypatch.setattr("responsibility.letters.pdf.letter_render_pdf", mock.Mock(side_effect=AssertionError))
    export = _export(org, ExportFormat.MERGED_PDF)

    built = archive_export_build(export=export)

    assert built.status == ExportStatus.READY
    assert len(PdfReader(io.BytesIO(_export_bytes(built))).pages) == 2 + 3 * FAKE_PAGES


# --- ZIP ------------------------------------------------------------------------------------------


def test_archive_export_build_zips_the_sealed_pdfs_unchanged_with_a_manifest(org, sealed_documents):
    # given three letters with real sealed PDFs, and a requested ZIP
    export = _export(org, ExportFormat.ZIP)

    # when it is built
    built = archive_export_build(export=export)

    # then the ZIP holds each stored PDF byte for byte, named 「number_unit_signer.pdf」, and a manifest
    with zipfile.ZipFile(io.BytesIO(_export_bytes(built))) as archive:
        names = archive.namelist()
        assert names[-1] == "manifest.csv"
        manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
        files = {name: archive.read(name) for name in names[:-1]}
    assert len(files) == 3
    by_reference = {d.letter.reference: d for d in sealed_documents}
    for name, data in files.items():
        reference, unit, signer = name.removesuffix(".pdf").split("_")
        document = by_reference[reference]
        assert (unit, signer) == (document.letter.signer_unit.name, document.letter.signer.full_name)
        assert data == _stored(document)
        assert pdf_verify(pdf=data).authentic  # the seal survives in the ZIP
    rows = manifest[1:]
    assert len(manifest[0]) == 8
    assert {row[0] for row in rows} == set(files)
    for row in rows:
        assert row[-1] == hashlib.sha256(files[row[0]]).hexdigest() == by_reference[row[1]].sha256
        assert int(row[-2]) == len(files[row[0]])


def test_archive_export_build_of_chosen_units_holds_their_letters_and_their_sections(monkeypatch, org):
    # given letters in a committee, in a section below it, and elsewhere
    fake_render_install(monkeypatch)
    committee = OrgUnitFactory(name="法制工作委员会")
    section = OrgUnitFactory(name="法规处", parent=committee)
    inside = letters_countersign_new(org, 1, unit=committee) + letters_countersign_new(org, 1, unit=section)
    outside = letters_countersign_new(org, 2)
    documents_attach(inside + outside)

    # when the office exports the committee only
    built = archive_export_build(export=_export(org, ExportFormat.ZIP, unit_ids=[committee.pk]))

    # then the ZIP holds the committee's and its section's letters only
    with zipfile.ZipFile(io.BytesIO(_export_bytes(built))) as archive:
        references = {name.split("_")[0] for name in archive.namelist() if name.endswith(".pdf")}
    assert references == {letter.reference for letter in inside}
    assert built.progress_total == 2


# --- failures and idempotency ---------------------------------------------------------------------


def test_archive_export_build_fails_visibly_when_a_stored_pdf_was_changed(org, fake_documents, caplog):
    # given a stored PDF changed after it was sealed
    changed = fake_documents[1]
    path = changed.file.path
    with open(path, "ab") as stored:
        stored.write(b"%% appended")
    export = _export(org, ExportFormat.ZIP)

    # when the export is built, it fails and says which letter
    with pytest.raises(ApplicationError):
        archive_export_build(export=export)

    failed = ArchiveExport.objects.get(pk=export.pk)
    assert failed.status == ExportStatus.FAILED
    assert changed.letter.reference in failed.error
    assert "SHA-256" in failed.error
    assert not failed.file
    assert str(export.pk) in caplog.text


def test_archive_export_build_leaves_a_ready_export_alone(org, fake_documents):
    built = archive_export_build(export=_export(org, ExportFormat.ZIP))
    name = built.file.name

    again = archive_export_build(export=built)

    assert again.file.name == name
    assert ArchiveExport.objects.get(pk=built.pk).status == ExportStatus.READY


def test_archive_export_build_task_calls_the_service(org, fake_documents):
    export = _export(org, ExportFormat.MERGED_PDF)

    archive_export_build_task(export_id=export.pk)

    assert ArchiveExport.objects.get(pk=export.pk).status == ExportStatus.READY
    assert archive_export_build_task(export_id=987654) is None


def test_archive_export_request_sends_a_batch_too_large_for_one_pdf_to_a_zip(
    monkeypatch, org, fake_documents
):
    # given a merged PDF may hold 2 letters (1,000 in production), and 3 are ready
    monkeypatch.setattr(exports, "MERGED_PDF_MAX_LETTERS", 2)

    # then the merged PDF is refused with the way out, and the ZIP is fine
    with pytest.raises(ApplicationError, match="at most 2 letters .* Choose some units, or a ZIP"):
        _export(org, ExportFormat.MERGED_PDF)
    assert _export(org, ExportFormat.ZIP).progress_total == 3
