"""core.verification: the registry of sealed document kinds, and verification codes."""

import re
from unittest import mock

import pytest

from core.verification import (
    SEALED_KINDS,
    VERIFICATION_CODE_ALPHABET,
    sealed_archived_pdf,
    sealed_kind_register,
    sealed_record_by_code,
    sealed_record_by_sha256,
    verification_code_new,
    verification_code_normalise,
)
from tests.core.sealed_kinds import CODE, SHA, FakeKind, FakeKindWithFiles, fake_record, kinds_registered


@pytest.fixture
def registered():
    """Only the kinds a test registers (the project's own query the database, which these tests leave)."""
    with mock.patch.dict(SEALED_KINDS, clear=True), kinds_registered() as register:
        yield register


def test_the_project_registers_its_sealed_documents():
    assert {"letter", "duty_report"} <= set(SEALED_KINDS)


def test_a_registered_kind_is_asked_by_sha256_and_by_code_as_typed(registered):
    # Given a kind holding one record
    kind = registered(FakeKind("fake", record=fake_record()))

    # Then it is found by its file's SHA-256 (any case) and by its code as people type it
    assert sealed_record_by_sha256(SHA.upper()) == kind.record
    assert sealed_record_by_code(" k7qx 3m9d pa2w h4tz ") == kind.record
    assert ("code", CODE) in kind.asked  # the kind gets the normalised code
    assert sealed_record_by_sha256("cd" * 32) is None
    assert sealed_record_by_code("AAAA-BBBB-CCCC-DDDD") is None


def test_malformed_lookups_reach_no_kind(registered):
    kind = registered(FakeKind("fake", record=fake_record()))

    assert sealed_record_by_sha256("not a hash") is None
    assert sealed_record_by_code("12345") is None
    assert kind.asked == []


def test_each_kind_is_asked_until_one_knows_the_document(registered):
    first = registered(FakeKind("first"))
    registered(FakeKind("second", record=fake_record(title="第二种")))

    assert sealed_record_by_code(CODE).title == "第二种"
    assert first.asked == [("code", CODE)]


def test_a_kind_registers_once(registered):
    registered(FakeKind("fake"))

    with pytest.raises(ValueError, match="already registered"):
        sealed_kind_register(FakeKind("fake"))


def test_the_archived_file_comes_from_a_kind_that_can_read_it(registered):
    record = fake_record()
    registered(FakeKind("without files", record=record))
    assert sealed_archived_pdf(record) is None

    registered(FakeKindWithFiles("with files", record=record, pdf=b"%PDF-1.7 stored"))
    assert sealed_archived_pdf(record) == b"%PDF-1.7 stored"


def test_a_new_code_is_four_groups_of_the_unambiguous_alphabet():
    codes = {verification_code_new() for _ in range(50)}

    assert len(codes) == 50
    for code in codes:
        assert re.fullmatch(
            rf"[{VERIFICATION_CODE_ALPHABET}]{{4}}(-[{VERIFICATION_CODE_ALPHABET}]{{4}}){{3}}", code
        )
        assert verification_code_normalise(code) == code
    assert not set("01OIL") & set(VERIFICATION_CODE_ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "K7QX-3M9D-PA2W-H4TZ",
        "k7qx3m9dpa2wh4tz",
        " k7qx 3m9d pa2w h4tz ",
        "K7QX—3M9D—PA2W—H4TZ",
        "k7qx-3m9dpa2w-h4tz",
    ],
)
def test_verification_code_normalise_accepts_what_people_type(typed):
    assert verification_code_normalise(typed) == "K7QX-3M9D-PA2W-H4TZ"


@pytest.mark.parametrize(
    "typed", ["", "K7QX-3M9D-PA2W", "K7QX-3M9D-PA2W-H4TZ-AAAA", "O0I1-3M9D-PA2W-H4TZ", "中文"]
)
def test_verification_code_normalise_refuses_what_cannot_be_a_code(typed):
    assert verification_code_normalise(typed) is None


def test_the_letters_model_keeps_the_name_its_migration_refers_to():
    from responsibility.letters.models import documents

    assert documents.verification_code_new is verification_code_new
