"""A scheme from the office's spreadsheet to a published version, and read by a unit head on a phone."""

import pytest
from django.urls import reverse

from responsibility.assessment.models import AssessmentScheme, SchemeStatus
from tests.browser.conftest import PHONE_390, browser_tab, log_in
from tests.responsibility.assessment.workbooks import changed, scheme_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def test_the_office_imports_a_scheme_fixes_it_publishes_it_and_a_unit_head_reads_it_on_a_phone(
    page, browser, live_server, org, tmp_path
):
    """About 4 s: eight page loads in a real browser, two of them on a phone."""
    wrong, right = tmp_path / "考核方案（有误）.xlsx", tmp_path / "考核方案.xlsx"
    wrong.write_bytes(scheme_xlsx(changed(1, c7=6)))
    right.write_bytes(scheme_xlsx())

    # given the office imports a workbook whose first area does not add up
    log_in(page, org.office_admin)
    page.goto(reverse("responsibility:scheme-list"))
    with page.expect_navigation():
        page.locator("main a.button", has_text="导入考核方案").click()
    page.locator("input[type=file]").set_input_files(str(wrong))
    _submit(page)

    # then nothing is saved and the problem is named by its sheet and row
    problems = page.locator("main table").inner_text()
    assert "第1个方面“落实主体责任”各评分点分值合计26分，与方面分值25分不符。" in problems
    assert not AssessmentScheme.objects.exists()

    # when they import the corrected workbook and publish the draft
    page.locator("input[type=file]").set_input_files(str(right))
    _submit(page)
    scheme = AssessmentScheme.objects.get()
    assert page.url.endswith(reverse("responsibility:scheme-detail", args=[scheme.pk]))
    assert "草稿" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("main button", has_text="发布").click()
    assert "第1版已发布，不能再修改。" in page.locator("main").inner_text()
    assert AssessmentScheme.objects.get().status == SchemeStatus.PUBLISHED
    assert page.js_errors == []

    # then a committee head reads it on a phone, every scoring point with its rule, nothing cut off
    context, phone = browser_tab(browser, live_server, PHONE_390)
    try:
        log_in(phone, org.heads[0])
        phone.goto(reverse("responsibility:scheme-detail", args=[scheme.pk]))
        shown = phone.locator("main").inner_text()
        assert "满分10分，每发生一次扣2分，最低0分。" in shown
        assert "责任书按时签订率" in shown
        assert "发布" not in phone.locator("main .actions").inner_text()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert phone.js_errors == []
    finally:
        context.close()
