"""A problem list of the democratic life meeting, from its opening to 对账销号 — in a real (headless)
Chromium, through the pages, in Chinese.

The office opens the list and records a problem with two measures; the staff member who owns the
second measure reports it on a phone, the committee head the first; a member of the inspection team
(on no plan's team) verifies and ticks it off; the office reconciles the list. Afterwards the database
holds what the pages said and the inspection chain verifies.
"""

import datetime

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


def test_a_list_from_opening_to_reconciliation(
    page, browser, live_server, supervision, tmp_path, seal_settings, settings
):
    """The whole life of a list through the pages, by four people on two devices, to its sealed report
    (about 11 s: some twenty page loads in a real browser, and one report rendered and sealed)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    office, head, staff = supervision.org.office_admin, supervision.org.heads[0], supervision.org.staff[0]
    verifier = supervision.outside_inspector
    evidence = tmp_path / "整改佐证.pdf"
    evidence.write_bytes(REPORT_PDF)
    soon = timezone.localdate() + datetime.timedelta(days=20)
    later = timezone.localdate() + datetime.timedelta(days=50)

    # given the office opens the democratic life meeting's list, first without a title
    log_in(page, office)
    page.goto(reverse("responsibility:batch-create"))
    page.locator("select[name=source]").select_option(label="民主生活会")
    _submit(page)
    assert "请填写问题清单名称。" in page.locator("main").inner_text()
    page.locator("input[name=title]").fill("2026年度党组民主生活会查摆问题")
    _submit(page)
    batch = ProblemBatch.objects.get(plan__isnull=True)  # the plan of the fixture has its own list
    assert page.url.endswith(reverse("responsibility:batch-detail", args=[batch.pk]))

    # when they record a problem of the first committee with two measures
    with page.expect_navigation():
        page.locator("main a.button.primary", has_text="录入问题").click()
    page.locator("select[name=unit]").select_option(label=head.posts.first().unit.name)
    _submit(page)
    page.locator("input[name=title]").fill("调查研究不够深入")
    page.locator("textarea[name=description]").fill("班子成员到基层调研次数偏少。")
    page.locator("select[name=category]").select_option(label="作风建设")
    page.locator("textarea[name=requirement]").fill("建立基层联系点制度。")
    for row, (action, owner, deadline) in enumerate(
        [("制定年度调研计划。", head, soon), ("形成专题调研报告。", staff, later)]
    ):
        page.locator(f"textarea[name='measure-{row}-action']").fill(action)
        page.locator(f"select[name='measure-{row}-owner']").select_option(value=str(owner.pk))
        page.locator(f"input[name='measure-{row}-deadline']").fill(deadline.isoformat())
    _submit(page)

    # then the list's page shows the problem by its number
    finding = Finding.objects.get()
    assert page.url.endswith(reverse("responsibility:batch-detail", args=[batch.pk]))
    assert finding.reference in page.locator("main").inner_text()
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

    # then the office reconciles the list
    page.context.clear_cookies()
    log_in(page, office)
    page.goto(reverse("responsibility:batch-reconcile", args=[batch.pk]))
    _submit(page, "main form:has(button.primary)")
    assert "已对账销号" in page.locator("main").inner_text()
    batch.refresh_from_db()
    assert batch.status == "reconciled"

    # and issues the list's sealed 整改情况报告 from the list's page, with a double click
    page.goto(reverse("responsibility:batch-detail", args=[batch.pk]))
    with page.expect_navigation():
        page.locator("#reports button[type=submit]").dblclick()
    [report] = RectificationReportDocument.objects.filter(batch=batch)
    reports = page.locator("#reports").inner_text()
    assert report.verification_code in reports and "现行有效" in reports
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
