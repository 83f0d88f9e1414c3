"""The request body limit (config.middleware.RequestBodyLimitMiddleware): no body larger than the largest
upload the site accepts is read, whatever the page; a file part is not covered by Django's own limit."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.org_import.workbook import MAX_FILE_BYTES as WORKBOOK_MAX_BYTES
from config.middleware import RequestBodyLimitMiddleware
from responsibility.evidence.rules import MAX_FILES_PER_UPLOAD

MB = 1024 * 1024


def test_the_default_limit_admits_every_upload_the_site_accepts_and_little_more():
    # The largest request a person may send: ten evidence files of the largest size at once
    largest = max(
        settings.EVIDENCE_MAX_BYTES * MAX_FILES_PER_UPLOAD, settings.VERIFY_MAX_BYTES, WORKBOOK_MAX_BYTES
    )

    assert largest < settings.REQUEST_BODY_MAX_BYTES <= largest + MB
    # and the public verification page accepts one PDF and its form, no more
    assert settings.VERIFY_MAX_BYTES < settings.VERIFY_REQUEST_MAX_BYTES <= settings.VERIFY_MAX_BYTES + MB


@pytest.mark.django_db
def test_the_public_verification_page_refuses_more_than_one_pdf_before_reading_it(client, monkeypatch):
    # Given a body the site as a whole would accept, but larger than the verification page's own limit
    size = settings.VERIFY_REQUEST_MAX_BYTES + 1
    assert size < settings.REQUEST_BODY_MAX_BYTES
    read = []
    monkeypatch.setattr(
        "django.http.request.HttpRequest._load_post_and_files", lambda request: read.append(request.path)
    )

    # When it is posted to the public page
    response = client.post(reverse("responsibility:verify"), {"action": "upload"}, CONTENT_LENGTH=str(size))

    # Then it is refused with 413 and nothing read it (not even the CSRF check)
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
    assert read == []


def test_middleware_order_refuses_before_anything_reads_the_body():
    middleware = settings.MIDDLEWARE
    limit = middleware.index("config.middleware.RequestBodyLimitMiddleware")

    assert limit < middleware.index("django.middleware.csrf.CsrfViewMiddleware")
    assert limit < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware.index("core.ratelimit.RateLimitMiddleware") < middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )


@pytest.mark.django_db
def test_a_declared_length_over_the_limit_is_refused_on_any_page(client):
    # The login form is no upload at all: the limit holds everywhere, before the CSRF check reads the body
    response = client.post(
        reverse("accounts:login"),
        {"username": "x", "password": "y"},
        CONTENT_LENGTH=str(settings.REQUEST_BODY_MAX_BYTES + 1),
    )

    page = response.content.decode()
    assert response.status_code == 413
    assert "上传内容过大" in page and f"{settings.REQUEST_BODY_MAX_BYTES // MB} MB" in page


@pytest.mark.django_db
def test_djangos_own_limit_does_not_cover_a_file_part(client, settings, seal_settings):
    # Given Django's limit far below a file, and the body limit above it
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.7\n" + b"0" * 50_000, content_type="application/pdf")

    # When the file is uploaded, Django reads all of it: only the body limit would have stopped it
    response = client.post(reverse("responsibility:verify"), {"action": "upload", "pdf": upload})

    assert response.status_code == 200  # checked, and found not authentic
    assert 'data-authentic="no"' in response.content.decode()


def _reading_view(request):
    return HttpResponse(request.META["wsgi.input"].read())


def _chunked_request(body: bytes):
    request = RequestFactory().generic("POST", "/", HTTP_TRANSFER_ENCODING="chunked")
    assert "CONTENT_LENGTH" not in request.META
    request.META["wsgi.input"] = io.BytesIO(body)
    return request


def test_a_body_without_a_length_is_read_no_further_than_the_limit(settings):
    # Given a limit and a chunked body beyond it
    settings.REQUEST_BODY_MAX_BYTES = 1000
    request = _chunked_request(b"x" * 100_000)
    raw = request.META["wsgi.input"]

    # When the page reads the raw input
    response = RequestBodyLimitMiddleware(convert_exception_to_response(_reading_view))(request)

    # Then reading stopped just past the limit, and the answer is 413
    assert response.status_code == 413
    assert raw.tell() == 1001


def test_a_body_without_a_length_within_the_limit_is_read(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000

    response = RequestBodyLimitMiddleware(convert_exception_to_response(_reading_view))(
        _chunked_request(b"x" * 1000)
    )

    assert response.status_code == 200
    assert response.content == b"x" * 1000
