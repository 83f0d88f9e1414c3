"""履责纪实 in a real (headless) Chromium: a leader, on a phone, finds an overdue task period on their
to-do page and records what they did with a file of evidence; the inspection team accepts it on a desktop.
"""

import pytest
from django.urls import reverse

from responsibility.duties.models import PerformanceRecord, ReviewStatus, TaskOccurrence
from tests.browser.conftest import log_in
from tests.responsibility.duties import conftest as duty_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The 一岗双责 fixtures (today is 2026-05-15; the year's assignments generated), used here too.
clock = duty_setup.clock
duties = duty_setup.duties

MINUTES_PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_leader_records_a_task_period_with_evidence_and_the_inspector_accepts_it(
    page, phone_page, duties, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    deputy = duties.deputy_assignment
    overdue = (
        TaskOccurrence.objects.filter(task__assignment=deputy, done_at__isnull=True)
        .order_by("due_date", "pk")
        .first()
    )
    evidence = tmp_path / "汇报会议纪要.pdf"
    evidence.write_bytes(MINUTES_PDF)

    # given the deputy head on a phone, whose first quarter's report is overdue, at their to-do page
    log_in(phone_page, deputy.leader)
    record_url = reverse("responsibility:performance-record-create", args=[overdue.pk])

    # when they follow the to-do's link and record what they did, with the minutes attached
    with phone_page.expect_navigation():
        phone_page.locator(f"#todo-duty-due a[href='{record_url}']").click()
    phone_page.locator("input[name=performed_on]").fill("2026-04-03")
    phone_page.locator("textarea[name=summary]").fill("听取法规处一季度党风廉政建设工作汇报，部署整改。")
    phone_page.locator("input[name=participants]").fill("法规处处长")
    phone_page.locator("input[type=file]").set_input_files(str(evidence))
    with phone_page.expect_navigation():
        phone_page.locator("main form button[type=submit]").click()

    # then the assignment's page shows the record and its evidence, and the period is done
    detail_url = reverse("responsibility:duty-detail", args=[deputy.pk])
    assert phone_page.url.endswith(f"{detail_url}#occurrence-{overdue.pk}")
    record = PerformanceRecord.objects.get()
    assert record.occurrence == overdue and record.recorded_by == deputy.leader
    stored = record.evidence.get()
    assert stored.original_name == "汇报会议纪要.pdf"
    assert phone_page.locator(f"#record-{record.pk}").is_visible()
    assert phone_page.locator(
        f"#record-{record.pk} a[href='{reverse('responsibility:evidence-download', args=[stored.pk])}']"
    ).is_visible()
    assert TaskOccurrence.objects.get(pk=overdue.pk).done_at is not None
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone

    # when the inspector, on a desktop, accepts it from their to-do page
    log_in(page, duties.org.inspector)
    with page.expect_navigation():
        page.locator(f"#todo-review a[href='{detail_url}#record-{record.pk}']").click()
    with page.expect_navigation():
        page.locator(f"#record-{record.pk} button[value=accept]").click()

    # then
    assert PerformanceRecord.objects.get(pk=record.pk).review_status == ReviewStatus.ACCEPTED
    assert not page.locator(f"#record-{record.pk} form").count()  # nothing left to review
    assert page.js_errors == [] and phone_page.js_errors == []
