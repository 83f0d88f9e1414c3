import io
import os
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader

from core.pdf import seal as seal_module
from core.pdf.seal import (
    SEAL_FIELD_NAME,
    SEAL_REASON,
    SealNotConfiguredError,
    pdf_seal,
    seal_certificate_create,
    seal_certificate_fingerprint,
    seal_root_path,
)
from responsibility.letters.verify import VerificationOutcome, pdf_seal_check, pdf_verify
from tests.responsibility.pdf.sealing import small_letter_pdf

pytestmark = pytest.mark.django_db

UNSEALED = {
    "reference": "测试〔2026〕1号",
    "title": "党风廉政建设责任书",
    "unit": "法制工作委员会",
    "signer": "王喆",
}


def test_seal_certificate_create_writes_a_private_pkcs12_and_the_root_beside_it(tmp_path):
    # Given a path in a folder that does not exist yet
    path = tmp_path / "keys" / "seal.p12"

    # When a seal is created
    seal_certificate_create(path=path, password="secret", organisation="某市人大常委会机关", days=365)

    # Then the PKCS#12 file is readable by its owner only and holds a P-256 key, the seal and its CA
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key, cert, cas = pkcs12.load_key_and_certificates(path.read_bytes(), b"secret")
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    key_usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert key_usage.digital_signature and key_usage.content_commitment  # non-repudiation
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert "某市人大常委会机关" in cert.subject.rfc4514_string()
    [root] = cas
    assert root.subject == cert.issuer
    assert root.subject.rfc4514_string().startswith("CN=某市人大常委会机关 电子印章根证书")
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(root)
    # And the root certificate is beside it for verifiers
    assert x509.load_pem_x509_certificate(seal_root_path(path).read_bytes()) == root
    assert seal_root_path(path).name == "seal-root.pem"


def test_seal_certificate_create_without_a_password_writes_an_unencrypted_file(tmp_path):
    path = tmp_path / "seal.p12"

    seal_certificate_create(path=path, password="", organisation="某单位", days=1)

    key, cert, _cas = pkcs12.load_key_and_certificates(path.read_bytes(), None)
    assert key is not None and cert is not None


def test_seal_certificate_fingerprint_is_the_sha256_of_the_seal_certificate(tmp_path):
    path = tmp_path / "seal.p12"
    seal_certificate_create(path=path, password="pw", organisation="某单位", days=1)
    _key, cert, _cas = pkcs12.load_key_and_certificates(path.read_bytes(), b"pw")

    fingerprint = seal_certificate_fingerprint(path=path, password="pw")

    assert fingerprint.replace(":", "").lower() == cert.fingerprint(cert.signature_hash_algorithm).hex()


def test_pdf_seal_adds_an_invisible_pades_seal_as_an_incremental_update(seal_settings):
    # Given a finished PDF
    pdf = small_letter_pdf(**UNSEALED)

    # When it is sealed
    sealed = pdf_seal(pdf=pdf)

    # Then the original bytes are kept and one PAdES signature follows them
    assert sealed.startswith(pdf) and len(sealed) > len(pdf)
    [signature] = PdfFileReader(io.BytesIO(sealed)).embedded_signatures
    assert signature.field_name == SEAL_FIELD_NAME
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == SEAL_REASON
    assert signature.sig_object["/Location"] == seal_settings.organisation
    assert signature.sig_field.get("/Rect", [0, 0, 0, 0]) == [0, 0, 0, 0]  # invisible
    assert signature.md_algorithm == "sha256"
    assert signature.docmdp_level is not None  # a certification seal: no changes allowed
    # And it validates against the seal's root, covering the whole file
    assert pdf_seal_check(pdf=sealed)
    assert pdf_verify(pdf=sealed).outcome == VerificationOutcome.NOT_ARCHIVED


def test_pdf_seal_refuses_clearly_when_the_seal_file_is_missing(seal_settings, settings, tmp_path):
    settings.SEAL_PKCS12_FILE = tmp_path / "missing.p12"

    with pytest.raises(SealNotConfiguredError, match="create_seal_certificate"):
        pdf_seal(pdf=small_letter_pdf(**UNSEALED))


def test_pdf_seal_refuses_clearly_when_the_password_is_wrong(seal_settings, settings):
    settings.SEAL_PKCS12_PASSWORD = "not-the-password"

    with pytest.raises(SealNotConfiguredError, match="DJANGO_SEAL_PKCS12_PASSWORD"):
        pdf_seal(pdf=small_letter_pdf(**UNSEALED))


def test_pdf_seal_loads_a_replaced_seal_file_without_a_restart(settings, tmp_path):
    # Given a seal that has sealed one PDF
    path = tmp_path / "seal.p12"
    seal_certificate_create(path=path, password="pw", organisation="旧印章单位", days=1)
    settings.SEAL_PKCS12_FILE, settings.SEAL_PKCS12_PASSWORD = path, "pw"
    first = pdf_seal(pdf=small_letter_pdf(**UNSEALED))

    # When the file is replaced by a new seal
    seal_certificate_create(path=path, password="pw", organisation="新印章单位", days=1)
    second = pdf_seal(pdf=small_letter_pdf(**UNSEALED))

    # Then the next PDF carries the new seal
    assert "旧印章单位" in pdf_verify(pdf=first).signed_by
    assert "新印章单位" in pdf_verify(pdf=second).signed_by


def test_pdf_seal_contacts_no_timestamp_server_unless_one_is_configured(seal_settings, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a timestamp server was contacted")

    monkeypatch.setattr(seal_module, "HTTPTimeStamper", no_network)

    sealed = pdf_seal(pdf=small_letter_pdf(**UNSEALED))

    assert pdf_verify(pdf=sealed).seal_valid
