"""`manage.py export_archive`: the batch print from the command line, with clear errors."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from tests.factories import OrgUnitFactory
from tests.responsibility.archive_helpers import (
    FAKE_PAGES,
    blank_pdf,
    documents_attach,
    fake_render_install,
    letters_countersign_new,
    media_root_use,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    return media_root_use(settings, tmp_path)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("export_archive", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_archive_writes_a_merged_pdf_with_the_real_sealed_letters(seal_settings, org, tmp_path):
    # given two letters with their real sealed PDFs
    documents = documents_attach(letters_countersign_new(org, 2))
    target = tmp_path / "汇编.pdf"

    # when the office runs the command
    output = _run("--campaign", str(org.campaign.pk), "--out", str(target))

    # then the file holds cover, contents and both letters, and the progress was printed
    merged = PdfReader(target)
    letter_pages = sum(len(PdfReader(d.file.path).pages) for d in documents)
    assert len(merged.pages) == 2 + letter_pages
    assert len(merged.outline) == 2
    assert "2/2" in output
    assert f"Wrote {target}: 2 letters" in output
    assert not list(tmp_path.glob(".*.part"))


def test_export_archive_writes_a_zip_of_chosen_units(monkeypatch, org, tmp_path):
    fake_render_install(monkeypatch)
    unit = OrgUnitFactory(code="FGW")
    chosen = letters_countersign_new(org, 1, unit=unit)
    documents_attach(chosen + letters_countersign_new(org, 2))
    target = tmp_path / "units.zip"

    _run("--campaign", str(org.campaign.pk), "--out", str(target), "--zip", "--unit", "FGW")

    with zipfile.ZipFile(target) as archive:
        pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert [name.split("_")[0] for name in pdfs] == [chosen[0].reference]


def test_export_archive_warns_about_letters_left_out(monkeypatch, org, tmp_path):
    fake_render_install(monkeypatch)
    documents_attach(letters_countersign_new(org, 1))
    letters_countersign_new(org, 2)  # their PDFs are still pending
    errors = io.StringIO()

    call_command(
        "export_archive",
        "--campaign",
        str(org.campaign.pk),
        "--out",
        str(tmp_path / "a.pdf"),
        stdout=io.StringIO(),
        stderr=errors,
    )

    assert "2 letter(s) in force have no ready PDF" in errors.getvalue()
    assert len(PdfReader(tmp_path / "a.pdf").pages) == 2 + FAKE_PAGES


def test_export_archive_refuses_an_unknown_campaign(tmp_path):
    with pytest.raises(CommandError, match="no campaign with id 424242"):
        _run("--campaign", "424242", "--out", str(tmp_path / "x.pdf"))

    assert not (tmp_path / "x.pdf").exists()


def test_export_archive_refuses_a_campaign_without_ready_pdfs(org, countersigned_letter, tmp_path):
    with pytest.raises(CommandError, match="No sealed PDF is ready"):
        _run("--campaign", str(org.campaign.pk), "--out", str(tmp_path / "x.pdf"))

    assert not (tmp_path / "x.pdf").exists()


def test_export_archive_refuses_an_unknown_unit(org, tmp_path):
    with pytest.raises(CommandError, match="Unknown unit code"):
        _run("--campaign", str(org.campaign.pk), "--out", str(tmp_path / "x.pdf"), "--unit", "NOPE")


def test_export_archive_refuses_a_missing_folder(monkeypatch, org, tmp_path):
    fake_render_install(monkeypatch)
    documents_attach(letters_countersign_new(org, 1))

    with pytest.raises(CommandError, match="does not exist"):
        _run("--campaign", str(org.campaign.pk), "--out", str(tmp_path / "missing" / "x.pdf"))


def test_export_archive_leaves_no_half_file_when_a_stored_pdf_was_changed(monkeypatch, org, tmp_path):
    fake_render_install(monkeypatch)
    document = documents_attach(letters_countersign_new(org, 1))[0]
    with open(document.file.path, "ab") as stored:
        stored.write(b"changed")

    with pytest.raises(CommandError, match="SHA-256"):
        _run("--campaign", str(org.campaign.pk), "--out", str(tmp_path / "x.pdf"))

    assert list(tmp_path.glob("*x.pdf*")) == []


def test_export_archive_duplex_starts_every_letter_on_an_odd_page(monkeypatch, org, tmp_path):
    # given two letters of three pages each
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf",
        lambda *, letter, verification_code, anchor=None: blank_pdf(pages=3, label=letter.reference),
    )
    monkeypatch.setattr("core.pdf.seal.pdf_seal", lambda *, pdf: pdf)
    documents_attach(letters_countersign_new(org, 2))
    target = tmp_path / "双面.pdf"

    # when the office asks for the volume for double-sided printing
    output = _run("--campaign", str(org.campaign.pk), "--out", str(target), "--duplex")

    # then the second letter starts on an odd page after a blank one: the front matter (made even),
    # 3 pages, a blank page, 3 pages
    merged = PdfReader(target)
    starts = [merged.get_destination_page_number(item) for item in merged.outline]
    front = starts[0]
    assert front % 2 == 0
    assert starts == [front, front + 4]
    assert len(merged.pages) == front + 7
    assert merged.pages[front + 3].extract_text().strip() == ""
    assert "double-sided" in output


def test_export_archive_refuses_duplex_for_a_zip(org, tmp_path):
    with pytest.raises(CommandError, match="--duplex applies to the merged PDF"):
        _run("--campaign", str(org.campaign.pk), "--out", str(tmp_path / "x.zip"), "--zip", "--duplex")

    assert not (tmp_path / "x.zip").exists()
