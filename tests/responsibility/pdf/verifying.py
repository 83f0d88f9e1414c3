"""Sealed documents in every standing, and copies of them as other programs leave them, for the
verification tests (pdf_verify, the command, the pages)."""

import io
from unittest import mock

import pikepdf
import pypdf
from django.test import override_settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from core.pdf.seal import pdf_seal, seal_certificate_create, seal_root_path
from responsibility.letters.models.documents import LetterDocument
from responsibility.letters.models.letters import Letter
from responsibility.letters.services.documents import letter_document_attach, letter_document_request
from responsibility.letters.services.issuing import letter_revise
from responsibility.letters.services.letters import letter_return
from tests.conftest import clause_texts
from tests.responsibility.pdf.sealing import document_archive, letter_countersign_in_full, sealed_pdf_for


def letter_sealed_as_stored(letter: Letter) -> tuple[LetterDocument, bytes]:
    """A countersigned letter's real PDF, rendered, sealed and stored by the services (the attach task's
    work, called directly): the document and the stored bytes."""
    document = letter_document_attach(document=letter_document_request(letter=letter))
    with document.file.open("rb") as stored:
        return document, stored.read()


def letter_superseded(issued_letter: Letter) -> tuple[Letter, Letter]:
    """Version 1 of a letter with a sealed PDF in the archive, and version 2 of it in force with its own.

    The services give a later version only to a returned letter, and seal only countersigned ones, so
    version 1's sealed PDF is archived directly here: it stands for a sealed letter that a later version
    replaced. Version 2 goes through return, revision, both signatures and the archive as a letter would.
    """
    first = letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason="第二条需修改")
    document_archive(letter=first, pdf=sealed_pdf_for(first))
    second = letter_revise(
        letter=first,
        revised_by=first.issuer,
        title=first.title,
        preamble=first.preamble,
        closing=first.closing,
        clauses=clause_texts(first),
    )
    second = letter_countersign_in_full(second)
    document_archive(letter=second, pdf=sealed_pdf_for(second))
    return Letter.objects.get(pk=first.pk), second


def resaved_by_pikepdf(pdf: bytes) -> bytes:
    """The file as qpdf writes it back: every object where it was, but at other offsets, another xref."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def resaved_by_pypdf(pdf: bytes) -> bytes:
    """The file as pypdf writes a clone of it: objects renumbered, streams and cross-reference rewritten."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def resaved_with_a_word_changed(pdf: bytes) -> bytes:
    """Saved again by pikepdf after drawing one more word on the first page (a visible change)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        page.contents_add(document.make_stream(b"BT /F1 12 Tf 72 72 Td (VOID) Tj ET"), prepend=False)
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


class OtherSeal:
    """A seal made with a self-made certificate that is not the organisation's."""

    def __init__(self, directory, organisation: str = "冒充单位"):
        self.path = directory / "someone-else.p12"
        seal_certificate_create(path=self.path, password="", organisation=organisation, days=30)
        self.root_pem = seal_root_path(self.path)

    def __call__(self, pdf: bytes) -> bytes:
        with override_settings(SEAL_PKCS12_FILE=self.path, SEAL_PKCS12_PASSWORD=""):
            return pdf_seal(pdf=pdf)


def second_signature_add(pdf: bytes, pkcs12_path, password: str = "") -> bytes:
    """A second signature in its own field after the seal, as an attacker's tool would add it: pyHanko
    itself refuses to sign a document whose certification allows no changes, so its check is skipped."""
    signer = signers.SimpleSigner.load_pkcs12(str(pkcs12_path), passphrase=password.encode() or None)
    with mock.patch.object(signers.PdfSigner, "_enforce_certification_constraints"):
        out = signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            signers.PdfSignatureMetadata(field_name="SecondSeal"),
            signer=signer,
        )
    return out.getvalue()
