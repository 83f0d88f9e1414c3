"""The public verification page under attack: hostile files are answered in time with a reason, requests are
limited per address, and a body over the limit is refused before it is read (README, "The public
verification page")."""

import datetime
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse

from tests.responsibility.pdf.hostile import HOSTILE_FILES
from tests.responsibility.pdf.sealing import document_archive, sealed_pdf_for

pytestmark = pytest.mark.django_db

ANSWER_WITHIN_SECONDS = 5
CODE = "K7QX-3M9D-PA2W-H4TZ"


class RecordingUploadHandler(FileUploadHandler):
    """Notes that Django began to read an upload's body; passes everything on to the usual handlers."""

    started = []

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.started.append(content_length)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture
def uploads_recorded(settings):
    RecordingUploadHandler.started = []
    settings.FILE_UPLOAD_HANDLERS = [
        "tests.responsibility.views.test_verification_limits.RecordingUploadHandler",
        *settings.FILE_UPLOAD_HANDLERS,
    ]
    return RecordingUploadHandler.started


@pytest.fixture
def sealed(seal_settings, countersigned_letter) -> bytes:
    """The sealed PDF of a countersigned letter, archived."""
    pdf = sealed_pdf_for(countersigned_letter)
    document_archive(letter=countersigned_letter, pdf=pdf)
    return pdf


@pytest.fixture
def counts_fresh(time_machine):
    """No request counted yet, and a clock that stays at second 5 of a minute (windows are minutes)."""
    time_machine.move_to(datetime.datetime(2026, 3, 1, 2, 0, 5, tzinfo=datetime.UTC), tick=False)
    cache.clear()
    yield
    cache.clear()


def _upload(client, data: bytes, **extra):
    return client.post(
        reverse("responsibility:verify"),
        {"action": "upload", "pdf": SimpleUploadedFile("letter.pdf", data, content_type="application/pdf")},
        **extra,
    )


def _timed_upload(client, data: bytes):
    started = time.monotonic()
    response = _upload(client, data)
    return response, time.monotonic() - started


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_a_hostile_upload_is_answered_in_time_with_its_reason(client, sealed, name):
    # Given a file built to exhaust the verifier
    hostile = HOSTILE_FILES[name](sealed)

    # When someone without an account uploads it
    response, elapsed = _timed_upload(client, hostile)

    # Then the page answers within the budget: not authentic, because of the file's structure
    page = response.content.decode()
    assert elapsed < ANSWER_WITHIN_SECONDS
    assert response.status_code == 200
    assert 'data-authentic="no"' in page
    assert 'data-outcome="malformed"' in page
    # And the genuine letter uploaded next is still authentic
    genuine, elapsed = _timed_upload(client, sealed)
    assert elapsed < ANSWER_WITHIN_SECONDS
    assert 'data-authentic="yes"' in genuine.content.decode()


def test_a_seal_check_over_its_time_budget_is_answered_with_a_reason(client, sealed, settings):
    settings.VERIFY_TIMEOUT_SECONDS = 0.001

    response, elapsed = _timed_upload(client, sealed)

    page = response.content.decode()
    assert elapsed < ANSWER_WITHIN_SECONDS
    assert response.status_code == 200
    assert 'data-authentic="no"' in page
    assert 'data-outcome="too_complex"' in page
    assert "文件过于复杂，无法在规定时间内核验" in page


def test_checks_beyond_the_limit_per_address_are_refused_without_reading_them(
    client, settings, counts_fresh, uploads_recorded, time_machine
):
    # Given an address that sent as many checks as a minute allows
    settings.VERIFY_CHECKS_PER_MINUTE = 3
    for _ in range(3):
        typed = client.post(
            reverse("responsibility:verify"), {"action": "code", "code": CODE}, REMOTE_ADDR="10.1.1.1"
        )
        assert typed.status_code == 302

    # When it sends one more, a file
    refused = _upload(client, b"%PDF-1.7\n" + b"0" * 50_000, REMOTE_ADDR="10.1.1.1")

    # Then it is told, in Chinese, to come back when the minute is over; the upload was never read
    page = refused.content.decode()
    assert refused.status_code == 429
    assert refused["Retry-After"] == "55"
    assert "请求过于频繁" in page and "请在 55 秒后再试" in page
    assert "no-cache" in refused["Cache-Control"]
    assert len(uploads_recorded) == 3  # the three forms allowed were read; the refused upload was not
    # While another address is still served, the page itself still opens, and the next minute is new
    other = client.post(
        reverse("responsibility:verify"), {"action": "code", "code": CODE}, REMOTE_ADDR="10.1.1.2"
    )
    assert other.status_code == 302
    assert client.get(reverse("responsibility:verify"), REMOTE_ADDR="10.1.1.1").status_code == 200
    time_machine.move_to(datetime.datetime(2026, 3, 1, 2, 1, 0, tzinfo=datetime.UTC), tick=False)
    again = client.post(
        reverse("responsibility:verify"), {"action": "code", "code": CODE}, REMOTE_ADDR="10.1.1.1"
    )
    assert again.status_code == 302


def test_code_lookups_beyond_the_limit_per_address_are_refused(client, settings, counts_fresh):
    settings.VERIFY_LOOKUPS_PER_MINUTE = 2
    url = reverse("responsibility:verify-code", args=[CODE])

    answers = [client.get(url, REMOTE_ADDR="10.2.2.1").status_code for _ in range(3)]
    other = client.get(url, REMOTE_ADDR="10.2.2.2")

    assert answers == [404, 404, 429]  # the code is unknown: found nobody, twice; then refused
    assert other.status_code == 404


def test_an_upload_over_the_body_limit_is_refused_before_it_is_read(
    client, settings, uploads_recorded, tmp_path
):
    # Given a body limit below the file (instead of sending 200 MB in a test), and where Django would
    # spool an upload to disk
    settings.REQUEST_BODY_MAX_BYTES = 64 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)

    # When a 100 KB file is uploaded
    response = _upload(client, b"%PDF-1.7\n" + b"0" * 100_000)

    # Then it is refused with 413 and a Chinese page, and nothing of it was read or spooled
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
    assert uploads_recorded == []
    assert list(tmp_path.iterdir()) == []


def test_a_request_claiming_a_huge_body_is_refused_unread(client, uploads_recorded):
    # A client announces 200 MB (and sends a little): nothing waits for, or reads, the rest
    response = _upload(client, b"%PDF-1.7\n", CONTENT_LENGTH=str(200 * 1024 * 1024))

    assert response.status_code == 413
    assert uploads_recorded == []
