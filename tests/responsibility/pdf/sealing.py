"""Sealed letter-like PDFs for the seal, verification and tamper tests (independent of the real renderer)."""

import functools
import hashlib
from html import escape

from django.core.files.base import ContentFile
from django.utils import timezone

from core.pdf.seal import pdf_seal
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.models.letters import Letter
from responsibility.letters.services.letters import letter_countersign, letter_sign
from tests.conftest import attestation_for


@functools.lru_cache(maxsize=1)
def _font_configuration():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@functools.lru_cache(maxsize=32)
def small_letter_pdf(*, reference: str, title: str, unit: str, signer: str) -> bytes:
    """A one-page, letter-like PDF/A made with WeasyPrint (cached: the same text gives the same bytes)."""
    from weasyprint import HTML

    clauses = "".join(
        f"<p>{number}．严格落实党风廉政建设主体责任，{escape(unit)}领导班子对本单位党风廉政建设负全面领导责任。</p>"
        for number in range(1, 9)
    )
    html = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
      @page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}
      body {{ font-family: "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 28.95pt; }}
      h1 {{ font-size: 22pt; text-align: center; }}
    </style></head><body>
      <p>{escape(reference)}</p><h1>{escape(title)}</h1>{clauses}
      <p>乙方：{escape(unit)}　{escape(signer)}</p><p>2026年3月1日</p>
    </body></html>"""
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b", font_config=_font_configuration())


def sealed_pdf_for(letter: Letter) -> bytes:
    return _sealed_pdf(
        reference=letter.reference,
        title=letter.title,
        unit=letter.signer_unit.name,
        signer=letter.signer.get_full_name(),
    )


@functools.lru_cache(maxsize=32)
def _sealed_pdf(**text) -> bytes:
    # Cached per process, with the session's seal: every test sees the same sealed bytes for a letter.
    return pdf_seal(pdf=small_letter_pdf(**text))


def letter_countersign_in_full(letter: Letter) -> Letter:
    """Sign and countersign an issued letter through the services, as its parties would."""
    letter = letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    return letter_countersign(
        letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
    )


def document_archive(*, letter: Letter, pdf: bytes, status: str = DocumentStatus.READY) -> LetterDocument:
    """Store `pdf` as the letter's archived document, as the attach task would (written directly here)."""
    document, _created = LetterDocument.objects.get_or_create(letter=letter)
    document.file.save(f"{letter.pk}-{document.verification_code}.pdf", ContentFile(pdf), save=False)
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.size = len(pdf)
    document.status = status
    document.rendered_at = timezone.now()
    document.save()
    return document
