"""A letter as a PDF/A document in official-document layout (GB/T 9704-2012).

`letter_render_pdf` is pure: it reads the letter, renders our own template with the core PDF engine
(core.pdf.engine.html_to_pdf) and returns bytes. It saves nothing, changes nothing and fetches nothing
but the project's own PDF assets and the images it generates itself (signature drawings, the QR code).
Storing and sealing are other modules' jobs.

Layout lives in static/responsibility/pdf/letter.css; this module only prepares what the template
shows. User text reaches the HTML only through autoescaped template variables.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation
from PIL import Image, ImageStat

from accounts.anchors.models import ChainAnchor
from accounts.anchors.services import anchor_timestamp_line
from core import clock
from core.pdf.engine import (
    DOCUMENT_LANGUAGE,
    OFFICIAL_DOCUMENT_STYLESHEETS,
    PDF_VARIANT,
    PdfRenderError,
    html_to_pdf,
    resource_url,
)
from core.pdf.fonts import font_template_context
from core.pdf.qr import qr_data_url
from responsibility.letters.audit import LETTER_CHAIN, letter_event_describe
from responsibility.letters.models.letters import (
    Letter,
    LetterEvent,
    Signature,
    SignatureMethod,
    SignatureRole,
)

TEMPLATE_NAME = "responsibility/pdf/letter.html"


class LetterRenderError(PdfRenderError):
    """The letter could not be laid out (for example an asset is missing): nothing was produced."""


def letter_render_pdf(*, letter: Letter, verification_code: str, anchor: ChainAnchor | None = None) -> bytes:
    """The letter with both signatures, its verification block and the 签署记录 appendix, as PDF/A; with
    `anchor`, the appendix also prints where the audit chains stood when it was sealed (链头存证)."""
    resources: dict[str, tuple[str, bytes]] = {}
    # The labels (signature methods, event kinds) are read while the context is built: in Chinese too.
    with translation.override(DOCUMENT_LANGUAGE):
        context = _letter_context(letter=letter, verification_code=verification_code, resources=resources)
        if anchor is not None:
            context["letter"].anchor = _anchor_record(anchor)
    return html_to_pdf(
        template_name=TEMPLATE_NAME,
        context=context,
        resources=resources,
        pdf_variant=PDF_VARIANT,
        error=LetterRenderError,
        subject=f"Letter {letter.reference}",
        stylesheets=OFFICIAL_DOCUMENT_STYLESHEETS,
    )


# --- What the template shows -------------------------------------------------------------------


@dataclass
class Party:
    label: str  # 甲方（党组） / 乙方…
    name: str
    post: str
    date: str = ""  # 2026年3月1日
    image_url: str = ""  # data: URL of the drawn signature
    typed_name: str = ""


@dataclass
class SignatureRecord:
    label: str
    name: str
    method: str
    signed_at: str
    reauthenticated_at: str
    ip_address: str
    content_hash: str


@dataclass
class EventRecord:
    sequence: int
    time: str
    actor: str
    action: str
    from_status: str
    to_status: str
    ip_address: str
    description: str  # the event as a sentence (letters.audit.letter_event_describe)
    hash: str
    previous_hash: str
    content_hash: str


@dataclass
class AnchorRecord:
    number: int
    time: str
    digest: str
    letter_sequence: int
    letter_hash: str
    timestamp: str  # how it was timestamped, as a sentence


@dataclass
class Clause:
    numeral: str  # 一、
    text: str


@dataclass
class LetterContext:
    title: str
    reference: str
    version: int
    preamble: list[str]
    clauses: list[Clause]
    closing: list[str]
    issuer: Party
    signer: Party
    content_hash: str
    verification_code: str
    verification_url: str
    verification_page: str
    qr_url: str
    signatures: list[SignatureRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    time_zone: str = ""
    anchor: AnchorRecord | None = None


def _letter_context(*, letter: Letter, verification_code: str, resources: dict) -> dict:
    letter = (
        Letter.objects.select_related(
            "issuer", "issuer_post__unit", "signer", "signer_post__unit", "signer_unit"
        )
        .prefetch_related("clauses")
        .get(pk=letter.pk)
    )
    signatures = {
        signature.role: signature
        for signature in Signature.objects.filter(letter=letter).select_related("signed_by")
    }
    events = LetterEvent.objects.filter(letter=letter).select_related("actor").order_by("sequence")
    site = settings.SITE_URL.rstrip("/")
    verification_url = f"{site}/verify/{verification_code}/"

    qr_url = qr_data_url(verification_url, resources)

    issuer = Party(
        label=letter.issuer_label,
        name=letter.issuer.get_full_name(),
        post=letter.issuer_post.full_title if letter.issuer_post else "",
    )
    signer = Party(
        label=letter.signer_label,
        name=letter.signer.get_full_name(),
        post=letter.signer_post.full_title if letter.signer_post else "",
    )
    for party, role in ((issuer, SignatureRole.ISSUER), (signer, SignatureRole.SIGNER)):
        signature = signatures.get(role)
        if signature is None:
            continue
        party.date = document_date(timezone.localtime(signature.signed_at).date())
        if signature.method == SignatureMethod.DRAWN and signature.image_png:
            party.image_url = resource_url(
                "image/png", signature_ink_png(bytes(signature.image_png)), resources
            )
        else:
            party.typed_name = signature.typed_name or signature.signed_by.get_full_name()

    labels = {SignatureRole.ISSUER: letter.issuer_label, SignatureRole.SIGNER: letter.signer_label}
    context = LetterContext(
        title=letter.title,
        reference=letter.reference,
        version=letter.version,
        preamble=_paragraphs(letter.preamble),
        clauses=[
            Clause(numeral=chinese_numeral(clause.number) + "、", text=clause.text)
            for clause in sorted(letter.clauses.all(), key=lambda clause: clause.number)
        ],
        closing=_paragraphs(letter.closing),
        issuer=issuer,
        signer=signer,
        content_hash=letter.content_hash,
        verification_code=verification_code,
        verification_url=verification_url,
        verification_page=f"{site}/verify/",
        qr_url=qr_url,
        signatures=[
            SignatureRecord(
                label=labels.get(signature.role, signature.get_role_display()),
                name=signature.signed_by.get_full_name(),
                method=str(signature.get_method_display()),
                signed_at=_timestamp(signature.signed_at),
                reauthenticated_at=_timestamp(signature.reauthenticated_at),
                ip_address=signature.ip_address or "—",
                content_hash=signature.content_hash,
            )
            for signature in sorted(signatures.values(), key=lambda signature: signature.signed_at)
        ],
        events=[
            EventRecord(
                sequence=event.sequence,
                time=_timestamp(event.created_at),
                actor=event.actor.get_full_name(),
                action=str(event.get_kind_display()),
                from_status=str(event.get_from_status_display()),
                to_status=str(event.get_to_status_display()),
                ip_address=event.ip_address or "—",
                description=letter_event_describe(event),
                hash=event.hash,
                previous_hash=event.previous_hash,
                content_hash=event.content_hash,
            )
            for event in events
        ],
        time_zone=_time_zone_label(),
    )
    return {"letter": context, **font_template_context()}


def _anchor_record(anchor: ChainAnchor) -> AnchorRecord:
    head = anchor.heads.get(LETTER_CHAIN.name, {})
    return AnchorRecord(
        number=anchor.number,
        time=_timestamp(anchor.created_at),
        digest=anchor.digest,
        letter_sequence=head.get("sequence", 0),
        letter_hash=head.get("hash", ""),
        timestamp=anchor_timestamp_line(anchor),
    )


def document_date(day: date) -> str:
    """GB/T 9704 7.3.5.4: Arabic numerals, the year in full, no leading zeros (2026年3月1日)."""
    return f"{day.year}年{day.month}月{day.day}日"


_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (the numbering of 一、二、三、 headings)."""
    if number <= 0:
        return str(number)
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        return _DIGITS[number // 10] + "十" + (_DIGITS[number % 10] if number % 10 else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        if rest == 0:
            tail = ""
        elif rest < 10:
            tail = "零" + _DIGITS[rest]
        else:
            tail = chinese_numeral(rest) if rest >= 20 else "一" + chinese_numeral(rest)
        return _DIGITS[hundreds] + "百" + tail
    return str(number)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _timestamp(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _time_zone_label() -> str:
    """UTC+08:00（Asia/Shanghai）: the zone every time in the document is written in."""
    offset = timezone.localtime(clock.now()).strftime("%z")  # +0800
    return f"UTC{offset[:3]}:{offset[3:]}（{timezone.get_current_timezone_name()}）"


# How far the colours of a drawing's visible pixels may spread and still count as one ink.
_INK_SPREAD = 48


def signature_ink_png(png: bytes) -> bytes:
    """A one-colour drawing as its ink colour plus its alpha: the same on paper, a fraction of the bytes.

    Canvas drawings are one pen colour whose anti-aliased edges carry slightly different RGB values
    (and transparent pixels carry black): noise that costs ~10 KB per signature in the PDF. When
    every visible pixel is close to one colour, the colour planes are set to that colour and only
    the alpha channel (the shape of the strokes) is kept. Drawings in several colours, and anything
    Pillow cannot read, pass through unchanged. The result is stored uncompressed: the PDF engine
    decodes it and deflates its colour and alpha planes itself, so deflating it here was work thrown
    away (about 1 ms a signature).
    """
    try:
        with Image.open(io.BytesIO(png)) as image:
            rgba = image.convert("RGBA")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return png
    alpha = rgba.getchannel("A")
    inked = alpha.point(lambda value: 255 if value >= 64 else 0)
    if inked.getbbox() is None:
        return png
    stat = ImageStat.Stat(rgba.convert("RGB"), mask=inked)
    if any(high - low > _INK_SPREAD for low, high in stat.extrema):
        return png
    ink = Image.new("RGB", rgba.size, tuple(round(value) for value in stat.mean))
    ink.putalpha(alpha)
    buffer = io.BytesIO()
    ink.save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()
