"""The sealed 述责述廉: the accepted report with its 民主测评 results, issued by the office once the rating
closed, sealed, verifiable by its file and its code; a changed byte does not verify.

Real renders and seals (about 0.5 s each; the first in a process also loads the fonts, about 1.5 s; the
verification runs the seal check in a budgeted child).
"""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.anchors.verify import Severity, integrity_report
from core.errors import ApplicationError
from core.verification import Standing, sealed_record_by_code
from responsibility.cadres.documents import integrity_report_document_issue
from responsibility.cadres.models import CadreEvent, CadreEventKind, IntegrityReportDocument
from responsibility.letters.verify import VerificationOutcome, pdf_verify
from tests.responsibility.cadres.conftest import rating_closed, rating_opened

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_seal", "media_root")]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored(document: IntegrityReportDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def pdf_text(document: IntegrityReportDocument, tmp_path) -> str:
    """The sealed PDF's text, lines joined (a phrase may wrap)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(stored(document))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return "".join(text.split())


def issue(report, by) -> IntegrityReportDocument:
    return integrity_report_document_issue(report=report, issued_by=by).document


def test_the_report_is_sealed_only_once_its_rating_closed(cadres):
    report = rating_opened(cadres)
    with pytest.raises(ApplicationError) as refused:
        issue(report, cadres.duties.org.office_admin)
    assert str(refused.value) == "述责述廉报告连同民主测评结果一并盖章出具：请先结束测评。"
    assert not IntegrityReportDocument.objects.exists()


def test_only_the_office_issues_it(cadres):
    report = rating_closed(cadres)
    with pytest.raises(PermissionDenied):
        issue(report, cadres.head)


def test_the_sealed_report_prints_the_report_and_the_results_and_verifies(cadres, tmp_path):
    report = rating_closed(cadres)
    document = issue(report, cadres.duties.org.office_admin)

    # then its text holds the report, the counts and the comment, and no rater's name
    path = tmp_path / "report.pdf"
    path.write_bytes(stored(document))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "2026年度述责述廉报告" in text and f"述廉〔2026〕{report.pk}号" in text
    assert "严格执行中央八项规定精神" in text and "作风扎实。" in text
    assert "实际投票3人" in text
    without_leader = text.replace(cadres.head.get_full_name(), "")  # factory names may prefix each other
    assert not any(rater.get_full_name() in without_leader for rater in cadres.raters)
    # and it verifies, is in force, and has its place in the 述责述廉 chain
    with translation.override("en"):
        verdict = pdf_verify(pdf=stored(document))
        record = sealed_record_by_code(document.verification_code)
    assert verdict.outcome == VerificationOutcome.AUTHENTIC
    assert record.kind_label == "Responsibility and integrity report" and record.standing == Standing.IN_FORCE
    event = CadreEvent.objects.get(kind=CadreEventKind.DOCUMENT_ISSUED)
    assert (event.digest, record.chain.sequence) == (document.sha256, event.sequence)


def test_a_changed_byte_does_not_verify(cadres):
    document = issue(rating_closed(cadres), cadres.duties.org.office_admin)
    pdf = bytearray(stored(document))
    middle = len(pdf) // 2
    pdf[middle] = (pdf[middle] + 1) % 256

    verdict = pdf_verify(pdf=bytes(pdf))

    assert verdict.outcome != VerificationOutcome.AUTHENTIC and not verdict.authentic


def test_issuing_again_unchanged_returns_the_same_version(cadres):
    report = rating_closed(cadres)
    first = issue(report, cadres.duties.org.office_admin)
    again = integrity_report_document_issue(report=report, issued_by=cadres.duties.org.office_admin)

    assert not again.issued and again.document == first
    assert IntegrityReportDocument.objects.count() == 1


def test_results_withheld_are_said_withheld(cadres, tmp_path):
    report = rating_closed(cadres, ballots=2)
    document = issue(report, cadres.duties.org.office_admin)
    text = pdf_text(document, tmp_path)
    assert "本次测评结果不予公布" in text and "作风扎实。" not in text


def test_a_sealed_report_removed_from_storage_shows_in_the_integrity_report(cadres):
    document = issue(rating_closed(cadres), cadres.duties.org.office_admin)
    document.file.storage.delete(document.file.name)

    with translation.override("en"):
        report = integrity_report()
    broken = [f"{f.subject}: {f.reason}" for f in report.findings if f.severity == Severity.BROKEN]

    assert len(broken) == 1 and broken[0].startswith(
        f"Sealed report 述廉〔2026〕{document.report_id}号, version 1"
    )
