"""A sealed document stays archive-grade and provable for years: PDF/A-3b after sealing, validation data
and a document timestamp from a real RFC 3161 authority on loopback, and the seal certificates kept."""

import datetime
import io

import pikepdf
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

from core.pdf import seal as seal_module
from core.pdf.pdfa import pdfa_problems
from core.pdf.seal import (
    ARCHIVE_TIMESTAMP_FIELD_NAME,
    SEAL_FIELD_NAME,
    pdf_seal,
    seal_history,
    seal_root_path,
)
from core.pdf.seal_check import SealState, pdf_seal_status
from responsibility.letters.pdf import letter_render_pdf
from responsibility.letters.verify import pdf_seal_check
from tests.responsibility.pdf.sealing import small_letter_pdf

pytestmark = pytest.mark.django_db

UNSEALED = {"reference": "测试〔2026〕7号", "title": "党风廉政建设责任书", "unit": "研究室", "signer": "李堃"}


@pytest.fixture
def seal_timestamping(seal_settings, tsa_server, settings):
    """Seals timestamped by the authority running on loopback, its certificates embedded and trusted."""
    settings.SEAL_TIMESTAMP_URL = tsa_server["DJANGO_ANCHOR_TIMESTAMP_URL"]
    settings.SEAL_TIMESTAMP_CERTIFICATES = [tsa_server["DJANGO_ANCHOR_TIMESTAMP_CERTIFICATES"]]
    return tsa_server


def _pyhanko_default_seal(pdf: bytes) -> bytes:
    """What sealing did before: pyHanko's own writer and signer, with the same seal."""
    loaded = seal_module._seal_signer()
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return signers.PdfSigner(metadata, signer=loaded.signer).sign_pdf(writer).getvalue()


def test_a_sealed_letter_is_still_pdfa_3b_where_pyhankos_defaults_broke_it(
    seal_settings, countersigned_letter
):
    # Given a real letter rendered as PDF/A-3b
    rendered = letter_render_pdf(letter=countersigned_letter, verification_code="K7QX-3M9D-PA2W-H4TZ")
    assert pdfa_problems(rendered) == []

    # When it is sealed
    sealed = pdf_seal(pdf=rendered)

    # Then it conforms still: PDF 1.7 as its header says, Info and XMP in agreement
    assert pdfa_problems(sealed) == []
    with pikepdf.open(io.BytesIO(sealed)) as document:
        assert document.pdf_version == "1.7" and "/Version" not in document.Root
        with document.open_metadata() as xmp:
            assert xmp["pdf:Producer"] == str(document.docinfo["/Producer"])
    assert pdf_seal_check(pdf=sealed)
    # whereas pyHanko's defaults claimed PDF 2.0 and split the producer (what the check exists to catch)
    broken = pdfa_problems(_pyhanko_default_seal(rendered))
    assert any("PDF 2.0" in problem for problem in broken)
    assert any(problem.startswith("6.6.3: Info /Producer") for problem in broken)


def test_with_a_timestamp_authority_the_seal_is_pades_b_lta(seal_timestamping):
    """Talks to the real authority on loopback three times (sizing, signature, document timestamp)."""
    # When a letter is sealed with a timestamp server configured
    sealed = pdf_seal(pdf=small_letter_pdf(**UNSEALED))

    # Then the seal carries a signature timestamp, and a document timestamp covers everything after it
    seal, archive_timestamp = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert seal.field_name == SEAL_FIELD_NAME and seal.sig_object_type == "/Sig"
    unsigned = [attribute["type"].native for attribute in seal.signer_info["unsigned_attrs"]]
    assert "signature_time_stamp_token" in unsigned
    assert archive_timestamp.field_name == ARCHIVE_TIMESTAMP_FIELD_NAME
    assert archive_timestamp.sig_object_type == "/DocTimeStamp"
    # And the DSS holds the seal's chain and the authority's certificate: provable without this system
    with pikepdf.open(io.BytesIO(sealed)) as document:
        stored = {
            asn1_x509.Certificate.load(bytes(stream.read_bytes())).sha256
            for stream in document.Root.DSS.Certs
        }
    seal_chain = seal_module._seal_signer().chain
    assert {certificate.sha256 for certificate in seal_chain} <= stored
    assert len(stored) > len(seal_chain)  # the authority's too
    # And it is still PDF/A-3b, and verifies
    assert pdfa_problems(sealed) == []
    assert pdf_seal_check(pdf=sealed)
    # And a byte added after the document timestamp is a change
    assert not pdf_seal_check(pdf=sealed + b"\n")


def test_an_update_after_an_archive_timestamp_is_a_change(seal_timestamping):
    # Given a B-LTA sealed letter
    sealed = pdf_seal(pdf=small_letter_pdf(**UNSEALED))

    # When someone appends an incremental update that turns page 1
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    page = writer.root["/Pages"]["/Kids"][0]
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)

    # Then the seal check refuses it
    assert not pdf_seal_check(pdf=out.getvalue())


def test_seal_certificates_are_kept_and_old_documents_verify_after_the_seal_is_replaced(settings, tmp_path):
    # Given a seal that sealed a letter
    path = tmp_path / "seal" / "organisation-seal.p12"
    settings.SEAL_PKCS12_FILE, settings.SEAL_PKCS12_PASSWORD = path, ""
    settings.SEAL_TIMESTAMP_URL, settings.SEAL_TRUST_ROOTS_FILE = "", ""
    call_command("create_seal_certificate", organisation="测试单位", days=30, stdout=io.StringIO())
    old_sealed = pdf_seal(pdf=small_letter_pdf(**UNSEALED))

    # When the organisation replaces its seal (a new key under a new root)
    call_command(
        "create_seal_certificate", organisation="测试单位", days=30, force=True, stdout=io.StringIO()
    )
    new_sealed = pdf_seal(pdf=small_letter_pdf(**UNSEALED))

    # Then both certificates are in the history, oldest first, each with its root
    history = seal_history()
    assert len(history) == 2 and history[0].first_used <= history[1].first_used
    assert all(len(entry.authorities) == 1 for entry in history)
    assert history[0].fingerprint != history[1].fingerprint
    # And the letter sealed with the old one still verifies, as does the new one
    assert pdf_seal_check(pdf=old_sealed)
    assert pdf_seal_check(pdf=new_sealed)

    # But without the kept history the old one would no longer be trusted
    for file in (path.parent / "history").glob("*.json"):
        file.unlink()
    reader = PdfFileReader(io.BytesIO(old_sealed))
    roots = [asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
             for root in [x509.load_pem_x509_certificate(seal_root_path(path).read_bytes())]]  # fmt: skip
    assert pdf_seal_status(reader, trust_roots=roots, moment=None).state == SealState.UNTRUSTED


def test_a_seal_whose_certificate_has_expired_since_still_proves_a_document_sealed_while_it_was_valid(
    tmp_path,
):
    # Given a seal certificate valid from ten days ago until five days ago, and a letter it sealed then
    now = datetime.datetime.now(datetime.UTC)
    root_key, seal_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "过期测试根证书")])
    root = _certificate(root_name, root_name, root_key.public_key(), root_key, now, ca=True)
    seal_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "过期测试 电子印章")])
    seal = _certificate(seal_name, root_name, seal_key.public_key(), root_key, now, ca=False)
    data = pkcs12.serialize_key_and_certificates(
        name=b"seal", key=seal_key, cert=seal, cas=[root], encryption_algorithm=serialization.NoEncryption()
    )
    signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=None)
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES
    )
    sealed = (
        seal_module._ArchivalPdfSigner(metadata, signer=signer)
        .sign_pdf(seal_module._ArchivalPdfWriter(io.BytesIO(small_letter_pdf(**UNSEALED))))
        .getvalue()
    )
    trusted = [asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))]

    # Then, judged at the time the archive stored it, it proves the letter; judged today it cannot
    stored_at = now - datetime.timedelta(days=7)
    reader = PdfFileReader(io.BytesIO(sealed))
    assert pdf_seal_status(reader, trust_roots=trusted, moment=stored_at).state == SealState.VALID
    assert pdf_seal_status(reader, trust_roots=trusted, moment=now).state == SealState.UNTRUSTED


def _certificate(subject, issuer, public_key, issuer_key, now, *, ca: bool) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=10))
        .not_valid_after(now - datetime.timedelta(days=5))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    )  # fmt: skip
    return builder.sign(issuer_key, hashes.SHA256())
