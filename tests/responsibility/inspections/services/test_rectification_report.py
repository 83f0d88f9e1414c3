"""rectification_report_issue: a reconciled problem list's 整改情况报告 rendered once as PDF/A, sealed, stored
as a numbered version with its verification code printed, recorded in the inspection audit chain, and
answered for by the public verification; the working draft; the integrity check of the stored files.

Real renders and seals (about 0.3 s each; the first in a process also loads the fonts, about 1.5 s), read
back with poppler's pdftotext and pikepdf.
"""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from core.errors import ApplicationError, FrozenRecordError
from core.integrity import INTEGRITY_CHECKS
from core.pdf.pdfa import pdfa_problems
from core.verification import Standing, sealed_record_by_code, sealed_record_by_sha256
from responsibility.letters.verify import pdf_seal_check, pdf_verify
from responsibility.supervision.audit import inspection_chain_verify, inspection_event_describe
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    InspectionEventKind,
    ProblemBatch,
    Rectification,
    RectificationReportDocument,
)
from responsibility.supervision.rectification_report import (
    RectificationReportRenderError,
    rectification_report_context,
    rectification_report_render,
)
from responsibility.supervision.services.measures import MeasureReport, measure_report
from responsibility.supervision.services.problems import (
    problem_batch_reconcile,
    problem_carry_over,
    problem_record,
)
from responsibility.supervision.services.rectifications import rectification_close, rectification_verify
from responsibility.supervision.services.reports import rectification_report_issue
from tests.responsibility.inspections.conftest import pdf_upload, problem_input
from tests.responsibility.inspections.tampering import _raw_update
from tests.responsibility.pdf.reading import compact, pdf_link_uris, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_settings", "media_root")]

CARRY_REASON = "涉及机构职能调整，需长期整改。"

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the refusing triggers exist on PostgreSQL only (CI runs it)"
)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def issue(batch, by):
    """Issue the report as a new request would: the list and the user loaded afresh."""
    return rectification_report_issue(batch=ProblemBatch.objects.get(pk=batch.pk), issued_by=fresh(by))


def stored(document: RectificationReportDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def ticked_off(problem: Finding, verifier) -> None:
    """Each measure reported with evidence by its owner, then verified and ticked off by `verifier`."""
    for measure in problem.measures.order_by("number"):
        measure_report(
            measure=measure,
            data=MeasureReport(
                report=f"措施{measure.number}已完成。", files=[pdf_upload(f"措施{measure.number}.pdf")]
            ),
            reported_by=measure.owner,
            expected_version=None,
        )
    rectification = rectification_verify(
        rectification=Rectification.objects.get(finding=problem), verified_by=verifier, expected_version=None
    )
    rectification_close(rectification=rectification, closed_by=verifier, expected_version=None)


@pytest.fixture
def reconciled(supervision, problem_list, list_problem):
    """The list reconciled: its first problem (two measures) ticked off, a second one carried over."""
    office = supervision.org.office_admin
    carried = problem_record(
        batch=problem_list,
        data=problem_input(supervision.org.head_posts[0].unit, title="批评和自我批评辣味不足"),
        recorded_by=office,
    )
    ticked_off(list_problem, supervision.outside_inspector)
    problem_carry_over(
        finding=carried, reason=CARRY_REASON, deadline=_in(200), carried_by=office, expected_version=None
    )
    problem_batch_reconcile(batch=problem_list, reconciled_by=office, expected_version=None)
    return ProblemBatch.objects.get(pk=problem_list.pk), list_problem, carried


def counts() -> tuple[int, int]:
    return (
        RectificationReportDocument.objects.count(),
        InspectionEvent.objects.filter(kind=InspectionEventKind.REPORT_ISSUED).count(),
    )


# --- Issuing -------------------------------------------------------------------------------------------


def test_the_report_of_a_reconciled_list_is_sealed_stored_and_prints_every_problem(supervision, reconciled):
    # given a reconciled list: one problem ticked off, one carried over
    batch, closed, carried = reconciled
    office = supervision.org.office_admin

    # when the office issues its report
    result = issue(batch, office)

    # then version 1 is stored: the sealed bytes, their SHA-256 and size, the office as issuer
    document = result.document
    assert result.issued
    assert (document.batch_id, document.version, document.issued_by_id) == (batch.pk, 1, office.pk)
    pdf = stored(document)
    assert (hashlib.sha256(pdf).hexdigest(), len(pdf)) == (document.sha256, document.size)
    assert pdf_seal_check(pdf=pdf)
    assert pdfa_problems(pdf) == []
    # and it reads as the report to the Party Group, with its number, code and verification address
    text = compact(pdf_text(pdf))
    assert compact(f"关于{batch.title}整改情况的报告") in text
    assert "党组：" in text
    assert f"整改〔{batch.year}〕{batch.pk}号（第1版）" in text
    assert f"验证码：{document.verification_code}" in text
    assert f"{settings.SITE_URL}/verify/{document.verification_code}/" in pdf_link_uris(pdf)
    assert "工作稿" not in text
    # with its figures, each problem, what was done, the evidence, who ticked it off and the carry-over
    assert "已整改销号1个，销号率50.0%；结转整改1个" in text
    assert closed.reference in text and carried.reference in text
    assert "措施1已完成。" in text and "措施2已完成。" in text
    evidence = closed.measures.get(number=1).evidence.get()
    assert f"措施1.pdf（SHA-256{evidence.sha256[:16]}…）" in text
    assert f"{supervision.outside_inspector.get_full_name()}于" in text
    assert CARRY_REASON in text
    # and where the inspection chain stood when it was sealed
    anchor = document.anchor
    assert f"第{anchor.number}号存证" in text
    assert anchor.heads["inspection"]["hash"] in text


def test_the_issue_is_recorded_in_the_inspection_audit_chain(supervision, reconciled):
    # when
    batch = reconciled[0]
    document = issue(batch, supervision.org.office_admin).document

    # then one report_issued event about the list, whose digest is the sealed file's SHA-256
    [event] = InspectionEvent.objects.filter(kind=InspectionEventKind.REPORT_ISSUED)
    assert (event.batch_id, event.subject, event.actor_id, event.digest) == (
        batch.pk,
        f"batch:{batch.pk}",
        supervision.org.office_admin.pk,
        document.sha256,
    )
    assert event.payload == {
        "version": 1,
        "code": document.verification_code,
        "supersedes": None,
        "anchor": document.anchor.number,
        "problems": 2,
        "closed": 1,
    }
    with translation.override("zh-hans"):
        assert document.verification_code in inspection_event_describe(event)
    assert inspection_chain_verify() is None


def test_an_unchanged_report_is_not_issued_twice_and_a_changed_one_supersedes_it(supervision, reconciled):
    # given version 1
    batch, _, carried = reconciled
    office = supervision.org.office_admin
    first = issue(batch, office).document

    # when issued again with nothing changed: version 1 answers, nothing written
    again = issue(batch, office)
    assert (again.issued, again.document.pk) == (False, first.pk)
    assert counts() == (1, 1)

    # when the carried-over problem is ticked off since, and the report issued again
    ticked_off(carried, supervision.outside_inspector)
    second = issue(batch, office).document

    # then version 2 supersedes version 1, and says both problems are ticked off
    assert second.version == 2
    assert "已整改销号2个，销号率100.0%" in compact(pdf_text(stored(second)))
    assert counts() == (2, 2)
    old = sealed_record_by_code(first.verification_code)
    assert (old.standing, old.successor_code) == (Standing.SUPERSEDED, second.verification_code)
    assert sealed_record_by_sha256(second.sha256).standing == Standing.IN_FORCE
    assert (
        InspectionEvent.objects.filter(kind=InspectionEventKind.REPORT_ISSUED).last().payload["supersedes"]
        == 1
    )


def test_the_public_verification_answers_for_the_sealed_report(supervision, reconciled):
    # given an issued report
    batch = reconciled[0]
    document = issue(batch, supervision.org.office_admin).document

    # when its file is verified as anyone holding a copy would
    with translation.override("zh-hans"):
        verification = pdf_verify(pdf=stored(document))

    # then it is authentic, the list's report in force, with its place in the inspection chain
    assert verification.authentic
    record = verification.record
    assert (record.reference, record.standing) == (document.reference, Standing.IN_FORCE)
    assert record.kind_label == "整改情况报告"
    assert batch.title in record.title
    event = InspectionEvent.objects.get(kind=InspectionEventKind.REPORT_ISSUED)
    assert (record.chain.sequence, record.chain.event_hash) == (event.sequence, event.hash)
    # and one changed byte is not
    changed = bytearray(stored(document))
    changed[len(changed) // 3] ^= 0x01
    assert not pdf_verify(pdf=bytes(changed)).authentic


# --- Who may issue, and when ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("the office", True),
        ("the inspection team", True),
        ("the Party Group", False),  # the report is addressed to it
        ("the problem's unit head", False),
        ("an outsider", False),
    ],
)
def test_who_may_issue_the_report(supervision, reconciled, who, allowed):
    org = supervision.org
    user = {
        "the office": org.office_admin,
        "the inspection team": org.inspector,
        "the Party Group": org.secretary,
        "the problem's unit head": org.heads[0],
        "an outsider": org.outsider,
    }[who]
    if allowed:
        assert issue(reconciled[0], user).document.issued_by_id == user.pk
    else:
        with pytest.raises(PermissionDenied, match="Only the office or the inspection team may issue"):
            issue(reconciled[0], user)
        assert counts() == (0, 0)


def test_the_report_is_issued_only_once_the_list_is_reconciled(supervision, problem_list, list_problem):
    with pytest.raises(PermissionDenied, match="once the list is reconciled"):
        issue(problem_list, supervision.org.office_admin)
    # an inspection plan's list has no report of its own
    with pytest.raises(PermissionDenied):
        issue(ProblemBatch.objects.get(plan=supervision.plan), supervision.org.office_admin)
    assert counts() == (0, 0)


def test_a_report_that_cannot_be_rendered_is_refused_and_nothing_is_stored(
    supervision, reconciled, monkeypatch, media_root
):
    import responsibility.supervision.rectification_report as report_pdf

    def broken(**kwargs):
        raise RectificationReportRenderError("Rectification report: an asset is missing")

    monkeypatch.setattr(report_pdf, "rectification_report_render_issued", broken)
    with pytest.raises(ApplicationError, match="could not be made or sealed, so nothing was issued"):
        issue(reconciled[0], supervision.org.office_admin)
    assert counts() == (0, 0)
    assert not (Path(media_root) / "rectification-reports").exists()


def test_an_issued_report_can_be_neither_changed_nor_deleted(supervision, reconciled):
    document = issue(reconciled[0], supervision.org.office_admin).document
    with pytest.raises(FrozenRecordError):
        document.save()
    with pytest.raises(FrozenRecordError):
        RectificationReportDocument.objects.filter(pk=document.pk).delete()


def test_a_stored_report_replaced_in_storage_shows_in_the_integrity_check(supervision, reconciled):
    # given an issued report whose file was replaced in storage
    document = issue(reconciled[0], supervision.org.office_admin).document
    check = INTEGRITY_CHECKS["rectification_reports"]
    assert list(check.run()) == []
    Path(document.file.path).write_bytes(b"%PDF-1.7 another file")

    # then the check names it
    [problem] = check.run()
    assert document.reference in problem.subject


# --- The working draft and what it reads -----------------------------------------------------------------


def test_the_working_draft_of_an_open_list_is_marked_and_not_sealed(supervision, problem_list, list_problem):
    pdf = rectification_report_render(batch=problem_list)
    text = compact(pdf_text(pdf))
    assert "工作稿" in text and "尚未对账销号" in text
    assert list_problem.reference in text
    assert not pdf_seal_check(pdf=pdf)
    assert counts() == (0, 0)


def test_the_report_reads_a_fixed_number_of_queries_whatever_the_number_of_problems(
    supervision, problem_list, list_problem, django_assert_num_queries
):
    # the list, its problems, then their measures with their owners, the measures' evidence, the
    # rectifications' evidence, the re-check results with their re-checks: one query each
    with django_assert_num_queries(6):
        rectification_report_context(batch=problem_list, today=timezone.localdate())
    for title in ("批评和自我批评辣味不足", "制度执行不够严格", "会议精简不到位"):
        problem_record(
            batch=problem_list,
            data=problem_input(supervision.org.head_posts[1].unit, title=title),
            recorded_by=supervision.org.office_admin,
        )
    with django_assert_num_queries(6):
        report = rectification_report_context(batch=problem_list, today=timezone.localdate())
    assert report.figures.problems == 4


def test_a_report_whose_issuing_event_holds_another_hash_shows_in_the_integrity_check(
    supervision, reconciled
):
    # given someone with database access rewrote the event's digest (e.g. to match a replaced file)
    document = issue(reconciled[0], supervision.org.office_admin).document
    event = InspectionEvent.objects.get(kind=InspectionEventKind.REPORT_ISSUED)
    _raw_update(InspectionEvent, event.pk, digest="0" * 64)

    # then the check names it and says why
    [problem] = INTEGRITY_CHECKS["rectification_reports"].run()
    with translation.override("en"):
        assert (problem.subject, problem.reason) == (
            f"Rectification report {document.reference}, version 1",
            "The audit chain holds no event of its issue with this SHA-256.",
        )


# --- The database refuses (PostgreSQL) -----------------------------------------------------------------


def _sql(statement: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE responsibility_rectificationreportdocument SET sha256 = repeat('0', 64) WHERE id = %s",
        "UPDATE responsibility_rectificationreportdocument SET version = version + 1 WHERE id = %s",
        "DELETE FROM responsibility_rectificationreportdocument WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_issued_report(supervision, reconciled, statement):
    document = issue(reconciled[0], supervision.org.office_admin).document

    with pytest.raises(IntegrityError, match="is refused"):
        _sql(statement, [document.pk])

    assert RectificationReportDocument.objects.get(pk=document.pk).sha256 == document.sha256


@postgresql_only
def test_the_database_refuses_to_empty_the_reports_table(supervision, reconciled):
    issue(reconciled[0], supervision.org.office_admin)
    # the row was inserted in this test's transaction: its deferred foreign-key checks run first, or
    # PostgreSQL would refuse the TRUNCATE for that reason instead
    _sql("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(IntegrityError, match="TRUNCATE on .* is refused"):
        _sql("TRUNCATE responsibility_rectificationreportdocument CASCADE")
