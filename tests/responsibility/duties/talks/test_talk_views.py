"""The talk pages as their users meet them: planning, writing the record, answering with the identity
check (a wrong password, a disagreement with no words, a double tap), the to-do page, and the list's
fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.security.models import SecurityEvent
from responsibility.duties.models import DutyEvent, Talk, TalkKind, TalkStatus
from tests.factories import TEST_PASSWORD
from tests.responsibility.duties.talks.conftest import TODAY, planned, recorded, talk_period

pytestmark = pytest.mark.django_db


def talk_state(talk: Talk) -> tuple:
    talk = Talk.objects.get(pk=talk.pk)
    return talk.status, talk.version, DutyEvent.objects.filter(subject=f"talk:{talk.pk}").count()


def test_the_plan_page_offers_the_people_of_the_units_and_the_talk_periods(client, duties, head, chief):
    client.force_login(head)
    period = talk_period(duties.head_assignment)

    page = client.get(reverse("responsibility:talk-plan"), {"period": period.pk}).content.decode()

    assert chief.get_full_name() in page and duties.org.staff[0].get_full_name() in page
    assert duties.org.heads[1].get_full_name() not in page  # another committee's head
    assert f'<option value="{period.pk}" selected>与分管单位负责人开展廉政谈话 · 第1期' in page
    assert "任职廉政谈话" in page and "约谈" in page


def test_planning_a_talk_leads_to_its_page(client, duties, head, chief):
    client.force_login(head)
    kind = TalkKind.objects.get(name="提醒谈话")

    response = client.post(
        reverse("responsibility:talk-plan"),
        {
            "kind": kind.pk,
            "talked_to": chief.pk,
            "planned_on": "2026-05-20",
            "purpose": "提醒",
            "occurrence": "",
        },
        follow=True,
    )

    talk = Talk.objects.get()
    assert response.redirect_chain[-1][0] == reverse("responsibility:talk-detail", args=[talk.pk])
    assert f"已安排于2026-05-20与{chief.get_full_name()}进行提醒谈话。" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"planned_on": ""}, "这个字段是必填项。"),
        ({"talked_to": "self"}, "谈话须与他人进行，不能与自己谈话。"),
        ({"talked_to": "other_head"}, "只能与您所在或分管单位的人员谈话。"),
        ({"planned_on": "2028-01-01"}, "计划日期不能晚于一年后。"),
    ],
    ids=["no date", "oneself", "outside the units", "too far ahead"],
)
def test_a_refused_plan_says_why_and_plans_nothing(client, duties, head, chief, change, message):
    client.force_login(head)
    data = {
        "kind": TalkKind.objects.get(name="提醒谈话").pk,
        "talked_to": chief.pk,
        "planned_on": "2026-05-20",
    }
    people = {"self": head.pk, "other_head": duties.org.heads[1].pk}
    data.update({name: people.get(value, value) for name, value in change.items()})

    response = client.post(reverse("responsibility:talk-plan"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Talk.objects.exists()


def test_a_record_dated_in_the_future_is_refused_on_the_page(client, head, chief):
    talk = planned(head, chief)
    client.force_login(head)
    before = talk_state(talk)

    response = client.post(
        reverse("responsibility:talk-record", args=[talk.pk]),
        {
            "held_on": (TODAY + datetime.timedelta(days=1)).isoformat(),
            "place": "会议室",
            "points": "要点",
            "version": talk.version,
        },
    )

    assert response.status_code == 400
    assert "谈话日期不能晚于今天。" in response.content.decode()
    assert talk_state(talk) == before


def answer(client, talk, **data):
    return client.post(
        reverse("responsibility:talk-answer", args=[talk.pk]), {"version": talk.version, **data}
    )


def test_the_person_talked_to_reads_the_record_and_the_answer_form(client, head, chief):
    talk = recorded(planned(head, chief), points="提醒严守保密纪律。")
    client.force_login(chief)

    page = client.get(reverse("responsibility:talk-detail", args=[talk.pk])).content.decode()

    assert "提醒严守保密纪律。" in page
    assert "确认谈话记录属实" in page and "对谈话记录有异议" in page
    assert 'name="password"' in page


def test_a_wrong_password_changes_nothing_and_says_so(client, head, chief):
    talk = recorded(planned(head, chief))
    client.force_login(chief)
    before = talk_state(talk)

    response = answer(client, talk, decision="confirm", password="wrong-password")

    assert response.status_code == 400
    assert "密码不正确。" in response.content.decode()
    assert talk_state(talk) == before


def test_a_disagreement_without_words_is_refused_before_the_password_is_checked(client, head, chief):
    talk = recorded(planned(head, chief))
    client.force_login(chief)
    security_events = SecurityEvent.objects.count()

    response = answer(client, talk, decision="disagree", disagreement="  ", password="wrong-password")

    assert response.status_code == 400
    assert "请说明您对记录的哪些内容有异议。" in response.content.decode()
    assert "密码不正确" not in response.content.decode()
    assert SecurityEvent.objects.count() == security_events  # no failed password counted
    assert talk_state(talk)[0] == TalkStatus.RECORDED


def test_confirming_with_the_password_confirms_and_a_second_tap_changes_nothing(client, head, chief):
    talk = recorded(planned(head, chief))
    client.force_login(chief)

    first = answer(client, talk, decision="confirm", password=TEST_PASSWORD)
    after_first = talk_state(talk)
    second = answer(client, talk, decision="confirm", password=TEST_PASSWORD)

    assert first.status_code == 302 and second.status_code == 302
    assert after_first[0] == TalkStatus.CONFIRMED
    assert talk_state(talk) == after_first
    page = client.get(second.url).content.decode()
    assert "您已答复过该谈话记录：已确认。" in page


def test_within_the_window_a_second_answer_needs_no_password_again(client, head, chief):
    # given the person talked to confirmed one record with their password a moment ago
    first = recorded(planned(head, chief))
    second = recorded(planned(head, chief))
    client.force_login(chief)
    assert answer(client, first, decision="confirm", password=TEST_PASSWORD).status_code == 302

    # when they open the second and answer it with a disagreement and no password
    page = client.get(reverse("responsibility:talk-detail", args=[second.pk])).content.decode()
    response = answer(client, second, decision="disagree", disagreement="记录漏写了我的意见。")

    # then the page said so, and the disagreement is recorded
    assert "您在 5 分钟内已确认过身份，无需再次确认，可直接继续。" in page
    assert response.status_code == 302
    assert Talk.objects.get(pk=second.pk).disagreement == "记录漏写了我的意见。"


def test_the_todo_page_lists_the_talks_to_answer_and_to_hold(client, head, chief):
    waiting = recorded(planned(head, chief))
    to_hold = planned(head, chief, on=TODAY + datetime.timedelta(days=3))

    client.force_login(chief)
    chief_page = client.get(reverse("responsibility:todo")).content.decode()
    client.force_login(head)
    head_page = client.get(reverse("responsibility:todo")).content.decode()

    assert "待确认的谈话记录" in chief_page
    assert reverse("responsibility:talk-detail", args=[waiting.pk]) in chief_page
    assert "待开展的谈话" in head_page
    assert reverse("responsibility:talk-detail", args=[to_hold.pk]) in head_page
    assert reverse("responsibility:talk-detail", args=[waiting.pk]) not in head_page  # recorded: not to hold


def test_the_list_runs_the_same_queries_for_few_and_many_talks(client, duties, head, chief):
    def queries(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("responsibility:talk-list")).status_code == 200
        return len(captured)

    planned(head, chief)
    few = queries(head), queries(duties.org.inspector)
    for _ in range(6):
        recorded(planned(head, duties.org.staff[0]))
    assert (queries(head), queries(duties.org.inspector)) == few
