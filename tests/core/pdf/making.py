"""Small PDFs made the way the letters are (WeasyPrint, compact CJK fonts), and how tests read them back."""

import base64
import io
import os
import subprocess
import tempfile

import pikepdf
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw
from weasyprint import HTML

from core.pdf.engine import font_configuration
from core.pdf.fonts import pdf_fonts_compact
from core.pdf.subsetting import bare_cid_faces

PAGE_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center { content: "— " counter(page) " —"; font-size: 14pt; } }
html { font-family: "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 28pt; }
h1 { font-size: 22pt; text-align: center; }
.page { break-before: page; }
"""
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def pdf_from_html(body: str, *, css: str = "") -> bytes:
    html = f'<html lang="zh-CN"><head><style>{PAGE_CSS}{css}</style></head><body>{body}</body></html>'
    with bare_cid_faces():  # as html_to_pdf lays out a letter
        return HTML(string=html).write_pdf(font_config=font_configuration(), finisher=pdf_fonts_compact)


def part(title: str, pages: list[str], *, image: bytes | None = None) -> bytes:
    """A document like a letter: a bold title, then one paragraph per page."""
    picture = f'<img src="data:image/png;base64,{base64.b64encode(image).decode()}">' if image else ""
    first, *rest = pages
    body = f"<h1>{title}</h1><p>{first}</p>{picture}" + "".join(
        f'<p class="page">{text}</p>' for text in rest
    )
    return pdf_from_html(body)


def signature_png(seed: int) -> bytes:
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 60), (60 + seed * 7, 15), (190, 50)], fill=(20, 30, 70, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, as poppler's pdftotext reads it (page by page)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", file.name, "-"],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
    return text.split("\f")[:-1]


def page_image(pdf: bytes, page: int, *, dpi: int = 100) -> Image.Image:
    """Page `page` (1-based) rendered by poppler's pdftoppm, in grey."""
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "in.pdf")
        with open(source, "wb") as file:
            file.write(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-gray",
                "-png",
                source,
                f"{folder}/p",
            ],
            check=True,
            timeout=60,
        )
        (name,) = [name for name in os.listdir(folder) if name.endswith(".png")]
        with Image.open(os.path.join(folder, name)) as image:
            return image.copy()


def differing_box(a: Image.Image, b: Image.Image, *, top: int = 0):
    """Where two renders differ below row `top` (None: nowhere)."""
    return ImageChops.difference(
        a.crop((0, top, a.width, a.height)), b.crop((0, top, b.width, b.height))
    ).getbbox()


def font_programs(pdf: bytes) -> dict[tuple[int, int], str]:
    """The embedded font programs of a PDF: {object id: the name the program gives its face}."""
    programs = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.FontDescriptor:
                for key in FONT_FILES:
                    if key in obj:
                        programs[obj[key].objgen] = _face_name(obj[key].read_bytes())
    return programs


def _face_name(program: bytes) -> str:
    if program[:1] == b"\x01":  # a bare CFF
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(program), None)
        return fonts.fontNames[0]
    return TTFont(io.BytesIO(program))["name"].getDebugName(6)
