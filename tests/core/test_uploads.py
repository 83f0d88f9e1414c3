"""No uploaded file is kept past the largest file the site accepts (core.uploads): the rest of an oversized
file is let go as it arrives, and the form that receives it still refuses it, in words."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from responsibility.evidence.rules import EvidenceRefused, evidence_check

MB = 2**20


def parsed_upload(content: bytes):
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("整改报告.pdf", content)})
    return request.FILES["file"]


def test_an_oversized_file_is_kept_only_to_one_byte_past_the_limit(settings):
    # Given a limit of 64 KB on any one file (small, for the test: the same path as 20 MB)
    settings.UPLOAD_FILE_MAX_BYTES = settings.EVIDENCE_MAX_BYTES = 64 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # spooled to a temporary file on disk, as large uploads are

    # When a 2 MB file arrives
    upload = parsed_upload(b"%PDF-1.7\n" + b"0" * (2 * MB))

    # Then what was spooled stops one byte past the limit, and the evidence rules refuse it in words
    assert upload.size == 64 * 1024 + 1
    with pytest.raises(EvidenceRefused, match="整改报告.pdf"):
        evidence_check(upload)


def test_a_file_within_the_limit_arrives_whole(settings):
    settings.UPLOAD_FILE_MAX_BYTES = 64 * 1024
    content = b"%PDF-1.7\n" + b"1" * (64 * 1024 - 9)

    upload = parsed_upload(content)

    assert upload.size == len(content) and upload.read() == content


def test_the_limit_covers_every_kind_of_upload_the_site_accepts(settings):
    from accounts.org_import.workbook import MAX_FILE_BYTES

    assert settings.FILE_UPLOAD_HANDLERS[0] == "core.uploads.FileSizeLimitUploadHandler"
    assert (
        max(settings.EVIDENCE_MAX_BYTES, settings.VERIFY_MAX_BYTES, MAX_FILE_BYTES)
        == settings.UPLOAD_FILE_MAX_BYTES
    )
