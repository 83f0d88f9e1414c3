"""The organisation's seal: a PAdES signature that makes any later change to an archived PDF show.

The seal is a PKCS#12 file (key, seal certificate, CA certificate) named by settings.SEAL_PKCS12_FILE.
Production installs one issued by the organisation's CA; `manage.py create_seal_certificate` makes a
self-signed chain for development. Next to the PKCS#12 file lies `<name>-root.pem`, the root certificate
that verification trusts (see responsibility.letters.verify).
"""

import asyncio
import datetime
import hashlib
import io
import json
import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509 as asn1_x509
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
from pyhanko.sign.signers.constants import ESIC_EXTENSION_1
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper, TimestampDSSContentSettings
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from core.certificates import certificate_pem, certificates_load

logger = logging.getLogger(__name__)

SEAL_FIELD_NAME = "OrganisationSeal"
# The document timestamp (PAdES B-LTA) after the validation data, when a timestamp server is configured.
ARCHIVE_TIMESTAMP_FIELD_NAME = "ArchiveTimestamp"
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
    seal_history_record(
        path=path,
        chain=tuple(
            asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
            for cert in (seal_cert, root_cert)
        ),
    )


def seal_certificate_fingerprint(*, path, password: str) -> str:
    """The SHA-256 fingerprint of the seal certificate in a PKCS#12 file, as colon-separated hex."""
    path = Path(path)
    _key, cert, _cas = _pkcs12_parse(_pkcs12_read(path), path=path, password=password)
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def pdf_seal(*, pdf: bytes) -> bytes:
    """Seal a finished PDF/A with the organisation's certificate: PAdES B-B, or B-LTA with a timestamp server.

    1. The seal: a PAdES certification signature that allows no changes, its CMS carrying the seal's
       certificate chain, added as an incremental update: the bytes before it are kept as they are,
       and any later change breaks it in a PDF reader. With a timestamp server it carries a trusted
       time (B-T).
    2. With a timestamp server, the proof that outlives the certificates (B-LTA): one more update
       stores the seal's and the authority's certificate chains in the document security store (DSS)
       and ends with a document timestamp over the whole file, so that the seal can be checked
       without this system once its certificate has expired or been replaced.

    Both updates leave the file PDF/A-3b (see _ArchivalPdfWriter and _ArchivalPdfSigner).

    pyHanko's synchronous signing runs an event loop of its own, which cannot start inside a running one:
    a caller already in one (a browser test's thread, an async view) has it done in a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _pdf_seal(pdf)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_pdf_seal, pdf).result()


def _pdf_seal(pdf: bytes) -> bytes:
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
    timestamper = _timestamper()
    signer = _ArchivalPdfSigner(metadata, signer=seal.signer, timestamper=timestamper)
    sealed = signer.sign_pdf(
        _ArchivalPdfWriter(io.BytesIO(pdf)),
        # Without a timestamp the signature's size is known: reserving it skips pyHanko's trial signature
        # (half the seal's time). A token's size depends on the authority, so pyHanko measures it then.
        bytes_reserved=None if timestamper else _signature_bytes_reserved(seal),
    ).getvalue()
    if timestamper is None:
        return sealed
    return _archive_timestamp_add(sealed, seal=seal, timestamper=timestamper)


# Room in the signature's /Contents beyond the certificates it carries: the signed attributes (about 400
# bytes), the ECDSA signature (72) and the CMS structure, with ample margin.
_SIGNATURE_ROOM_BYTES = 4096


def _signature_bytes_reserved(seal: "_LoadedSeal") -> int:
    """In hexadecimal digits, as pyHanko counts /Contents: two per byte of the CMS."""
    return 2 * (sum(len(certificate.dump()) for certificate in seal.chain) + _SIGNATURE_ROOM_BYTES)


def _timestamper() -> HTTPTimeStamper | None:
    """Only a configured timestamp server is ever contacted; without one the seal is made offline."""
    if not settings.SEAL_TIMESTAMP_URL:
        return None
    return HTTPTimeStamper(settings.SEAL_TIMESTAMP_URL, timeout=TIMESTAMP_TIMEOUT_SECONDS)


def _archive_timestamp_add(sealed: bytes, *, seal: "_LoadedSeal", timestamper: HTTPTimeStamper) -> bytes:
    """The DSS update after the seal (the seal's chain, the authority's: SEAL_TIMESTAMP_CERTIFICATES),
    closed by a document timestamp that covers the whole file."""
    writer = _ArchivalPdfWriter(io.BytesIO(sealed))
    DocumentSecurityStore.supply_dss_in_writer(
        writer, sig_contents=None, certs=seal.chain, ocsps=(), crls=(), embed_roots=True
    )
    authorities = timestamp_authority_certificates()
    return (
        PdfTimeStamper(timestamper, field_name=ARCHIVE_TIMESTAMP_FIELD_NAME)
        .timestamp_pdf(
            writer,
            "sha256",
            validation_context=(
                ValidationContext(trust_roots=authorities, allow_fetching=False, revocation_mode="soft-fail")
                if authorities
                else None
            ),
            # The authority's chain goes into this same update, before the timestamp: a DSS written
            # after it would be one more revision that nothing covers.
            dss_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False),
        )
        .getvalue()
    )


def timestamp_authority_certificates() -> list[asn1_x509.Certificate]:
    """The timestamp authority's certificates the deployment names (SEAL_TIMESTAMP_CERTIFICATES files)."""
    return [
        certificate
        for path in settings.SEAL_TIMESTAMP_CERTIFICATES
        for certificate in certificates_load(Path(path).read_bytes())
    ]


class _ArchivalPdfWriter(IncrementalPdfFileWriter):
    """An incremental update that leaves the document's metadata as the PDF/A render wrote it.

    pyHanko rewrites /Producer in the Info dictionary and its own XMP on every update, which leaves
    the two disagreeing (PDF/A-3b 6.6.3: Info and XMP must match); keeping both as they were keeps them
    in agreement. The seal's time is in the signature, not in /ModDate.
    """

    def _update_meta(self):
        return None


class _ArchivalPdfSigner(signers.PdfSigner):
    """A signer that keeps the file a PDF 1.7 (what its header and its PDF/A claim say).

    pyHanko marks an ECDSA P-256 signature with the ISO 32002 extension, which raises the catalogue's
    /Version to 2.0; PAdES on PDF 1.7 (the ETSI ESIC extension, which pyHanko still writes) covers
    ECDSA already, and PDF/A-3 is a PDF 1.7 profile.
    """

    def register_extensions(self, pdf_out, *, md_algorithm: str) -> None:
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(ESIC_EXTENSION_1)


@dataclass(frozen=True)
class _LoadedSeal:
    key: tuple  # (path, inode, mtime, size, password) of the file it was loaded from
    signer: signers.SimpleSigner
    organisation: str
    ca_certificates: tuple[bytes, ...]  # DER of the CA certificates shipped in the PKCS#12 file
    chain: tuple[asn1_x509.Certificate, ...]  # the seal's certificate, then those CA certificates


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
        ca_certificates = tuple(ca.public_bytes(serialization.Encoding.DER) for ca in cas)
        _seal_loaded = _LoadedSeal(
            key=cache_key,
            signer=signer,
            organisation=str(organisations[0].value) if organisations else "",
            ca_certificates=ca_certificates,
            chain=(
                asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
                *(asn1_x509.Certificate.load(der) for der in ca_certificates),
            ),
        )
        seal_history_record(path=path, chain=_seal_loaded.chain)
        return _seal_loaded


# --- The history of seal certificates ------------------------------------------------------------


@dataclass(frozen=True)
class SealHistoryEntry:
    """A seal certificate the system has used, kept after it expires or is replaced."""

    fingerprint: str  # SHA-256 of the seal certificate, hex
    subject: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    first_used: datetime.datetime  # when this system first loaded it to seal (or created it)
    chain: tuple[asn1_x509.Certificate, ...]  # the seal certificate, then its CA certificates

    @property
    def authorities(self) -> tuple[asn1_x509.Certificate, ...]:
        """The CA certificates of the chain: what a verifier trusts to check this seal's documents."""
        return tuple(certificate for certificate in self.chain if certificate.ca)


def seal_history_dir(pkcs12_path) -> Path:
    """`history/` beside the seal file: one JSON file per seal certificate ever used."""
    return Path(pkcs12_path).parent / "history"


def seal_history_record(*, path, chain: tuple[asn1_x509.Certificate, ...]) -> None:
    """Keep a seal certificate and its chain for good, the first time it is used (written once).

    Documents sealed with it must still verify after the organisation replaces its seal: the
    verification trusts the CA certificates kept here (responsibility.letters.verify). The folder
    lies beside the seal's key and is protected like it. A folder that cannot be written is logged,
    not fatal: the seal itself is sound, only its later replacement would need the old root by hand
    (DJANGO_SEAL_TRUST_ROOTS_FILE).
    """
    seal_certificate = chain[0]
    fingerprint = seal_certificate.sha256.hex()
    file = seal_history_dir(path) / f"{fingerprint}.json"
    if file.exists():
        return
    record = {
        "fingerprint": fingerprint,
        "subject": seal_certificate.subject.human_friendly,
        "not_before": seal_certificate.not_valid_before.isoformat(),
        "not_after": seal_certificate.not_valid_after.isoformat(),
        "first_used": datetime.datetime.now(datetime.UTC).isoformat(),
        "chain": [certificate_pem(certificate) for certificate in chain],
    }
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(file, json.dumps(record, ensure_ascii=False, indent=2).encode(), mode=0o644)
    except OSError as error:
        logger.error("The seal certificate %s could not be kept in %s: %s", fingerprint, file.parent, error)


def seal_history(pkcs12_path=None) -> list[SealHistoryEntry]:
    """Every seal certificate kept beside the seal file, oldest first; unreadable entries are skipped."""
    folder = seal_history_dir(pkcs12_path or settings.SEAL_PKCS12_FILE)
    entries = []
    for file in sorted(folder.glob("*.json")):
        try:
            record = json.loads(file.read_bytes())
            chain = tuple(
                certificate for text in record["chain"] for certificate in certificates_load(text.encode())
            )
            entries.append(
                SealHistoryEntry(
                    fingerprint=chain[0].sha256.hex(),
                    subject=chain[0].subject.human_friendly,
                    not_before=chain[0].not_valid_before,
                    not_after=chain[0].not_valid_after,
                    first_used=datetime.datetime.fromisoformat(record["first_used"]),
                    chain=chain,
                )
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            logger.warning("Ignoring the unreadable seal history entry %s: %s", file, error)
    return sorted(entries, key=lambda entry: entry.first_used)


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
