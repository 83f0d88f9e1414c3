"""pdf_verify on files built to exhaust it: refused by their shape before any cryptography, or stopped by the
budget, and answered within 5 seconds either way; a genuine sealed letter still verifies afterwards.

Unprotected, pyHanko took 27 s over the byte-range bomb below and more than 2 minutes over the 3,000
incremental updates on the development machine (a gunicorn worker is killed at 30 s).
"""

import io
import logging
import re
import time

import pytest
from django.core.management import call_command
from django.utils import translation

from responsibility.letters.verify import VerificationOutcome, pdf_verify
from responsibility.management.commands.verify_pdf import EXIT_UNREADABLE
from tests.responsibility.pdf.hostile import HOSTILE_FILES, byte_range_bomb
from tests.responsibility.pdf.sealing import document_archive, sealed_pdf_for

pytestmark = pytest.mark.django_db

ANSWER_WITHIN_SECONDS = 5
MALFORMED_REASON = "The file's structure is abnormal: it is not a document sealed by this system."
TOO_COMPLEX_REASON = "The file is too complex to be verified in the time allowed."

# What the log says is wrong with each hostile file.
LOGGED = {
    "byte range of 150,000 ranges": "/ByteRange",
    "3,000 incremental updates": "3002 revisions",
    "200,000 tiny objects": "objects",
}


@pytest.fixture
def sealed(seal_settings, countersigned_letter) -> bytes:
    """The sealed PDF of a countersigned letter, archived."""
    pdf = sealed_pdf_for(countersigned_letter)
    document_archive(letter=countersigned_letter, pdf=pdf)
    return pdf


def _timed_verify(pdf: bytes):
    started = time.monotonic()
    with translation.override("en"):
        result = pdf_verify(pdf=pdf)
        return result, time.monotonic() - started, result.reason


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_pdf_verify_refuses_a_hostile_file_by_its_shape_in_time(sealed, settings, caplog, name):
    # Given a hostile file within the size limit (its shape, not its size, gives it away)
    hostile = HOSTILE_FILES[name](sealed)
    assert len(hostile) < settings.VERIFY_MAX_BYTES

    # When it is verified
    with caplog.at_level(logging.INFO, logger="responsibility.letters.verify"):
        result, elapsed, reason = _timed_verify(hostile)

    # Then the answer comes in time: unreadable, for its structure, and the log says why
    assert elapsed < ANSWER_WITHIN_SECONDS
    assert result.outcome == VerificationOutcome.MALFORMED
    assert not result.authentic and not result.seal_valid and result.record is None
    assert reason == MALFORMED_REASON
    assert "refused by its shape" in caplog.text and LOGGED[name] in caplog.text
    # And the genuine letter is still authentic
    assert pdf_verify(pdf=sealed).authentic


def _byte_range_rewritten(pdf: bytes, numbers: str) -> bytes:
    """The seal's /ByteRange replaced in place (the placeholder's padding keeps every offset)."""
    slot = re.search(rb"/ByteRange \[[0-9 ]+\] *", pdf)
    replacement = f"/ByteRange [{numbers}]".encode().ljust(slot.end() - slot.start())
    assert len(replacement) == slot.end() - slot.start()
    return pdf[: slot.start()] + replacement + pdf[slot.end() :]


def _byte_range(pdf: bytes) -> list[int]:
    return [int(n) for n in re.search(rb"/ByteRange \[([0-9 ]+)\]", pdf).group(1).split()]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda a, b, c: f"0 {a} {b} {c} 0 {a}", id="six numbers"),
        pytest.param(lambda a, b, c: f"0 {a} {b}", id="three numbers"),
        pytest.param(lambda a, b, c: f"1 {a - 1} {b} {c}", id="not from the start"),
        pytest.param(lambda a, b, c: f"0 {a + 1} {b} {c}", id="gap not the hex string"),
        pytest.param(lambda a, b, c: f"0 {a} {b} {c - 3}", id="not to the end of the revision"),
        pytest.param(lambda a, b, c: f"0 {a} {b} {c + 100}", id="past the end of the file"),
    ],
)
def test_pdf_verify_accepts_only_the_byte_ranges_pades_allows(sealed, change):
    # Given the genuine letter with its seal's byte ranges changed in place
    _zero, signed_until, resumes_at, length = _byte_range(sealed)
    changed = _byte_range_rewritten(sealed, change(signed_until, resumes_at, length))

    # When it is verified, then its shape refuses it before any cryptography
    assert pdf_verify(pdf=changed).outcome == VerificationOutcome.MALFORMED


def test_a_sealed_letter_is_well_within_the_shape_bounds(sealed, settings):
    # Given the genuine sealed letter: two revisions (the document and the seal), a few dozen objects
    revisions = sealed.count(b"%%EOF")
    objects = sealed.count(b"obj") - sealed.count(b"endobj")

    # Then the default bounds leave a wide margin, and its byte ranges are exactly PAdES's
    assert revisions == 2 and revisions * 4 <= settings.VERIFY_MAX_REVISIONS
    assert objects * 100 <= settings.VERIFY_MAX_OBJECTS
    assert len(sealed) * 10 <= settings.VERIFY_MAX_BYTES
    zero, signed_until, resumes_at, length = _byte_range(sealed)
    assert zero == 0 and resumes_at + length == len(sealed)
    assert pdf_verify(pdf=sealed).outcome == VerificationOutcome.AUTHENTIC


@pytest.mark.parametrize(
    ("setting", "value"),
    [("VERIFY_MAX_BYTES", 1000), ("VERIFY_MAX_REVISIONS", 1), ("VERIFY_MAX_OBJECTS", 10)],
)
def test_pdf_verify_applies_the_shape_bounds_from_the_settings(sealed, settings, setting, value):
    setattr(settings, setting, value)

    assert pdf_verify(pdf=sealed).outcome == VerificationOutcome.MALFORMED


def test_pdf_verify_answers_too_complex_when_the_seal_check_overruns_its_time(sealed, settings, caplog):
    # Given a budget too short for any seal check
    settings.VERIFY_TIMEOUT_SECONDS = 0.001

    # When the genuine letter is verified
    with caplog.at_level(logging.WARNING, logger="responsibility.letters.verify"):
        result, elapsed, reason = _timed_verify(sealed)

    # Then the check was stopped, logged and answered in the user's language, never a server error
    assert elapsed < ANSWER_WITHIN_SECONDS
    assert result.outcome == VerificationOutcome.TOO_COMPLEX
    assert not result.authentic
    assert reason == TOO_COMPLEX_REASON
    assert "stopped: no answer within 0.001 s" in caplog.text
    assert result.sha256 in caplog.text


def test_verify_pdf_command_answers_a_hostile_file_in_time_as_unreadable(sealed, tmp_path):
    # Given the byte-range bomb saved to a file
    path = tmp_path / "bomb.pdf"
    path.write_bytes(byte_range_bomb(sealed))

    # When the command checks it
    out = io.StringIO()
    started = time.monotonic()
    with translation.override("en"), pytest.raises(SystemExit) as exited:
        call_command("verify_pdf", str(path), stdout=out)

    # Then it exits as unreadable in time, with the structure's reason
    assert time.monotonic() - started < ANSWER_WITHIN_SECONDS
    assert exited.value.code == EXIT_UNREADABLE
    assert MALFORMED_REASON in out.getvalue()
