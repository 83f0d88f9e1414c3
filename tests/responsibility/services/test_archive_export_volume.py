"""The merged print volume of real sealed letters (issue 13, item 4): numbered as printed, the 目录 listing
those numbers, fonts embedded once per face, small, and every page drawn as in the sealed letter.

Real renders and seals (letter_document_attach), read back with poppler (pdftotext, pdftoppm).
"""

import io
import re

import pikepdf
import pytest

from responsibility.letters.models.documents import ArchiveExport, ExportFormat
from responsibility.letters.services.exports import (
    archive_export_build,
    archive_export_request,
    archive_export_write,
)
from tests.core.pdf.making import differing_box, font_programs, page_image, page_texts
from tests.responsibility.archive_helpers import (
    blank_pdf,
    documents_attach,
    letters_countersign_new,
    media_root_use,
)

pytestmark = pytest.mark.django_db

# The volume's number: the first line of a page's text (it is printed above everything else).
LABEL = re.compile(r"\A\s*汇编第\s*(\d+)\s*页\s*$", re.M)
# A row of the contents: number, letter number, unit, signer, page.
CONTENTS_ROW = re.compile(r"^\s*(\d+)\s+(\S+号)\s+(\S+)\s+(\S+)\s+(\d+)\s*$", re.M)
# 15 MB for 500 letters.
BYTES_PER_LETTER = 15_000_000 // 500
DPI = 100
NUMBER_BAND = round(30 * DPI / 25.4)  # the top 30 mm, where the volume's numbers are printed


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    return media_root_use(settings, tmp_path)


@pytest.fixture
def sealed_documents(seal_settings, org):
    """Three countersigned letters with their real sealed PDFs (about 1.5 s)."""
    return documents_attach(letters_countersign_new(org, 3))


def _stored(document) -> bytes:
    with document.file.storage.open(document.file.name, "rb") as stored:
        return stored.read()


def _merged(org, *, duplex=False) -> bytes:
    export = archive_export_request(
        campaign=org.campaign,
        unit_ids=[],
        export_format=ExportFormat.MERGED_PDF,
        requested_by=org.office_admin,
        duplex=duplex,
    )
    built = archive_export_build(export=export)
    with built.file.storage.open(built.file.name, "rb") as stored:
        return stored.read()


def _compact(text: str) -> str:
    return re.sub(r"\s", "", text)


def _printed_numbers(texts: list[str]) -> dict[int, int]:
    """{number printed on the page: the page's index}."""
    return {int(found.group(1)): index for index, text in enumerate(texts) if (found := LABEL.search(text))}


def test_the_contents_list_the_numbers_printed_on_the_letters_pages(org, sealed_documents):
    """Renders three letters (about 2 s)."""
    # when the office builds the merged volume of three sealed letters
    texts = page_texts(_merged(org))

    # then the pages after the cover and the contents are numbered 1, 2, 3 … in order
    printed = _printed_numbers(texts)
    front = min(printed.values())
    assert list(printed) == list(range(1, len(texts) - front + 1))
    assert list(printed.values()) == list(range(front, len(texts)))
    assert not any(LABEL.search(text) for text in texts[:front])

    # and the contents list every letter with the number printed on its first page
    rows = CONTENTS_ROW.findall("\n".join(texts[1:front]))
    assert [row[1] for row in rows] == [document.letter.reference for document in sealed_documents]
    expected_first = 1
    for (_number, reference, _unit, signer, page), document in zip(rows, sealed_documents, strict=True):
        first_page = texts[printed[int(page)]]
        assert int(page) == expected_first
        assert reference in _compact(first_page)  # the letter's own first page, with its number
        assert "—1—" in _compact(first_page)  # and its own footer, unchanged
        assert signer == document.letter.signer.full_name
        with pikepdf.open(io.BytesIO(_stored(document))) as letter:
            expected_first += len(letter.pages)


def test_the_cover_states_the_seal_note_and_how_the_pages_are_numbered(org, sealed_documents):
    cover = _compact(page_texts(_merged(org))[0])

    assert "共3份" in cover
    assert "电子签章只在单份PDF中有效，合并后不再保留" in cover
    assert "本汇编自第一份责任书起连续编排页码" in cover
    assert "“汇编第1页”，目录所列即此页码" in cover
    assert "双面打印" not in cover


def test_the_volume_embeds_each_face_once_and_stays_within_15_mb_for_500_letters(org, sealed_documents):
    # given the sealed letters, each with its own font subsets
    letters = [_stored(document) for document in sealed_documents]
    faces = {name for letter in letters for name in font_programs(letter).values()}
    assert sum(len(font_programs(letter)) for letter in letters) > len(faces)

    # when one volume holds the first letter, and another all three
    sizes = []
    for count in (1, 3):
        out = io.BytesIO()
        archive_export_write(
            campaign=org.campaign,
            documents=sealed_documents[:count],
            export_format=ExportFormat.MERGED_PDF,
            out=out,
        )
        sizes.append(out.tell())
    volume = out.getvalue()

    # then it embeds one program per face (the letters' faces, and the cover's and contents')
    names = list(font_programs(volume).values())
    assert len(names) == len(set(names))
    assert faces <= set(names)
    # and each further letter adds no more than 15 MB / 500 letters
    assert (sizes[1] - sizes[0]) / 2 <= BYTES_PER_LETTER


def test_the_volume_draws_every_page_as_the_sealed_letter_does(org, sealed_documents):
    """Renders the pages of a letter twice with pdftoppm (about 1 s)."""
    volume = _merged(org)
    printed = _printed_numbers(page_texts(volume))
    letter = _stored(sealed_documents[1])
    with pikepdf.open(io.BytesIO(_stored(sealed_documents[0]))) as first:
        start = len(first.pages) + 1  # the second letter's first number
    with pikepdf.open(io.BytesIO(letter)) as document:
        pages = len(document.pages)

    for page in range(1, pages + 1):
        original = page_image(letter, page, dpi=DPI)
        bound = page_image(volume, printed[start + page - 1] + 1, dpi=DPI)
        # pixel for pixel the same, but for the number in the top margin
        assert differing_box(original, bound, top=NUMBER_BAND) is None
        assert differing_box(original, bound) is not None


def test_for_double_sided_printing_each_letter_starts_on_an_odd_page(monkeypatch, org):
    # given three letters of three pages each
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf",
        lambda *, letter, verification_code, anchor=None: blank_pdf(pages=3, label=letter.reference),
    )
    monkeypatch.setattr("core.pdf.seal.pdf_seal", lambda *, pdf: pdf)
    documents_attach(letters_countersign_new(org, 3))

    # when the office asks for the volume for double-sided printing
    volume = _merged(org, duplex=True)
    texts = page_texts(volume)

    # then the front matter has an even number of pages and the letters start on 1, 5 and 9
    printed = _printed_numbers(texts)
    front = min(printed.values())
    assert front % 2 == 0
    rows = CONTENTS_ROW.findall("\n".join(texts[1:front]))
    assert [int(row[4]) for row in rows] == [1, 5, 9]
    # the blank pages put in (4 and 8) are counted, but carry no number and nothing else
    assert sorted(printed) == [1, 2, 3, 5, 6, 7, 9, 10, 11]
    for blank in (front + 3, front + 7):
        assert texts[blank].strip() == ""
    assert len(texts) == front + 11
    cover = _compact(texts[0])
    assert "本汇编按双面打印编排，每份责任书均从单页起印；插入的空白页计入页码，但不标注。" in cover


def test_a_zip_ignores_the_double_sided_option(monkeypatch, org):
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf",
        lambda *, letter, verification_code, anchor=None: blank_pdf(label=letter.reference),
    )
    monkeypatch.setattr("core.pdf.seal.pdf_seal", lambda *, pdf: pdf)
    documents_attach(letters_countersign_new(org, 1))

    zipped = archive_export_request(
        campaign=org.campaign,
        unit_ids=[],
        export_format=ExportFormat.ZIP,
        requested_by=org.office_admin,
        duplex=True,
    )

    assert ArchiveExport.objects.get(pk=zipped.pk).duplex is False
