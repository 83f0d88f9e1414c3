"""pdf_verify and the pages answer for any registered kind of sealed document, not only letters: a fake
kind holding a sealed file stands in for a kind the letters know nothing of."""

import dataclasses
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.verification import ChainPlace, Standing
from responsibility.letters.verify import VerificationOutcome, pdf_verify
from tests.core.sealed_kinds import FakeKind, fake_record, kinds_registered
from tests.responsibility.pdf.sealing import sealed_pdf_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(seal_settings, countersigned_letter) -> bytes:
    """A file with the organisation's valid seal that no letter document holds."""
    return sealed_pdf_for(countersigned_letter)


@pytest.fixture
def fake_kind(registered, sealed):
    record = fake_record(
        sha256=hashlib.sha256(sealed).hexdigest(),
        sealed_at=timezone.now(),  # when the seal's certificate is judged: it was made for this test run
        rows=(("承办部门", "办公室"),),
        chain=ChainPlace("测试链", 7, "e" * 64, "盖章", 3, "d" * 64),
    )
    return registered(FakeKind("fake", record=record))


@pytest.fixture
def registered():
    with kinds_registered() as register:
        yield register


@pytest.mark.parametrize(
    ("standing", "outcome"),
    [
        (Standing.IN_FORCE, VerificationOutcome.AUTHENTIC),
        (Standing.VOIDED, VerificationOutcome.VOIDED),
        (Standing.SUPERSEDED, VerificationOutcome.SUPERSEDED),
        (Standing.RECORD_MISSING, VerificationOutcome.NOT_ARCHIVED),
    ],
)
def test_pdf_verify_reads_the_standing_from_whichever_kind_holds_the_file(
    fake_kind, sealed, standing, outcome
):
    fake_kind.record = dataclasses.replace(fake_kind.record, standing=standing)

    result = pdf_verify(pdf=sealed)

    assert result.outcome == outcome
    assert result.record == fake_kind.record
    assert ("sha256", result.sha256) in fake_kind.asked


def test_the_pages_show_another_kinds_record_with_its_rows_and_chain(client, fake_kind, sealed, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fake_kind.record = dataclasses.replace(
        fake_kind.record,
        standing=Standing.SUPERSEDED,
        successor_code="AAAA-BBBB-CCCC-DDDD",
        successor_label="第2版",
    )

    uploaded = client.post(
        reverse("responsibility:verify"),
        {"action": "upload", "pdf": SimpleUploadedFile("x.pdf", sealed, content_type="application/pdf")},
    ).content.decode()
    looked_up = client.get(reverse("responsibility:verify-code", args=[fake_kind.record.verification_code]))

    assert looked_up.status_code == 200
    for page in (uploaded, looked_up.content.decode()):
        assert "测试文件" in page and "一份盖章文件" in page and "测〔2026〕1号" in page
        assert "承办部门" in page and "办公室" in page
        assert "测试链" in page and "No. 7: 盖章" in page and "d" * 64 in page
        assert 'href="/verify/AAAA-BBBB-CCCC-DDDD/" data-successor' in page
    assert "Authentic, but superseded by 第2版" in uploaded
