"""The upload rules (responsibility/evidence.py): allowed types by content, size and count limits, names."""

import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from responsibility.evidence.rules import (
    DOCX,
    JPEG,
    MAX_FILES_PER_UPLOAD,
    PDF,
    PNG,
    XLSX,
    EvidenceRefused,
    evidence_check,
    evidence_check_all,
    evidence_type_of,
    original_name_clean,
)

try:
    from PIL import Image
except ImportError:  # pragma: no cover - Pillow is in the requirements; bytes do as well
    Image = None


# --- Real small files -----------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    return b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def image_bytes(fmt: str) -> bytes:
    if Image is None:
        return {"PNG": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "JPEG": b"\xff\xd8\xff\xe0" + b"\x00" * 32}[fmt]
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (180, 35, 42)).save(buffer, format=fmt)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("整改情况报告：已召开专题会议。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["问题编号", "整改情况"])
    workbook.active.append(["2026-001", "已完成"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Accepted, by content -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("会议记录.pdf", pdf_bytes, PDF),
        ("现场照片.png", lambda: image_bytes("PNG"), PNG),
        ("现场照片.jpg", lambda: image_bytes("JPEG"), JPEG),
        ("整改报告.docx", docx_bytes, DOCX),
        ("整改台账.xlsx", xlsx_bytes, XLSX),
    ],
)
def test_evidence_check_accepts_the_allowed_types_by_content(name, make, kind):
    content = make()

    checked = evidence_check(upload(name, content))

    assert checked.kind == kind
    assert checked.content == content
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.original_name == name


def test_evidence_check_ignores_the_name_and_the_claimed_type():
    # given a Word document uploaded as "photo.png" claiming to be an image
    checked = evidence_check(upload("photo.png", docx_bytes(), "image/png"))

    # then it is what its bytes are
    assert checked.kind == DOCX
    assert checked.kind.extension == ".docx"


def test_evidence_check_reads_the_file_from_its_start():
    file = upload("a.pdf", pdf_bytes())
    file.read(5)  # something read it before

    assert evidence_check(file).content == pdf_bytes()


def test_evidence_type_of_tells_word_from_excel_inside_the_zip():
    assert evidence_type_of(docx_bytes()) == DOCX
    assert evidence_type_of(xlsx_bytes()) == XLSX


# --- Refused --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param(
            "通知.html", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", id="HTML"
        ),
        pytest.param("图.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', id="SVG"),
        pytest.param(
            "报告.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
            id="EXE named .pdf",
        ),
        pytest.param("材料.docx", zip_bytes({"readme.txt": b"hello"}), id="ZIP that is not OOXML"),
        pytest.param(
            "幻灯片.docx",
            zip_bytes({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}),
            id="OOXML that is neither Word nor Excel",
        ),
        pytest.param("坏.docx", b"PK\x03\x04" + b"\x00" * 40, id="broken ZIP"),
        pytest.param("说明.txt", "纯文本说明".encode(), id="plain text"),
        pytest.param("截图.pdf", b" %PDF-1.7 not at the start", id="PDF signature not at the start"),
    ],
)
def test_evidence_check_refuses_what_is_not_an_allowed_type(name, content):
    with pytest.raises(EvidenceRefused, match="is not an accepted file") as refused:
        evidence_check(upload(name, content, "application/pdf"))

    assert name in str(refused.value)
    assert "PDF、PNG、JPEG、Word、Excel" in str(refused.value)


def test_evidence_check_refuses_an_empty_file():
    with pytest.raises(EvidenceRefused, match="“空.pdf” is empty"):
        evidence_check(upload("空.pdf", b""))


def test_evidence_check_refuses_a_file_over_the_limit_by_its_size(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(
        EvidenceRefused, match=r"“大.pdf” is 1\.0.KB; files may be at most 1\.0.KB"
    ) as refused:
        evidence_check(upload("大.pdf", b"%PDF-" + b"0" * 1020))  # 1025 bytes
    assert "大.pdf" in str(refused.value)


def test_evidence_check_accepts_a_file_of_exactly_the_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    assert evidence_check(upload("刚好.pdf", b"%PDF-" + b"0" * 1019)).size == 1024


class _UnsizedUpload(io.BytesIO):
    """An upload whose size is not known beforehand (a stream): the limit is enforced while reading."""

    name = "流.pdf"
    size = None


def test_evidence_check_refuses_a_stream_that_turns_out_over_the_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(EvidenceRefused, match="larger than"):
        evidence_check(_UnsizedUpload(b"%PDF-" + b"0" * 5000))


def test_evidence_check_all_refuses_too_many_files():
    files = [upload(f"{n}.pdf", pdf_bytes()) for n in range(MAX_FILES_PER_UPLOAD + 1)]
    with pytest.raises(EvidenceRefused, match=f"at most {MAX_FILES_PER_UPLOAD} files"):
        evidence_check_all(files)


def test_evidence_check_all_accepts_the_maximum_and_nothing():
    files = [upload(f"{n}.pdf", pdf_bytes()) for n in range(MAX_FILES_PER_UPLOAD)]
    assert len(evidence_check_all(files)) == MAX_FILES_PER_UPLOAD
    assert evidence_check_all([]) == []
    assert evidence_check_all(None) == []


def test_evidence_check_all_stops_at_the_first_bad_file():
    with pytest.raises(EvidenceRefused, match="“b.html”"):
        evidence_check_all([upload("a.pdf", pdf_bytes()), upload("b.html", b"<html>"), upload("c", b"")])


# --- Names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("会议记录.pdf", "会议记录.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/var/www/evidence/照片.png", "照片.png"),
        ("C:\\Users\\张三\\Desktop\\整改报告.docx", "整改报告.docx"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("报\x00告\n.pdf", "报告.pdf"),
        ("a\tb\r\x1b[31m.pdf", "ab[31m.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # the right-to-left override is removed
        ("  空格.pdf  ", "空格.pdf"),
    ],
)
def test_original_name_clean_drops_paths_and_control_characters(given, kept):
    assert original_name_clean(given) == kept


def test_original_name_clean_keeps_the_end_of_a_long_name():
    name = "很" * 300 + ".xlsx"
    cleaned = original_name_clean(name)
    assert len(cleaned) == 200
    assert cleaned.endswith(".xlsx")


@pytest.mark.parametrize("given", ["", None, "../", "\x00\x01"])
def test_original_name_clean_gives_a_name_to_a_nameless_file(given):
    assert original_name_clean(given) == "evidence"


def test_evidence_check_keeps_the_cleaned_name():
    checked = evidence_check(upload("../../私密/会议\x00记录.pdf", pdf_bytes()))
    assert checked.original_name == "会议记录.pdf"
