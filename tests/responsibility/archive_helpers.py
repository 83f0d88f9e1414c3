"""Countersigned letters with stored PDFs, for the archive, download and export tests.

Test modules wrap `fake_render_install` and `media_root_use` in fixtures of their own.

PDFs are made by the real renderer and seal (`letter_document_attach`), or, where a test is about
something else than the PDF itself (query counts, permissions), by `fake_render`: a patch at the edge
that returns a small valid PDF with a known number of pages.
"""

import io

from pypdf import PdfWriter

from accounts.models import PostKind
from responsibility.letters.models.documents import LetterDocument
from responsibility.letters.models.letters import Letter
from responsibility.letters.services.documents import letter_document_attach
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_countersign, letter_sign
from tests.conftest import attestation_for
from tests.factories import OrgUnitFactory, PostFactory

FAKE_PAGES = 2


def letters_countersign_new(org, count: int, *, unit=None) -> list[Letter]:
    """`count` more unit heads receive a letter from the secretary; both parties sign it."""
    posts = [PostFactory(kind=PostKind.UNIT_HEAD, unit=unit or OrgUnitFactory()) for _ in range(count)]
    letters = campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued
    done = []
    for letter in letters:
        letter = letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
        done.append(
            letter_countersign(
                letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
            )
        )
    return done


def documents_attach(letters: list[Letter]) -> list[LetterDocument]:
    """What the worker does after each countersignature commits."""
    return [letter_document_attach(document=LetterDocument.objects.get(letter=letter)) for letter in letters]


def blank_pdf(*, pages: int = FAKE_PAGES, label: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def fake_render_install(monkeypatch) -> list[str]:
    """Rendering and sealing (only) replaced by a small PDF per letter; returns the letters rendered."""
    rendered: list[str] = []

    def render(*, letter, verification_code, anchor=None):
        rendered.append(letter.reference)
        return blank_pdf(label=f"{letter.reference} {verification_code}")

    monkeypatch.setattr("responsibility.letters.pdf.letter_render_pdf", render)
    monkeypatch.setattr("core.pdf.seal.pdf_seal", lambda *, pdf: pdf)
    return rendered


def media_root_use(settings, tmp_path):
    """Stored files of this test only (the default storage is the local folder in tests)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
