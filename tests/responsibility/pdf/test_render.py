"""letter_render_pdf: a countersigned letter as a PDF/A in official-document layout (GB/T 9704-2012)."""

import io
import os
import re
import subprocess
import tempfile
from zoneinfo import ZoneInfo

import pypdf
import pytest
import segno
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from responsibility.demo.signatures import demo_signature_png
from responsibility.letters.models.documents import LetterDocument
from responsibility.letters.models.letters import LetterEvent, Signature
from responsibility.letters.pdf import letter_render_pdf, signature_ink_png
from tests.responsibility.pdf.reading import compact, pdf_link_uris, pdf_text

pytestmark = pytest.mark.django_db

CODE = "K7QX-3M9D-PA2W-H4TZ"
SHANGHAI = ZoneInfo("Asia/Shanghai")
A4 = (595.28, 841.89)


def _page_number_positions(pdf: bytes) -> list[tuple[str, float]]:
    """(text, x) of the last line on each page: the page number, below the text block."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        layout = subprocess.run(
            ["pdftotext", "-bbox-layout", file.name, "-"], capture_output=True, check=True, timeout=30
        ).stdout.decode()
    positions = []
    for page in layout.split("<page ")[1:]:
        lines = re.findall(r'<line xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</line>', page, re.S)
        x_min, _y_min, words = max(lines, key=lambda line: float(line[1]))
        positions.append(("".join(re.findall(r">([^<]+)</word>", words)), float(x_min)))
    return positions


def _qr_modules_on_page(pdf: bytes, *, page_number: int, rect, size: int) -> list[list[bool]]:
    """Sample the centre of each module of the QR code drawn in `rect` (PDF points), dark or not."""
    dpi = 200
    with tempfile.TemporaryDirectory() as folder:
        source = f"{folder}/letter.pdf"
        with open(source, "wb") as file:
            file.write(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-f",
                str(page_number),
                "-l",
                str(page_number),
                "-r",
                str(dpi),
                "-gray",
                "-png",
                source,
                f"{folder}/page",
            ],
            check=True,
            timeout=30,
        )
        (png,) = [name for name in os.listdir(folder) if name.endswith(".png")]
        image = Image.open(f"{folder}/{png}").convert("L")
    scale = dpi / 72
    left, right = sorted((rect[0], rect[2]))
    bottom, top = sorted((rect[1], rect[3]))
    x0, y0 = left * scale, (A4[1] - top) * scale
    module = (right - left) * scale / size
    return [
        [
            image.getpixel((int(x0 + (col + 0.5) * module), int(y0 + (row + 0.5) * module))) < 128
            for col in range(size)
        ]
        for row in range(size)
    ]


def _images_drawn(pdf: bytes) -> list[tuple[int, int, int]]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        listing = subprocess.run(
            ["pdfimages", "-list", file.name], capture_output=True, check=True, timeout=30
        ).stdout.decode()
    rows = [line.split() for line in listing.splitlines()[2:]]
    return [(int(row[0]), int(row[3]), int(row[4])) for row in rows if row[2] == "image"]


def _lines_in_text_block(pdf: bytes, *, page: int) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        layout = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-bbox-layout", file.name, "-"],
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout.decode()
    top, bottom = (
        37 / 25.4 * 72,
        A4[1] - 35 / 25.4 * 72,
    )  # the text block: 37 mm from the top, 35 from the bottom
    lines = re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)"[^>]*>(.*?)</line>', layout, re.S)
    return [
        "".join(re.findall(r">([^<]+)</word>", words))
        for y_min, words in lines
        if top - 5 < float(y_min) < bottom
    ]


def test_letter_render_pdf_shows_the_whole_countersigned_letter(countersigned_letter):
    # given a letter both parties signed
    letter = countersigned_letter

    # when
    pdf = letter_render_pdf(letter=letter, verification_code=CODE)

    # then it is an A4 PDF: the letter, then the appendix
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4[1], abs=1)
    # and everything the parties agreed to, who they are, and how to verify it, is in the text
    text = compact(pdf_text(pdf))
    expected = [letter.title, letter.reference, letter.issuer.full_name, letter.signer.full_name]
    expected += [compact(clause.text) for clause in letter.clauses.all()]
    expected += [CODE, letter.content_hash, "签署记录", "—1—", "—2—"]
    for signature in Signature.objects.filter(letter=letter):
        day = timezone.localtime(signature.signed_at).date()
        expected.append(f"{day.year}年{day.month}月{day.day}日")
    missing = [snippet for snippet in expected if snippet not in text]
    assert missing == []


def test_letter_render_pdf_writes_pdf_a_3b(countersigned_letter):
    # when
    pdf = letter_render_pdf(letter=countersigned_letter, verification_code=CODE)

    # then the XMP metadata identifies the file as PDF/A-3b
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(=\"|>)3", metadata)
    assert re.search(r"pdfaid:conformance(=\"|>)B", metadata)


def test_letter_render_pdf_numbers_pages_on_alternating_sides(demo_like_letter):
    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then 「— n —」 sits at the right on odd pages and at the left on even pages (GB/T 9704 7.5)
    positions = _page_number_positions(pdf)
    assert [text for text, _x in positions] == [f"—{n}—" for n in range(1, len(positions) + 1)]
    for number, (_text, x) in enumerate(positions, start=1):
        assert (x > A4[0] / 2) is (number % 2 == 1), f"page {number} number at x={x}"


def test_letter_render_pdf_sets_a_full_page_in_22_lines_of_28_characters(demo_like_letter):
    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then page 2 (body text only) holds the standard's 22 lines, none longer than 28 characters
    lines = _lines_in_text_block(pdf, page=2)
    assert len(lines) == 22
    assert max(len(line) for line in lines) == 28


def test_letter_render_pdf_writes_signing_dates_in_official_form(demo_like_letter):
    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then the dates read 2026年3月1日 (Arabic numerals, no leading zeros)
    text = compact(pdf_text(pdf))
    assert "2026年3月1日" in text
    assert "2026年3月2日" in text
    assert "2026年03月" not in text


QR_SIZE = segno.make(f"{settings.SITE_URL.rstrip('/')}/verify/{CODE}/", error="m", micro=False).symbol_size(
    border=0
)[0]


def test_letter_render_pdf_embeds_the_drawn_signature_next_to_the_typed_one(demo_like_letter):
    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then the last page of the letter carries the drawing (the typed name is text) and the verification block
    images = _images_drawn(pdf)  # (page, width, height) of each image painted, as poppler sees them
    # the drawing, and the QR code (one pixel per module) on the same page
    [drawing] = [image for image in images if image[1:] != (QR_SIZE, QR_SIZE)]
    page, width, height = drawing
    assert (width, height) == (400, 150)
    assert (page, QR_SIZE, QR_SIZE) in images
    text = compact(pypdf.PdfReader(io.BytesIO(pdf)).pages[page - 1].extract_text())
    assert demo_like_letter.signer_label in text
    assert "陈永昇" in text
    assert "电子文件验证信息" in text


def test_letter_render_pdf_links_the_qr_code_to_the_verification_page(demo_like_letter):
    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then the QR code and the hint link to the letter's verification page, and the address is printed
    url = f"{settings.SITE_URL.rstrip('/')}/verify/{CODE}/"
    assert url in pdf_link_uris(pdf)
    assert f"{settings.SITE_URL.rstrip('/')}/verify/" in pdf_text(pdf)


def test_letter_render_pdf_draws_a_qr_code_of_the_verification_url(demo_like_letter):
    # given the modules of the QR code for the letter's verification page
    url = f"{settings.SITE_URL.rstrip('/')}/verify/{CODE}/"
    expected = [[bool(module) for module in row] for row in segno.make(url, error="m").matrix]

    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then the linked square on the page, scanned at 200 dpi, shows exactly those modules
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    ((page_number, rect),) = {
        (number, tuple(round(float(v), 1) for v in annotation.get_object()["/Rect"]))
        for number, page in enumerate(reader.pages, start=1)
        for annotation in page.get("/Annots") or ()
        if annotation.get_object()["/A"]["/URI"] == url
        and abs(
            abs(float(annotation.get_object()["/Rect"][2]) - float(annotation.get_object()["/Rect"][0]))
            - 76.5
        )
        < 1
    }
    assert _qr_modules_on_page(pdf, page_number=page_number, rect=rect, size=len(expected)) == expected


def test_letter_render_pdf_lists_the_audit_trail_in_the_appendix(demo_like_letter):
    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then the 签署记录 pages list every event and signature with its hashes
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    start = next(i for i, page in enumerate(reader.pages) if "签署记录" in compact(page.extract_text()))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        appendix = compact(
            subprocess.run(
                ["pdftotext", "-f", str(start + 1), file.name, "-"], capture_output=True, check=True
            ).stdout.decode()
        )
    events = list(LetterEvent.objects.filter(letter=demo_like_letter).select_related("actor"))
    assert [event.kind for event in events] == ["issued", "signed", "countersigned"]
    for event in events:
        assert timezone.localtime(event.created_at).strftime("%Y-%m-%d%H:%M:%S") in appendix
        assert event.actor.full_name in appendix
        assert event.ip_address in appendix
        assert event.hash[:16] in appendix
    assert "2026-03-0110:40:00" in appendix  # the signature and the identity confirmation
    assert appendix.count(demo_like_letter.content_hash) >= 3  # the letter's, and what each signer saw
    assert "手写签名" in appendix  # the method, in the document language whatever the request language


def test_letter_render_pdf_keeps_a_typical_letter_under_250_kb(demo_like_letter):
    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then four pages (three of letter, one of record) stay small: fonts are subset to the glyphs used.
    # The body's 仿宋 (FandolFang) takes most of it: its traced outlines cost about 300 bytes a character
    # compressed, twice Noto's; a letter set in Noto Serif CJK SC alone is about 120 KB.
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 4
    assert len(pdf) < 250_000


def test_letter_render_pdf_only_reads(countersigned_letter):
    # given
    letter = countersigned_letter
    counts = (LetterEvent.objects.count(), Signature.objects.count(), LetterDocument.objects.count())

    # when
    with CaptureQueriesContext(connection) as queries:
        letter_render_pdf(letter=letter, verification_code=CODE)

    # then nothing was written: only reads, the same rows, the same status
    assert queries.captured_queries
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)
    assert (LetterEvent.objects.count(), Signature.objects.count(), LetterDocument.objects.count()) == counts
    letter.refresh_from_db()
    assert letter.status == "countersigned"


def test_signature_ink_png_keeps_the_strokes_and_drops_colour_noise():
    # given a hand drawing in one ink, with anti-aliased edges
    drawing = demo_signature_png(seed="shuji", characters=3)

    # when
    inked = Image.open(io.BytesIO(signature_ink_png(drawing)))

    # then the strokes (alpha) are the same, in one colour, and smaller once deflated as the PDF does
    original = Image.open(io.BytesIO(drawing)).convert("RGBA")
    assert inked.getchannel("A").tobytes() == original.getchannel("A").tobytes()
    assert len(inked.convert("RGB").getcolors()) == 1
    assert len(_deflated_png(inked)) < len(_deflated_png(original))


def _deflated_png(image) -> bytes:
    """The image as WeasyPrint embeds it: a PNG at Pillow's default compression."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_signature_ink_png_leaves_a_drawing_in_two_colours_alone():
    # given a drawing with a red stroke and a blue stroke
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (2, 2, 18, 18))
    image.paste((0, 0, 200, 255), (22, 2, 38, 18))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")

    # when / then
    assert signature_ink_png(buffer.getvalue()) == buffer.getvalue()
