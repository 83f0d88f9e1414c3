"""The sealed year-end report as a kind of sealed document (responsibility/duties/verification.py): found by
its file's SHA-256 and by its printed code through core.verification, in force while it is the latest
version and superseded by the version after it, with its place in the duty audit chain; and the public
verification (pdf_verify) telling the same of the real files.

Real renders and seals (about 0.3 s each; the first in a process also loads the fonts, about 1.5 s; the
verification runs the seal check in a budgeted child).
"""

import io

import pikepdf
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from core.verification import SEALED_KINDS, Standing, sealed_record_by_code, sealed_record_by_sha256
from responsibility.duties.models import DutyAssignment, DutyEvent, DutyEventKind, DutyReportDocument
from responsibility.duties.services.assignments import RecordInput, performance_record_create
from responsibility.duties.services.reports import duty_report_issue
from responsibility.letters.verify import VerificationOutcome, pdf_verify
from tests.responsibility.duties.conftest import TODAY, first_open_occurrence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_seal", "media_root")]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def issue(assignment, by) -> DutyReportDocument:
    return duty_report_issue(
        assignment=DutyAssignment.objects.get(pk=assignment.pk), issued_by=fresh(by)
    ).document


def stored(document: DutyReportDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


@pytest.fixture
def two_versions(duties):
    """Version 1 issued by the leader; a record kept; version 2 issued by the office."""
    head = duties.head_assignment
    first = issue(head, head.leader)
    performance_record_create(
        occurrence=first_open_occurrence(head),
        data=RecordInput(performed_on=TODAY, summary="听取法规处汇报。", participants=""),
        recorded_by=fresh(head.leader),
    )
    second = issue(head, duties.org.office_admin)
    return first, second


def test_the_duty_report_kind_is_registered():
    assert SEALED_KINDS["duty_report"].name == "duty_report"


def test_an_issued_report_is_found_by_its_code_as_typed_and_by_its_sha256(duties):
    # given
    head = duties.head_assignment
    document = issue(head, head.leader)

    # when looked up by the code someone typed (lower case, no dashes) and by the file's SHA-256
    by_code = sealed_record_by_code(document.verification_code.replace("-", "").lower())
    by_sha256 = sealed_record_by_sha256(document.sha256)

    # then both are the report, in force, with what the page shows
    assert by_code == by_sha256
    record = by_code
    assert (record.kind_label, record.title, record.reference) == (
        "Year-end duty report",
        "2026年度履行党风廉政建设“一岗双责”情况报告",
        f"履责〔2026〕{head.pk}号",
    )
    assert (record.verification_code, record.sha256, record.sealed_at) == (
        document.verification_code,
        document.sha256,
        document.issued_at,
    )
    assert record.standing == Standing.IN_FORCE
    assert (record.standing_at, record.standing_by, record.successor_code) == (None, "", "")
    assert dict(record.rows) == {
        "Leader": head.leader.get_full_name(),
        "Post": "法制工作委员会主任",
        "Year": "2026",
        "Version": "Version 1",
        "Report issued by": head.leader.get_full_name(),
        "Report issued at": timezone.localtime(document.issued_at).strftime("%Y-%m-%d %H:%M"),
        "Content SHA-256": document.content_sha256,
    }


def test_an_issued_report_has_its_place_in_the_duty_audit_chain(duties):
    # given
    head = duties.head_assignment
    document = issue(head, head.leader)
    event = DutyEvent.objects.get(kind=DutyEventKind.REPORT_ISSUED)

    # when
    chain = sealed_record_by_code(document.verification_code).chain

    # then its report_issued event and the anchor made when it was sealed
    assert (chain.chain_label, chain.sequence, chain.event_hash) == (
        "The duty audit chain",
        event.sequence,
        event.hash,
    )
    assert chain.event_label == (
        f"Year-end report version 1 issued and sealed (verification code {document.verification_code})."
    )
    assert (chain.anchor_number, chain.anchor_digest) == (document.anchor.number, document.anchor.digest)


def test_an_earlier_version_is_superseded_by_the_version_in_force(duties, two_versions):
    # given
    first, second = two_versions

    # when
    old, new = sealed_record_by_code(first.verification_code), sealed_record_by_code(second.verification_code)

    # then version 1 names version 2, when it was issued and by whom; version 2 is in force
    assert old.standing == Standing.SUPERSEDED
    assert (old.successor_code, old.successor_label) == (second.verification_code, "Version 2")
    assert (old.standing_at, old.standing_by) == (second.issued_at, duties.org.office_admin.get_full_name())
    assert dict(old.rows)["Version"] == "Version 1"
    assert new.standing == Standing.IN_FORCE
    assert dict(new.rows)["Report issued by"] == duties.org.office_admin.get_full_name()


def test_a_third_version_is_the_successor_every_earlier_one_names(duties, two_versions):
    # given a third version (something changed again)
    first, second = two_versions
    head = duties.head_assignment
    performance_record_create(
        occurrence=first_open_occurrence(head),
        data=RecordInput(performed_on=TODAY, summary="开展廉政谈话。", participants=""),
        recorded_by=fresh(head.leader),
    )
    third = issue(head, head.leader)

    # then version 1 was superseded when version 2 was issued, and now names version 3 as in force
    old = sealed_record_by_code(first.verification_code)
    assert (old.successor_code, old.successor_label, old.standing_at) == (
        third.verification_code,
        "Version 3",
        second.issued_at,
    )
    assert sealed_record_by_code(second.verification_code).successor_code == third.verification_code


def test_unknown_codes_and_hashes_are_nobodys():
    assert sealed_record_by_code("2345-6789-ABCD-EFGH") is None
    assert sealed_record_by_sha256("0" * 64) is None
    assert SEALED_KINDS["duty_report"].archived_pdf("0" * 64) is None


# --- The public verification, on the real files --------------------------------------------------------


def test_pdf_verify_finds_the_version_in_force_authentic(duties, two_versions):
    _first, second = two_versions

    verdict = pdf_verify(pdf=stored(second))

    assert verdict.outcome == VerificationOutcome.AUTHENTIC
    assert verdict.record.kind_label == "Year-end duty report"
    assert verdict.record.verification_code == second.verification_code


def test_pdf_verify_says_an_earlier_version_is_superseded_and_by_which(duties, two_versions):
    first, second = two_versions

    verdict = pdf_verify(pdf=stored(first))

    assert verdict.outcome == VerificationOutcome.SUPERSEDED
    assert verdict.authentic and not verdict.in_force
    assert verdict.record.successor_code == second.verification_code
    assert "Version 2" in verdict.headline


def test_pdf_verify_recognises_a_report_saved_again_by_another_program(duties):
    # given the sealed report, opened and saved again (pikepdf rewrites every byte, the pages stay)
    head = duties.head_assignment
    document = issue(head, head.leader)
    with pikepdf.open(io.BytesIO(stored(document))) as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer)
    resaved = buffer.getvalue()

    # when
    verdict = pdf_verify(pdf=resaved)

    # then not authentic, but recognised as a copy of the archived report
    assert verdict.outcome == VerificationOutcome.CHANGED
    assert verdict.same_pages_as is not None
    assert verdict.same_pages_as.verification_code == document.verification_code
    assert "Year-end duty report" in verdict.resaved_note
