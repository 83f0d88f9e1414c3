"""The evidence files the demo attaches: short Chinese documents as real PDFs, photographed forms as
PNGs, and the uploads a browser would send for them."""

import datetime
import hashlib
import io
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import format_html, format_html_join
from PIL import Image, ImageDraw
from weasyprint import HTML

from core.pdf.engine import ASSETS_URL, AssetsOnlyFetcher, font_configuration
from core.pdf.fonts import (
    font_family_css,
    font_stack_with_presubset,
    pdf_fonts_compact,
    presubset_font_face_css,
    presubset_fonts_dir,
)
from responsibility.demo.signatures import demo_signature_png


@dataclass(frozen=True)
class DemoEvidence:
    """A file attached as evidence. Text may name {unit}, {head}, {year} and {date} (the day of the step)."""

    name: str
    title: str = ""
    paragraphs: tuple[str, ...] = ()
    image: bool = False  # a photographed page (PNG) instead of a PDF


def demo_evidence_pdf(*, title: str, paragraphs: list[str]) -> bytes:
    """A short Chinese document as a real PDF, rendered like the letters (WeasyPrint, CJK fonts)."""
    font = font_family_css(font_stack_with_presubset(settings.PDF_FONT_BODY))
    body = format_html_join("", "<p>{}</p>", ((paragraph,) for paragraph in paragraphs))
    html = format_html(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title><style>'
        "{faces} @page {{ size: A4; margin: 30mm 26mm; }} html {{ font-family: {font}; font-size: 15pt; "
        "line-height: 1.8; }} h1 {{ font-size: 20pt; text-align: center; margin-bottom: 1.2em; }} "
        "p {{ text-indent: 2em; margin: 0 0 .4em; }} .demo {{ margin-top: 3em; color: #888; "
        'font-size: 9pt; text-indent: 0; }}</style></head><body><h1>{title}</h1>{body}<p class="demo">'
        "演示数据（manage.py seed_demo 生成）</p></body></html>",
        title=title,
        # Both are inert under escaping: percent-encoded file: URIs and escaped CSS identifiers only.
        faces=presubset_font_face_css(),
        font=font,
        body=body,
    )
    fetcher = AssetsOnlyFetcher(fonts=presubset_fonts_dir())
    return HTML(string=html, base_url=ASSETS_URL, url_fetcher=fetcher).write_pdf(
        font_config=font_configuration(), finisher=pdf_fonts_compact
    )


def demo_evidence_png(*, seed: str, width: int = 640, height: int = 480) -> bytes:
    """A photographed form: a ruled sheet on a desk with a handwritten signature in each row."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    image = Image.new("RGB", (width, height), (121, 96, 74))  # the desk
    sheet = Image.new("RGB", (width - 80, height - 50), (250, 248, 240))
    draw = ImageDraw.Draw(sheet)
    rows, top, line = 9, 50, (70, 70, 70)
    row_height = (sheet.height - top - 20) // rows
    draw.rectangle((30, 14, sheet.width - 30, 34), fill=(60, 60, 60))  # the printed heading
    for row in range(rows + 1):
        y = top + row * row_height
        draw.line((20, y, sheet.width - 20, y), fill=line, width=2)
    for x in (20, 80, 260, sheet.width - 20):
        draw.line((x, top, x, top + rows * row_height), fill=line, width=2)
    for row in range(1, rows):
        mark = Image.open(
            io.BytesIO(
                demo_signature_png(seed=f"{seed}-{row}", characters=rng.randint(2, 3), width=240, height=90)
            )
        )
        mark = mark.resize((int(mark.width * row_height / mark.height), row_height))
        sheet.paste(mark, (300 + rng.randint(-10, 30), top + row * row_height), mark)
    sheet = sheet.rotate(
        rng.uniform(-3, 3), resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(121, 96, 74)
    )
    image.paste(sheet, (40, 25))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def demo_uploads(evidence: tuple[DemoEvidence, ...], values: dict) -> list[SimpleUploadedFile]:
    """The evidence files as the browser would upload them."""
    uploads = []
    for spec in evidence:
        name = spec.name.format(**values)
        if spec.image:
            content, content_type = demo_evidence_png(seed=name), "image/png"
        else:
            content = demo_evidence_pdf(
                title=spec.title.format(**values),
                paragraphs=[paragraph.format(**values) for paragraph in spec.paragraphs],
            )
            content_type = "application/pdf"
        uploads.append(SimpleUploadedFile(name, content, content_type=content_type))
    return uploads


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
