"""An inspector draws the units at the meeting, records a finding, and the rectification goes all the
way to 销号 — in a real (headless) Chromium, through the pages, in Chinese.

The committee head reports the fix on a phone; the inspector verifies and ticks it off on a desktop.
Afterwards the database holds what the pages said, and both audit chains verify.
"""

import pytest
from django.urls import reverse

from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    Finding,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    Rectification,
    RectificationStatus,
    SpotCheckDraw,
)
from responsibility.supervision.services.draws import draw_verify
from tests.browser.conftest import log_in, open_user_menu
from tests.responsibility.inspections import conftest as supervision_setup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The supervision fixture (a 2026 plan over five units, not drawn yet), used here too.
supervision = supervision_setup.supervision

MINUTES_PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _log_out(page) -> None:
    open_user_menu(page)
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] button").click()


def test_draw_record_a_finding_and_close_its_rectification(page, phone_page, supervision, tmp_path):
    inspector = supervision.inspectors[0]
    committee = supervision.org.head_posts[0].unit
    head = supervision.org.heads[0]
    evidence = tmp_path / "专题会议纪要.pdf"
    evidence.write_bytes(MINUTES_PDF)

    # given the inspector at the draw page, who first forgets the public value
    log_in(page, inspector)
    page.goto(reverse("responsibility:draw-create", args=[supervision.plan.pk]))
    page.locator("input[name=requested]").fill("5")
    page.locator("input[name=inspectors_per_unit]").fill("1")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "请输入抽取时公开宣读的数值" in page.locator("main").inner_text()
    assert SpotCheckDraw.objects.count() == 0

    # when they enter the number read out at the meeting and draw
    page.locator("input[name=public_value]").fill("20260315")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    # then the draw's page shows the re-run agrees, and so does the service
    draw = SpotCheckDraw.objects.get()
    assert page.url.endswith(reverse("responsibility:draw-detail", args=[draw.pk]))
    assert page.locator(".verdict.ok").is_visible()
    assert committee.name in page.locator("main").inner_text()
    assert draw_verify(draw=draw).is_valid

    # when the inspector drawn for the committee records a nonconforming result and a finding
    inspection = Inspection.objects.get(draw=draw, unit=committee)
    checker = inspection.inspectors.get()
    if checker != inspector:
        _log_out(page)
        log_in(page, checker)
    page.goto(reverse("responsibility:inspection-detail", args=[inspection.pk]))
    checkpoint = supervision.plan.checkpoints.get(number=2)  # needs no evidence
    result_form = page.locator(f"form[action$='/checkpoints/{checkpoint.pk}/']")
    result_form.locator("input[value=nonconforming]").check()
    result_form.locator("textarea[name=notes]").fill("公务接待超标准，无审批单。")
    with page.expect_navigation():
        result_form.locator("button[type=submit]").click()
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('responsibility:finding-create', args=[inspection.pk])}']").click()
    page.locator("input[name=title]").fill("公务接待审批单缺失")
    page.locator("textarea[name=description]").fill("3月两次接待无审批单。")
    page.locator("select[name=clause]").select_option(index=1)
    page.locator("textarea[name=requirement]").fill("补齐审批单，完善接待制度。")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    # then the finding's page shows it open, and the head will answer it
    finding = Finding.objects.get()
    assert page.url.endswith(reverse("responsibility:finding-detail", args=[finding.pk]))
    assert finding.reference in page.locator("main").inner_text()
    assert finding.rectification.owner == head

    # when the committee head, on a phone, finds it on their to-do page and reports the fix with evidence
    log_in(phone_page, head)
    detail_url = reverse("responsibility:finding-detail", args=[finding.pk])
    with phone_page.expect_navigation():
        phone_page.locator(f"main a[href='{detail_url}']").first.click()
    submit_form = phone_page.locator("form[action$='/submit/']")
    submit_form.locator("textarea[name=measures]").fill("已补齐审批单，修订接待管理办法。")
    submit_form.locator("input[type=file]").set_input_files(str(evidence))
    with phone_page.expect_navigation():
        submit_form.locator("button[type=submit]").click()
    assert Rectification.objects.get(pk=finding.rectification.pk).status == RectificationStatus.SUBMITTED
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone

    # and the inspector verifies it and ticks it off the ledger
    page.goto(detail_url)
    with page.expect_navigation():
        page.locator("form[action$='/verify/'] button[type=submit]").click()
    with page.expect_navigation():
        page.locator("form[action$='/close/'] button[type=submit]").click()

    # then it is closed, on the page and in the database, with every step chained
    assert "已销号" in page.locator("main").inner_text()
    assert Rectification.objects.get(pk=finding.rectification.pk).status == RectificationStatus.CLOSED
    kinds = list(
        InspectionEvent.objects.filter(subject=f"finding:{finding.pk}").values_list("kind", flat=True)
    )
    assert kinds == [
        InspectionEventKind.FINDING_RECORDED,
        InspectionEventKind.EVIDENCE_ADDED,
        InspectionEventKind.SUBMITTED,
        InspectionEventKind.VERIFIED,
        InspectionEventKind.CLOSED,
    ]
    assert inspection_chain_verify() is None
    assert page.js_errors == [] and phone_page.js_errors == []
