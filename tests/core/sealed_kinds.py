"""Fake kinds of sealed document for the verification tests: core.verification's registry knows nothing
of letters, so a kind the project does not have shows it answers for any."""

import contextlib
from datetime import UTC, datetime

from core.verification import SealedRecord, Standing, sealed_kind_register, sealed_kind_unregister

SHA = "ab" * 32
CODE = "K7QX-3M9D-PA2W-H4TZ"


class FakeKind:
    """A kind of sealed document that holds one record, and notes what it was asked."""

    def __init__(self, name: str, *, record: SealedRecord | None = None):
        self.name, self.record, self.asked = name, record, []

    def record_by_sha256(self, sha256):
        self.asked.append(("sha256", sha256))
        return self.record if self.record and sha256 == self.record.sha256 else None

    def record_by_code(self, code):
        self.asked.append(("code", code))
        return self.record if self.record and code == self.record.verification_code else None


class FakeKindWithFiles(FakeKind):
    """One that can also read its stored file (the optional `archived_pdf`)."""

    def __init__(self, name: str, *, record: SealedRecord, pdf: bytes):
        super().__init__(name, record=record)
        self.pdf = pdf

    def archived_pdf(self, sha256):
        return self.pdf if sha256 == self.record.sha256 else None


def fake_record(**changes) -> SealedRecord:
    fields = {
        "kind_label": "测试文件",
        "title": "一份盖章文件",
        "reference": "测〔2026〕1号",
        "verification_code": CODE,
        "sha256": SHA,
        "sealed_at": datetime(2026, 3, 1, tzinfo=UTC),
        "standing": Standing.IN_FORCE,
    }
    return SealedRecord(**{**fields, **changes})


@contextlib.contextmanager
def kinds_registered():
    """Yields a function that registers a kind until the block ends."""
    names = []

    def register(kind):
        sealed_kind_register(kind)
        names.append(kind.name)
        return kind

    try:
        yield register
    finally:
        for name in names:
            sealed_kind_unregister(name)
