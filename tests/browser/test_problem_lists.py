"""A 巡察 problem list from its opening to its sealed 整改情况报告 — in a real (headless) Chromium, through
the pages, in Chinese.

The office opens the list and imports its problems from the office's spreadsheet; the staff member who
owns the first problem's second measure reports it on a phone, the committee head the first; a member of
the inspection team (on no plan's team) verifies and ticks it off; the office carries the second problem
over, reconciles the list, issues its report (with a double click) and downloads it. Afterwards the
database holds what the pages said, the report reads as the list, and the inspection chain verifies.
"""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    InspectionEventKind,
    ProblemBatch,
    RectificationReportDocument,
    RectificationStatus,
)
from tests.browser.conftest import PHONE_390, browser_tab, log_in
from tests.responsibility.inspections import conftest as supervision_setup
from tests.responsibility.inspections.problem_workbooks import good_rows, workbook_of
from tests.responsibility.pdf.reading import compact, pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

supervision = supervision_setup.supervision

REPORT_PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submit(page, form="main form") -> None:
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").first.click()


def _report_measure(page, finding: Finding, number: int, text: str, evidence) -> None:
    measure = finding.measures.get(number=number)
    page.goto(reverse("responsibility:finding-detail", args=[finding.pk]))
    page.evaluate("document.querySelectorAll('main details').forEach(details => { details.open = true; })")
    form = page.locator(f"form[action$='/measures/{number}/report/']")
    form.locator(f"textarea[name='measure{measure.pk}-report']").fill(text)
    form.locator("input[type=file]").set_input_files(str(evidence))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_list_from_opening_to_its_sealed_report(
    page, browser, live_server, supervision, tmp_path, seal_settings, settings
):
    """The whole life of a list through the pages, by four people on two devices, to its sealed report
    (about 12 s: some twenty-five page loads in a real browser, and one report rendered and sealed)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    office, head, staff = supervision.org.office_admin, supervision.org.heads[0], supervision.org.staff[0]
    verifier = supervision.outside_inspector
    evidence = tmp_path / "整改佐证.pdf"
    evidence.write_bytes(REPORT_PDF)
    workbook = tmp_path / "巡察反馈问题清单.xlsx"
    workbook.write_bytes(workbook_of(good_rows(supervision)))

    # given the office opens the 巡察 feedback's list, first without a title
    log_in(page, office)
    page.goto(reverse("responsibility:batch-create"))
    page.locator("select[name=source]").select_option(label="巡视巡察")
    _submit(page)
    assert "请填写问题清单名称。" in page.locator("main").inner_text()
    page.locator("input[name=title]").fill("市委第三巡察组反馈意见")
    page.locator("input[name=raised_by]").fill("市委第三巡察组")
    _submit(page)
    batch = ProblemBatch.objects.get(plan__isnull=True)  # the plan of the fixture has its own list
    assert page.url.endswith(reverse("responsibility:batch-detail", args=[batch.pk]))

    # when they import its problems from the filled-in template
    with page.expect_navigation():
        page.locator("main a.button", has_text="从表格导入").click()
    page.locator("input[type=file]").set_input_files(str(workbook))
    _submit(page)

    # then the list's page shows both problems by their numbers, the first with its two measures
    finding, carried = Finding.objects.filter(batch=batch).order_by("number")
    assert page.url.endswith(reverse("responsibility:batch-detail", args=[batch.pk]))
    shown = page.locator("main").inner_text()
    assert finding.reference in shown and carried.reference in shown
    assert [m.owner for m in finding.measures.order_by("number")] == [head, staff]

    # when the staff member reports their measure on a phone, and the head theirs
    context, phone = browser_tab(browser, live_server, PHONE_390)
    try:
        log_in(phone, staff)
        assert finding.reference in phone.locator("main").inner_text()  # on their to-do
        _report_measure(phone, finding, 2, "调研报告已形成。", evidence)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert phone.js_errors == []
    finally:
        context.close()
    page.context.clear_cookies()
    log_in(page, head)
    _report_measure(page, finding, 1, "调研计划已印发。", evidence)
    finding.rectification.refresh_from_db()
    assert finding.rectification.status == RectificationStatus.SUBMITTED

    # and a member of the inspection team verifies it and ticks it off
    page.context.clear_cookies()
    log_in(page, verifier)
    assert finding.reference in page.locator("main").inner_text()  # on their to-do, to verify
    page.goto(reverse("responsibility:finding-detail", args=[finding.pk]))
    _submit(page, "form[action$='/verify/']")
    _submit(page, "form[action$='/close/']")

    # then the office carries the second problem over and reconciles the list
    page.context.clear_cookies()
    log_in(page, office)
    page.goto(reverse("responsibility:batch-reconcile", args=[batch.pk]))
    carry = page.locator(f"form[action$='/findings/{carried.pk}/carry-over/']")
    page.evaluate("document.querySelectorAll('main details').forEach(details => { details.open = true; })")
    carry.locator("textarea").fill("涉及预算管理体制调整，需长期整改。")
    carry.locator("input[type=date]").fill((timezone.localdate() + datetime.timedelta(days=200)).isoformat())
    with page.expect_navigation():
        carry.locator("button[type=submit]").click()
    _submit(page, "main form:has(button.primary)")
    assert "已对账销号" in page.locator("main").inner_text()
    batch.refresh_from_db()
    assert batch.status == "reconciled"

    # and issues the list's sealed 整改情况报告 from the list's page, with a double click, and downloads it
    page.goto(reverse("responsibility:batch-detail", args=[batch.pk]))
    with page.expect_navigation():
        page.locator("#reports button[type=submit]").dblclick()
    [report] = RectificationReportDocument.objects.filter(batch=batch)
    reports = page.locator("#reports").inner_text()
    assert report.verification_code in reports and "现行有效" in reports
    with page.expect_download() as download:
        page.locator("#reports table a").first.click()
    pdf = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == report.sha256
    text = compact(pdf_text(pdf))
    assert "关于市委第三巡察组反馈意见整改情况的报告" in text
    assert "已整改销号1个，销号率50.0%；结转整改1个" in text
    assert "涉及预算管理体制调整，需长期整改。" in text

    kinds = list(
        InspectionEvent.objects.filter(subject=f"finding:{finding.pk}").values_list("kind", flat=True)
    )
    assert kinds[:3] == [
        InspectionEventKind.FINDING_RECORDED,
        InspectionEventKind.MEASURE_ADDED,
        InspectionEventKind.MEASURE_ADDED,
    ]
    assert kinds[-2:] == [InspectionEventKind.VERIFIED, InspectionEventKind.CLOSED]
    assert inspection_chain_verify() is None
    assert page.js_errors == []
