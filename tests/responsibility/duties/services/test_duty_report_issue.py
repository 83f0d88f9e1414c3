"""duty_report_issue: the year-end report (年度履职报告) rendered once as PDF/A, sealed, stored as a
numbered version with the verification code printed on it, and recorded in the duty audit chain.

Real renders and seals (about 0.3 s each; the first in a process also loads the fonts, about 1.5 s), read
back with poppler's pdftotext and pikepdf.
"""

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from accounts.anchors.models import AnchorReason, ChainAnchor
from core.errors import ApplicationError, FrozenRecordError
from core.pdf.pdfa import pdfa_problems
from responsibility.duties.audit import duty_chain_verify, duty_event_describe
from responsibility.duties.models import DutyAssignment, DutyEvent, DutyEventKind, DutyReportDocument
from responsibility.duties.pdf import DutyReportRenderError
from responsibility.duties.services.assignments import RecordInput, performance_record_create
from responsibility.duties.services.reports import duty_report_issue
from responsibility.letters.verify import pdf_seal_check
from tests.responsibility.duties.conftest import TODAY, first_open_occurrence
from tests.responsibility.pdf.reading import compact, pdf_link_uris, pdf_text

from .conftest import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_seal")]


def issue(assignment, by=None):
    """Issue the report as a new request would: the assignment and the user loaded afresh."""
    return duty_report_issue(
        assignment=DutyAssignment.objects.get(pk=assignment.pk), issued_by=fresh(by or assignment.leader)
    )


def stored(document: DutyReportDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def keep_record(assignment, summary="听取法规处二季度党风廉政建设工作汇报。"):
    return performance_record_create(
        occurrence=first_open_occurrence(assignment),
        data=RecordInput(performed_on=TODAY, summary=summary, participants="法规处全体人员"),
        recorded_by=fresh(assignment.leader),
    )


def counts() -> tuple[int, int, int]:
    """Documents, report events and chain anchors: what an issue writes."""
    return (
        DutyReportDocument.objects.count(),
        DutyEvent.objects.filter(kind=DutyEventKind.REPORT_ISSUED).count(),
        ChainAnchor.objects.count(),
    )


# --- Issuing -------------------------------------------------------------------------------------------


def test_duty_report_issue_seals_and_stores_version_1_with_its_code_printed(duties):
    # given the head's assignment, no report issued yet
    head = duties.head_assignment

    # when the leader issues the report
    result = issue(head)

    # then version 1 is stored: the sealed bytes, their SHA-256 and size, the leader as issuer
    document = result.document
    assert result.issued
    assert (document.assignment_id, document.version, document.issued_by_id) == (head.pk, 1, head.leader_id)
    pdf = stored(document)
    assert (hashlib.sha256(pdf).hexdigest(), len(pdf)) == (document.sha256, document.size)
    # and the organisation's seal on it is intact and covers the whole file
    assert pdf_seal_check(pdf=pdf)
    # and it prints its number and version, its code, the verification address (a link and the QR code's)
    text = compact(pdf_text(pdf))
    code = document.verification_code
    assert f"履责〔2026〕{head.pk}号（第1版）" in text
    assert f"验证码：{code}" in text
    assert f"内容SHA-256：{document.content_sha256}" in text
    assert compact(f"{settings.SITE_URL}/verify/") in text
    assert f"{settings.SITE_URL}/verify/{code}/" in pdf_link_uris(pdf)
    assert "工作稿" not in text


def test_duty_report_issue_prints_the_chain_anchor_made_for_it(duties):
    # when
    document = issue(duties.head_assignment).document

    # then every chain was anchored when it was sealed, and the report prints where the duty chain stood
    anchor = document.anchor
    assert anchor is not None
    assert (anchor.reason, anchor.subject) == (AnchorReason.SEAL, f"{document.reference} v1")
    text = compact(pdf_text(stored(document)))
    assert f"第{anchor.number}号存证" in text
    assert anchor.digest in text
    assert anchor.heads["duty"]["hash"] in text


def test_duty_report_issue_records_the_issue_in_the_duty_audit_chain(duties):
    # when
    head = duties.head_assignment
    document = issue(head).document

    # then one report_issued event, about the document, by the leader, with what was sealed
    [event] = DutyEvent.objects.filter(kind=DutyEventKind.REPORT_ISSUED)
    assert (event.assignment_id, event.subject, event.actor_id, event.digest) == (
        head.pk,
        f"report:{document.pk}",
        head.leader_id,
        document.sha256,
    )
    assert event.payload == {
        "version": 1,
        "code": document.verification_code,
        "sha256": document.sha256,
        "supersedes": None,
        "anchor": document.anchor.number,
    }
    assert duty_event_describe(event) == (
        f"Year-end report version 1 issued and sealed (verification code {document.verification_code})."
    )
    assert duty_chain_verify() is None


def test_the_sealed_report_stays_pdf_a_3b_after_sealing(duties):
    """The structural PDF/A-3b rules that can be read from the file (core.pdf.pdfa; no veraPDF here)."""
    # when
    pdf = stored(issue(duties.head_assignment).document)

    # then
    assert pdfa_problems(pdf) == []
    with pikepdf.open(io.BytesIO(pdf)) as document, document.open_metadata() as metadata:
        assert (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) == ("3", "B")


# --- Versions ------------------------------------------------------------------------------------------


def test_issuing_an_unchanged_report_again_returns_the_version_in_force(duties):
    # given version 1
    head = duties.head_assignment
    first = issue(head).document
    before = counts()

    # when the leader issues it again with nothing changed (a second click after the first finished)
    again = issue(head)

    # then no new version, no event, not even an anchor: the answer is version 1
    assert not again.issued
    assert again.document.pk == first.pk
    assert counts() == before == (1, 1, 1)


def test_issuing_after_the_report_changed_supersedes_the_earlier_version(duties):
    # given version 1 by the leader, then a record kept since
    head = duties.head_assignment
    first = issue(head).document
    first_bytes = stored(first)
    record = keep_record(head)

    # when the office issues the report
    result = issue(head, by=duties.org.office_admin)

    # then version 2, by the office, printing the record, names version 1 as the one it supersedes
    second = result.document
    assert result.issued
    assert (second.version, second.issued_by_id) == (2, duties.org.office_admin.pk)
    assert second.verification_code != first.verification_code
    text = compact(pdf_text(stored(second)))
    assert f"履责〔2026〕{head.pk}号（第2版）" in text
    assert compact(record.summary) in text
    event = DutyEvent.objects.get(kind=DutyEventKind.REPORT_ISSUED, subject=f"report:{second.pk}")
    assert event.payload["supersedes"] == 1
    assert duty_event_describe(event).endswith("It supersedes version 1.")
    # and version 1 stays as it was sealed
    assert stored(DutyReportDocument.objects.get(pk=first.pk)) == first_bytes
    assert list(head.report_documents.values_list("version", flat=True)) == [2, 1]
    assert duty_chain_verify() is None


# --- Double clicks -------------------------------------------------------------------------------------


@pytest.fixture
def twin_click(monkeypatch):
    """While the first request renders its report, a second one (`twin`) runs from start to end."""
    import responsibility.duties.pdf as report_pdf

    render = report_pdf.duty_report_render_issued
    rendered, twins = [], []

    def arrange(twin):
        def render_with_a_twin(*, report, issue):
            rendered.append(issue.version)
            if len(rendered) == 1:
                twins.append(twin())
            return render(report=report, issue=issue)

        monkeypatch.setattr(report_pdf, "duty_report_render_issued", render_with_a_twin)
        return rendered, twins

    return arrange


def test_two_overlapping_issues_of_the_same_report_store_one_version(duties, twin_click):
    # given a double click: the second request starts while the first is rendering
    head = duties.head_assignment
    rendered, twins = twin_click(lambda: issue(head))

    # when
    result = issue(head)

    # then both rendered version 1, the twin stored it, and the first request answers with the twin's
    assert rendered == [1, 1]
    [twin] = twins
    assert twin.issued and not result.issued
    assert result.document.pk == twin.document.pk
    assert counts()[:2] == (1, 1)


def test_an_overlapping_issue_of_changed_content_is_refused_and_stores_nothing(duties, twin_click):
    # given someone keeps a record and issues the report while the leader's issue is rendering
    head = duties.head_assignment

    def meanwhile():
        keep_record(head)
        return issue(head, by=duties.org.office_admin)

    twin_click(meanwhile)

    # when
    with pytest.raises(ApplicationError, match="Version 1 of this report was issued by someone") as error:
        issue(head)

    # then only the other one's version 1 is stored, with its own event
    assert error.value.code == "report_version_taken"
    [document] = DutyReportDocument.objects.all()
    assert document.issued_by_id == duties.org.office_admin.pk
    assert counts()[:2] == (1, 1)


# --- Who may issue, and failures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("the leader", True),
        ("the office", True),
        ("the inspection team", False),  # assesses the report, does not issue it
        ("the Party Group", False),  # reads it
        ("a deputy of the leader's unit", False),  # reads it
        ("an outsider", False),
    ],
)
def test_who_may_issue_the_year_end_report(duties, who, allowed):
    # given
    org, head = duties.org, duties.head_assignment
    user = {
        "the leader": head.leader,
        "the office": org.office_admin,
        "the inspection team": org.inspector,
        "the Party Group": org.secretary,
        "a deputy of the leader's unit": org.staff[0],
        "an outsider": org.outsider,
    }[who]

    # when / then
    if allowed:
        assert issue(head, by=user).document.issued_by_id == user.pk
    else:
        with pytest.raises(PermissionDenied, match="Only the leader named on the assignment, or the office"):
            issue(head, by=user)
        assert counts() == (0, 0, 0)


def test_a_report_that_cannot_be_rendered_is_refused_and_nothing_is_stored(duties, monkeypatch, media_root):
    # given the renderer fails (an asset is missing)
    import responsibility.duties.pdf as report_pdf

    def broken(**kwargs):
        raise DutyReportRenderError("Duty report: an asset is missing")

    monkeypatch.setattr(report_pdf, "duty_report_render_issued", broken)

    # when / then a message for the user, nothing stored (no row, no event, no file)
    with pytest.raises(ApplicationError, match="could not be made or sealed, so nothing was issued"):
        issue(duties.head_assignment)
    assert counts()[:2] == (0, 0)
    assert not (Path(media_root) / "duty-reports").exists()


def test_a_report_without_a_seal_file_is_refused_and_nothing_is_stored(duties, settings, tmp_path):
    # given the seal file is missing (an operator's mistake)
    settings.SEAL_PKCS12_FILE = tmp_path / "missing.p12"

    # when / then
    with pytest.raises(ApplicationError, match="could not be made or sealed"):
        issue(duties.head_assignment)
    assert counts()[:2] == (0, 0)


# --- The record is permanent ---------------------------------------------------------------------------


def test_an_issued_report_can_be_neither_changed_nor_deleted(duties):
    # given
    document = issue(duties.head_assignment).document

    # when / then
    document.version = 7
    with pytest.raises(FrozenRecordError):
        document.save()
    with pytest.raises(FrozenRecordError):
        document.delete()
    with pytest.raises(FrozenRecordError):
        DutyReportDocument.objects.filter(pk=document.pk).update(version=7)
    with pytest.raises(FrozenRecordError):
        DutyReportDocument.objects.filter(pk=document.pk).delete()
    assert DutyReportDocument.objects.get(pk=document.pk).version == 1
