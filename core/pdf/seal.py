"""The organisation's seal: a PAdES signature that makes any later change to an archived PDF show.

The seal is a PKCS#12 file (key, seal certificate, CA certificate) named by settings.SEAL_PKCS12_FILE.
Production installs one issued by the organisation's CA; `manage.py create_seal_certificate` makes a
self-signed chain for development. Next to the PKCS#12 file lies `<name>-root.pem`, the root certificate
that verification trusts (see responsibility.letters.verify).
"""

import datetime
import hashlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper

SEAL_FIELD_NAME = "OrganisationSeal"
SEAL_REASON = "党风廉政建设责任书电子存档封印"
TIMESTAMP_TIMEOUT_SECONDS = 10

# Key purposes PDF readers look for on a document-signing certificate: RFC 9336 documentSigning and
# Adobe's "Authentic Documents Trust" (Acrobat does not know the RFC 9336 one yet).
_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
_ADOBE_AUTHENTIC_DOCUMENTS = ObjectIdentifier("1.2.840.113583.1.1.5")


class SealNotConfiguredError(ImproperlyConfigured):
    """The seal file is missing or cannot be opened: no PDF can be sealed until an operator fixes it."""


def seal_root_path(pkcs12_path) -> Path:
    """Where the root certificate of a seal is kept: `<name>-root.pem` beside the PKCS#12 file."""
    pkcs12_path = Path(pkcs12_path)
    return pkcs12_path.with_name(f"{pkcs12_path.stem}-root.pem")


def seal_certificate_create(*, path, password: str, organisation: str, days: int) -> None:
    """Make a development seal: an ECDSA P-256 root CA and a seal certificate it issued, as PKCS#12.

    The PKCS#12 file (mode 0600) holds the seal's key, its certificate and the CA certificate; the root
    certificate is also written beside it as `<name>-root.pem` for verifiers.
    """
    if days < 1:
        raise ValueError("A seal certificate must be valid for at least one day.")
    path = Path(path)
    now = datetime.datetime.now(datetime.UTC)
    not_before = now - datetime.timedelta(minutes=5)  # tolerate a little clock skew between servers
    not_after = now + datetime.timedelta(days=days)

    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} 电子印章根证书"),
        ]
    )
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(root_ski, critical=False)
        .sign(root_key, hashes.SHA256())
    )

    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal_cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                    x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} 电子印章"),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # pyHanko's validator (and Acrobat) want non-repudiation on a signer certificate.
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [_DOCUMENT_SIGNING, _ADOBE_AUTHENTIC_DOCUMENTS, ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )

    encryption = (
        serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    )
    pkcs12_bytes = pkcs12.serialize_key_and_certificates(
        name=b"organisation-seal",
        key=seal_key,
        cert=seal_cert,
        cas=[root_cert],
        encryption_algorithm=encryption,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, pkcs12_bytes, mode=0o600)
    _write_atomically(seal_root_path(path), root_cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def seal_certificate_fingerprint(*, path, password: str) -> str:
    """The SHA-256 fingerprint of the seal certificate in a PKCS#12 file, as colon-separated hex."""
    path = Path(path)
    _key, cert, _cas = _pkcs12_parse(_pkcs12_read(path), path=path, password=password)
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def pdf_seal(*, pdf: bytes) -> bytes:
    """Seal a finished PDF with the organisation's certificate (PAdES B-B, or B-T with a timestamp server).

    The seal is a certification signature that allows no changes, added as an incremental update: the
    bytes before it are kept as they are, and any later change breaks it in a PDF reader.
    """
    seal = _seal_signer()
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=SEAL_REASON,
        location=seal.organisation or None,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    # Only a configured timestamp server is ever contacted; without one the seal is made offline.
    timestamper = (
        HTTPTimeStamper(settings.SEAL_TIMESTAMP_URL, timeout=TIMESTAMP_TIMEOUT_SECONDS)
        if settings.SEAL_TIMESTAMP_URL
        else None
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signer = signers.PdfSigner(metadata, signer=seal.signer, timestamper=timestamper)
    return signer.sign_pdf(writer).getvalue()


@dataclass(frozen=True)
class _LoadedSeal:
    key: tuple  # (path, inode, mtime, size, password) of the file it was loaded from
    signer: signers.SimpleSigner
    organisation: str
    ca_certificates: tuple[bytes, ...]  # DER of the CA certificates shipped in the PKCS#12 file


_seal_lock = threading.Lock()
_seal_loaded: _LoadedSeal | None = None


def _seal_signer() -> _LoadedSeal:
    """The seal, loaded once per process and again only when the file (or its setting) changes."""
    global _seal_loaded
    path = Path(settings.SEAL_PKCS12_FILE)
    password = settings.SEAL_PKCS12_PASSWORD
    try:
        stat = path.stat()
    except OSError as exc:
        raise SealNotConfiguredError(
            _(
                "The organisation's seal file %(path)s does not exist. Create one for development with "
                "`python manage.py create_seal_certificate`, or set DJANGO_SEAL_PKCS12_FILE to the "
                "organisation's PKCS#12 file."
            )
            % {"path": path}
        ) from exc
    cache_key = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size, password)
    with _seal_lock:
        if _seal_loaded is not None and _seal_loaded.key == cache_key:
            return _seal_loaded
        data = _pkcs12_read(path)
        _key, cert, cas = _pkcs12_parse(data, path=path, password=password)
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=password.encode() if password else None
        )
        organisations = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        _seal_loaded = _LoadedSeal(
            key=cache_key,
            signer=signer,
            organisation=str(organisations[0].value) if organisations else "",
            ca_certificates=tuple(ca.public_bytes(serialization.Encoding.DER) for ca in cas),
        )
        return _seal_loaded


def seal_ca_certificates() -> tuple[bytes, ...]:
    """DER of the CA certificates in the configured seal file; empty when no seal is configured."""
    try:
        return _seal_signer().ca_certificates
    except SealNotConfiguredError:
        return ()


def _pkcs12_read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SealNotConfiguredError(
            _("The organisation's seal file %(path)s cannot be read: %(error)s")
            % {"path": path, "error": exc}
        ) from exc


def _pkcs12_parse(data: bytes, *, path: Path, password: str):
    try:
        key, cert, cas = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError as exc:
        raise SealNotConfiguredError(
            _(
                "The organisation's seal file %(path)s cannot be opened: the password "
                "(DJANGO_SEAL_PKCS12_PASSWORD) is wrong or the file is not PKCS#12."
            )
            % {"path": path}
        ) from exc
    if key is None or cert is None:
        raise SealNotConfiguredError(
            _("The organisation's seal file %(path)s holds no key and certificate.") % {"path": path}
        )
    return key, cert, cas


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    """Write a whole file or nothing, with its permissions set before any byte is written."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
