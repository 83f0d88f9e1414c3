"""廉政谈话 in a real (headless) Chromium: the person talked to, on a 390 px phone, finds the record on
their to-do page, first sends a disagreement with no words (refused, nothing changed), then confirms the
record with their password; the talker's duty period is done by it.

It takes a few seconds: a real Chromium logs in and loads the pages more than once.
"""

import pytest
from django.urls import reverse

from responsibility.duties.models import Talk, TalkStatus, TaskOccurrence
from tests.browser.conftest import log_in
from tests.browser.test_sign_and_countersign import assert_fits_the_screen
from tests.factories import TEST_PASSWORD
from tests.responsibility.duties import conftest as duty_setup
from tests.responsibility.duties.talks.conftest import planned, recorded, talk_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The 一岗双责 fixtures (today is 2026-05-15; the year's assignments generated), used here too.
clock = duty_setup.clock
duties = duty_setup.duties


def test_the_person_talked_to_confirms_the_record_on_a_phone(phone_page, duties):
    head, chief = duties.org.heads[0], duties.org.staff[1]
    period = talk_period(duties.head_assignment)
    talk = recorded(planned(head, chief, occurrence=period), points="提醒严守廉洁纪律，不得插手工程项目。")
    page = phone_page

    # given the chief of 法规处 on a phone, at their to-do page, following the record's link
    log_in(page, chief)
    page.goto(reverse("responsibility:todo"))
    with page.expect_navigation():
        page.locator("#todo-talk-answer a").first.click()
    assert "提醒严守廉洁纪律，不得插手工程项目。" in page.locator("#record").inner_text()
    assert_fits_the_screen(page)

    # when they choose to disagree but write nothing, with their password
    form = page.locator("form.talk-answer")
    form.get_by_label("对谈话记录有异议").check()
    form.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        form.locator("[data-submit-once]").click()

    # then the page says what is missing, and nothing changed
    assert "请说明您对记录的哪些内容有异议。" in page.locator("[data-errors-focus]").inner_text()
    assert Talk.objects.get(pk=talk.pk).status == TalkStatus.RECORDED
    assert_fits_the_screen(page)

    # when they confirm the record instead, with their password
    form = page.locator("form.talk-answer")
    form.get_by_label("确认谈话记录属实").check()
    form.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        form.locator("[data-submit-once]").click()

    # then the talk is confirmed, the page says so, and the head's talk period is done
    assert "您已确认谈话记录。" in page.locator(".messages").inner_text()
    assert "已确认" in page.locator("h1").inner_text()
    assert Talk.objects.get(pk=talk.pk).status == TalkStatus.CONFIRMED
    assert TaskOccurrence.objects.get(pk=period.pk).done_at is not None
    assert_fits_the_screen(page)
