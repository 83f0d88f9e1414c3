"""The rules for uploaded evidence (佐证材料), the same everywhere a file is attached.

- Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files, recognised by their content: the name and
  the browser's claimed type are ignored when deciding.
- At most `settings.EVIDENCE_MAX_BYTES` per file and `MAX_FILES_PER_UPLOAD` files at once.
- The SHA-256 of the bytes is stored; the stored name is random (the uploader's name is kept as text).
- Files are always served as a download (Content-Disposition: attachment), never shown inline, under the
  uploader's name with the extension of the type the bytes are: a PDF uploaded as "整改报告.html" is
  kept and served as "整改报告.pdf" (application/pdf), so no program opens it as a web page.
"""

import hashlib
import io
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.errors import ApplicationError

MAX_FILES_PER_UPLOAD = 10
MAX_NAME_LENGTH = 200


class EvidenceRefused(ApplicationError):
    """An upload the rules do not accept; nothing was stored."""

    form_field = "files"  # the upload field of every form that takes evidence


@dataclass(frozen=True)
class EvidenceType:
    extension: str
    content_type: str
    label: str
    other_extensions: tuple[str, ...] = ()  # also usual for the type, kept when the uploader used one


PDF = EvidenceType(".pdf", "application/pdf", "PDF")
PNG = EvidenceType(".png", "image/png", "PNG")
JPEG = EvidenceType(".jpg", "image/jpeg", "JPEG", other_extensions=(".jpeg",))
DOCX = EvidenceType(
    ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"
)
XLSX = EvidenceType(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
ALLOWED_TYPES = (PDF, PNG, JPEG, DOCX, XLSX)
# Bytes of none of these (never accepted; only a file stored by other means): served as opaque data.
UNKNOWN = EvidenceType(".bin", "application/octet-stream", "")


def allowed_types_label() -> str:
    return "、".join(kind.label for kind in ALLOWED_TYPES)


@dataclass(frozen=True)
class CheckedEvidence:
    """An upload that passed the checks, with what will be stored about it."""

    content: bytes
    original_name: str
    kind: EvidenceType
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def evidence_type_of(content: bytes) -> EvidenceType | None:
    """The allowed type the bytes are, by their signature and structure; None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def original_name_clean(name: str) -> str:
    """The uploader's file name as text to show: no path, no control characters, not too long."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[-MAX_NAME_LENGTH:] or _("evidence")


def evidence_file_name(name: str, kind: EvidenceType) -> str:
    """The uploader's name with the extension of the type the bytes are, whatever extension it had."""
    stem, suffix = os.path.splitext(name)
    if suffix.lower() in (kind.extension, *kind.other_extensions):
        return name
    return stem + kind.extension


def evidence_check(upload) -> CheckedEvidence:
    """Read and check one uploaded file (a Django UploadedFile). Raises EvidenceRefused."""
    name = original_name_clean(getattr(upload, "name", ""))
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise EvidenceRefused(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise EvidenceRefused(
            _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)}
        )
    if not content:
        raise EvidenceRefused(_("“%(name)s” is empty.") % {"name": name})
    kind = evidence_type_of(content)
    if kind is None:
        raise EvidenceRefused(
            _("“%(name)s” is not an accepted file. Accepted: %(types)s.")
            % {"name": name, "types": allowed_types_label()}
        )
    return CheckedEvidence(
        content=content,
        original_name=evidence_file_name(name, kind)[-MAX_NAME_LENGTH:],
        kind=kind,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def evidence_check_all(uploads) -> list[CheckedEvidence]:
    """Check every file of one upload; the first refusal stops it all (nothing is stored)."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise EvidenceRefused(_("Attach at most %(max)d files at a time.") % {"max": MAX_FILES_PER_UPLOAD})
    return [evidence_check(upload) for upload in uploads]
