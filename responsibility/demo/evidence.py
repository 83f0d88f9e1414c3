"""The evidence files the demo attaches: short Chinese documents as real PDFs, photographed forms as
PNGs, and the uploads a browser would send for them."""

import datetime
import hashlib
import io
import random
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from core.pdf.engine import html_to_pdf
from core.pdf.fonts import (
    font_template_context,
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
    return html_to_pdf(
        template_name="responsibility/pdf/demo_evidence.html",
        context={"title": title, "paragraphs": paragraphs, **font_template_context()},
        subject=f"Demo evidence {title}",
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
