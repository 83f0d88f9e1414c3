"""A round from self-assessment to approval: a unit head answers the items on a phone with evidence and
submits, the inspection team sets an approved score with its reason and completes the review, the
Party Group approves the results."""

import datetime

import pytest
from django.urls import reverse

from core import clock
from responsibility.assessment.models import RoundStatus, UnitAssessmentStatus
from responsibility.assessment.services.counts import round_indicators_run
from responsibility.assessment.services.rounds import RoundInput, round_open
from responsibility.assessment.services.schemes import scheme_import, scheme_publish
from tests.browser.conftest import PHONE_390, browser_tab, log_in
from tests.responsibility.assessment.conftest import TEST_GRADES
from tests.responsibility.assessment.workbooks import scheme_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {"1.2": "1", "1.3": "1", "3.1": "2", "3.2": "1"}  # 1.2 达到; 1.3 one talk missed; bonuses


def _submit(page, label: str) -> None:
    with page.expect_navigation():
        page.locator("main button", has_text=label).first.click()


def test_a_unit_head_self_assesses_on_a_phone_and_the_team_and_the_party_group_finish_the_round(
    page, browser, live_server, org, tmp_path
):
    """About 10 s: a dozen page loads in a real browser, with uploads, half of them on a phone."""
    scheme = scheme_publish(
        scheme=scheme_import(workbook_file=scheme_xlsx(), imported_by=org.office_admin),
        published_by=org.office_admin,
    )
    today = clock.today()
    assessment_round = round_open(
        data=RoundInput(
            scheme=scheme,
            year=today.year,
            name=f"{today.year}年度考核",
            deadline=today + datetime.timedelta(days=14),
            objection_days=5,
            grade_bands=TEST_GRADES,
            units=[org.head_posts[0].unit],
        ),
        opened_by=org.office_admin,
    )
    round_indicators_run(round_id=assessment_round.pk)  # as the worker would
    card = assessment_round.units.get()
    evidence = tmp_path / "会议纪要.pdf"
    evidence.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n")

    # given the committee head opens their card on a phone
    context, phone = browser_tab(browser, live_server, PHONE_390)
    try:
        log_in(phone, org.heads[0])
        phone.goto(reverse("responsibility:round-list"))
        with phone.expect_navigation():
            phone.locator("main a", has_text=card.unit.name).click()
        assert "尚有4个评分点未填报" in phone.locator("main").inner_text()

        # when they answer each item with an explanation and a file
        for number, answer in ANSWERS.items():
            with phone.expect_navigation():
                phone.locator("main table a", has_text=number).first.click()
            if number == "1.2":
                phone.locator(f"input[name=answer][value='{answer}']").check()
            else:
                phone.locator("input[name=answer]").fill(answer)
            phone.locator("textarea[name=explanation]").fill(f"第{number}项自评说明。")
            phone.locator("input[type=file]").set_input_files(str(evidence))
            _submit(phone, "保存自评")
            assert f"第{number}项已自评。" in phone.locator("main").inner_text()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        # and submit the self-assessment
        _submit(phone, "提交自评")
        assert "自评已提交考核组。" in phone.locator("main").inner_text()
        assert phone.js_errors == []
    finally:
        context.close()
    card.refresh_from_db()
    assert card.status == UnitAssessmentStatus.SUBMITTED

    # then the inspector lowers 1.3 with a reason and completes the review
    log_in(page, org.inspector)
    page.goto(reverse("responsibility:card-detail", args=[card.pk]))
    with page.expect_navigation():
        page.locator("main table a", has_text="1.3").first.click()
    page.locator("input[name=answer]").fill("2")
    _submit(page, "核定核准分")
    assert "核准分与自评分不同，请写明理由。" in page.locator("main").inner_text()
    page.locator("textarea[name=reason]").fill("谈话记录只见两次。")
    _submit(page, "核定核准分")
    assert "第1.3项核准分已核定。" in page.locator("main").inner_text()
    _submit(page, "完成审核")
    assert "审核完成" in page.locator("main").inner_text()
    assert page.js_errors == []

    # and the Party Group approves the results
    context, desk = browser_tab(browser, live_server, {})
    try:
        log_in(desk, org.secretary)
        desk.goto(reverse("responsibility:round-detail", args=[assessment_round.pk]))
        _submit(desk, "审定考核结果")
        shown = desk.locator("main").inner_text()
        assert "考核结果已审定并向各单位发布。" in shown and "名次" in shown
        assert desk.js_errors == []
    finally:
        context.close()
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.APPROVED
    card.refresh_from_db()
    # 25 by the system, 5 + 6 scored (1.3 approved at two missed talks), bonus 4 + 1 capped at 5.
    assert card.approved_points == 41 and card.self_points == 43
