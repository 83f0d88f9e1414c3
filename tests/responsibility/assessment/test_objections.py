"""Objections (异议) to a published result: lodged by the unit head within the days for objections, one
per item, answered by the team once and for all; an upheld one corrects the unit's final points while the
approved scores stay as approved."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.audit import AUDIT_CHAINS, chain_verify
from core.versions import StaleEdit
from responsibility.assessment.audit import assessment_event_describe
from responsibility.assessment.models import (
    AssessmentEventKind,
    ItemScore,
    Objection,
    ObjectionStatus,
)
from responsibility.assessment.results import final_totals
from responsibility.assessment.rules import AnswerRefused
from responsibility.assessment.services.objections import objection_answer, objection_lodge
from responsibility.assessment.services.rounds import (
    RoundRefused,
    item_review,
    round_approve,
)
from tests.responsibility.assessment.conftest import card_of, review_all, score_of

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def approved_round(org, assessment_round):
    """Both committees reviewed at 41 (25 by the system, 5 + 8 scored, a bonus of 3) and the results
    approved on 15 May: objections until 20 May."""
    review_all(assessment_round, org)
    return round_approve(assessment_round=assessment_round, approved_by=org.secretary)


def _finals(assessment_round) -> list[Decimal]:
    cards = list(assessment_round.units.order_by("unit__sort_order", "unit__code"))
    totals = final_totals(assessment_round=assessment_round, unit_ids=[card.pk for card in cards])
    return [totals[card.pk] for card in cards]


# --- Lodging -----------------------------------------------------------------------------------------


def test_a_unit_head_objects_once_to_an_item(org, approved_round):
    score = score_of(card_of(approved_round, org.head_posts[0].unit), "1.3")
    objection = objection_lodge(score=score, text="谈话记录已补交，请复核。", lodged_by=org.heads[0])
    assert (
        objection.status == ObjectionStatus.PENDING
        and objection.unit_assessment_id == score.unit_assessment_id
    )
    event = approved_round.events.get(kind=AssessmentEventKind.OBJECTION_LODGED)
    assert (
        event.note == "谈话记录已补交，请复核。"
        and event.payload["item"] == "1.3"
        and event.payload["points"] == "8"
    )
    assert "对第1.3项核准分（8分）提出异议" in assessment_event_describe(event)
    with pytest.raises(RoundRefused) as refused:
        objection_lodge(score=score, text="再提一次", lodged_by=org.heads[0])
    assert refused.value.code == "duplicate"
    assert Objection.objects.count() == 1


@pytest.mark.parametrize("who", ["other_head", "inspector", "office", "secretary"])
def test_only_the_units_head_objects(org, approved_round, who):
    user = {
        "other_head": org.heads[1],
        "inspector": org.inspector,
        "office": org.office_admin,
        "secretary": org.secretary,
    }[who]
    score = score_of(card_of(approved_round, org.head_posts[0].unit), "1.3")
    with pytest.raises(PermissionDenied):
        objection_lodge(score=score, text="异议", lodged_by=user)
    assert not Objection.objects.exists()


def test_objections_wait_for_the_units_review_and_end_with_their_days(org, assessment_round, clock):
    score = score_of(card_of(assessment_round, org.head_posts[0].unit), "1.3")
    with pytest.raises(RoundRefused) as refused:
        objection_lodge(score=score, text="异议", lodged_by=org.heads[0])
    assert refused.value.code == "not_reviewed"
    review_all(assessment_round, org)
    # the review fed back, before the approval
    objection_lodge(score=score, text="反馈后即提", lodged_by=org.heads[0])
    round_approve(assessment_round=assessment_round, approved_by=org.secretary)
    clock.move_to(datetime.datetime(2026, 5, 20, 23, 59, tzinfo=BEIJING))
    objection_lodge(score=score_of(score.unit_assessment, "3.1"), text="最后一天", lodged_by=org.heads[0])
    clock.move_to(datetime.datetime(2026, 5, 21, 0, 1, tzinfo=BEIJING))
    with pytest.raises(RoundRefused) as refused:
        objection_lodge(score=score_of(score.unit_assessment, "1.2"), text="晚了", lodged_by=org.heads[0])
    assert refused.value.code == "too_late" and "2026年5月20日" in str(refused.value)
    assert Objection.objects.count() == 2


def test_an_objection_before_the_approval_is_answered_and_its_item_no_longer_reviewed(org, assessment_round):
    # given both units reviewed (41 points each), the first objects to 1.3 before the Party Group approves
    review_all(assessment_round, org)
    card = card_of(assessment_round, org.head_posts[0].unit)
    score = score_of(card, "1.3")
    objection = objection_lodge(score=score, text="谈话记录已补交。", lodged_by=org.heads[0])

    # the team may no longer set the item's approved score: the answer decides it
    with pytest.raises(RoundRefused) as refused:
        item_review(score=score, answer=0, reason="复核", reviewed_by=org.inspector)
    assert refused.value.code == "objected"
    assert ItemScore.objects.get(pk=score.pk).approved_points == 8

    # the answer, upheld at 0 missing talks, counts in the final points before and after the approval
    objection_answer(
        objection=objection, upheld=True, answer=0, reply="补交属实。", answered_by=org.inspector
    )
    assert _finals(assessment_round) == [Decimal("43"), Decimal("41")]
    round_approve(assessment_round=assessment_round, approved_by=org.secretary)
    assert _finals(assessment_round) == [Decimal("43"), Decimal("41")]
    card.refresh_from_db()
    assert card.approved_points == Decimal("41")


@pytest.mark.parametrize(("text", "code"), [("  ", "text"), ("异" * 2001, "too_long")])
def test_an_objection_says_something(org, approved_round, text, code):
    score = score_of(card_of(approved_round, org.head_posts[0].unit), "1.3")
    with pytest.raises(RoundRefused) as refused:
        objection_lodge(score=score, text=text, lodged_by=org.heads[0])
    assert refused.value.code == code and not Objection.objects.exists()


# --- Answering ---------------------------------------------------------------------------------------


def test_an_upheld_objection_corrects_the_final_points_and_leaves_the_approved_scores(org, approved_round):
    score = score_of(card_of(approved_round, org.head_posts[0].unit), "1.3")
    objection = objection_lodge(score=score, text="补交了谈话记录。", lodged_by=org.heads[0])
    assert _finals(approved_round) == [Decimal("41.00"), Decimal("41.00")]

    answered = objection_answer(
        objection=objection,
        upheld=True,
        answer="0",
        reply="核实补交的谈话记录，予以采纳。",
        answered_by=org.inspector,
    )

    assert answered.status == ObjectionStatus.UPHELD and answered.corrected_points == Decimal("10.00")
    assert _finals(approved_round) == [Decimal("43.00"), Decimal("41.00")]
    assert ItemScore.objects.get(pk=score.pk).approved_points == Decimal("8.00")  # as approved
    event = approved_round.events.get(kind=AssessmentEventKind.OBJECTION_ANSWERED)
    assert event.payload["upheld"] is True and event.payload["corrected"] == "10"
    assert "予以采纳" in assessment_event_describe(event)
    with pytest.raises(RoundRefused) as refused:
        objection_answer(
            objection=objection, upheld=False, answer="", reply="改主意", answered_by=org.inspector
        )
    assert refused.value.code == "answered"
    assert chain_verify(AUDIT_CHAINS["assessment"]) is None


def test_an_objection_not_upheld_leaves_the_points(org, approved_round):
    score = score_of(card_of(approved_round, org.head_posts[1].unit), "1.2")
    objection = objection_lodge(score=score, text="异议", lodged_by=org.heads[1])
    objection_answer(
        objection=objection, upheld=False, answer="", reply="材料不足以证明。", answered_by=org.office_admin
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED and objection.corrected_points is None
    assert _finals(approved_round) == [Decimal("41.00"), Decimal("41.00")]


@pytest.mark.parametrize(
    ("upheld", "answer", "reply", "code"),
    [
        (True, "1", "理由", "unchanged"),  # the same points as approved
        (True, "1.5", "理由", "occurrences"),
        (True, "", "理由", "missing_answer"),  # upheld, with no corrected answer
        (True, "七", "理由", "not_a_number"),
        (False, "", " ", "text"),
    ],
)
def test_a_bad_answer_is_refused_and_changes_nothing(org, approved_round, upheld, answer, reply, code):
    score = score_of(card_of(approved_round, org.head_posts[0].unit), "1.3")
    objection = objection_lodge(score=score, text="异议", lodged_by=org.heads[0])
    with pytest.raises((RoundRefused, AnswerRefused)) as refused:
        objection_answer(
            objection=objection, upheld=upheld, answer=answer, reply=reply, answered_by=org.inspector
        )
    assert refused.value.code == code
    objection.refresh_from_db()
    assert objection.is_pending and objection.version == 1


def test_only_the_team_answers_and_a_stale_page_is_refused(org, approved_round):
    score = score_of(card_of(approved_round, org.head_posts[0].unit), "1.3")
    objection = objection_lodge(score=score, text="异议", lodged_by=org.heads[0])
    for user in (org.heads[0], org.secretary, org.outsider):
        with pytest.raises(PermissionDenied):
            objection_answer(objection=objection, upheld=False, answer="", reply="理由", answered_by=user)
    with pytest.raises(StaleEdit):
        objection_answer(
            objection=objection,
            upheld=False,
            answer="",
            reply="理由",
            expected_version=0,
            answered_by=org.inspector,
        )
    objection.refresh_from_db()
    assert objection.is_pending


# --- Pages -------------------------------------------------------------------------------------------


def test_the_objection_from_the_item_page_to_the_answer_and_the_final_ranking(client, org, approved_round):
    score = score_of(card_of(approved_round, org.head_posts[0].unit), "1.3")
    client.force_login(org.heads[0])
    page = client.get(reverse("responsibility:score-detail", args=[score.pk])).content.decode()
    assert "提出异议" in page and "2026-05-20" in page
    refused = client.post(reverse("responsibility:score-object", args=[score.pk]), {"text": ""})
    assert refused.status_code == 400 and "请说明异议的内容和理由。" in refused.content.decode()
    done = client.post(reverse("responsibility:score-object", args=[score.pk]), {"text": "补交了谈话记录。"})
    assert done.status_code == 302
    objection = Objection.objects.get()

    client.force_login(org.inspector)
    url = reverse("responsibility:objection-answer", args=[objection.pk])
    same = client.post(
        url, {"decision": "uphold", "answer": "1", "reply": "采纳", "version": objection.version}
    )
    assert same.status_code == 400 and "采纳异议应调整核准分，请填写调整后的填报。" in same.content.decode()
    blank = client.post(
        url, {"decision": "uphold", "answer": "", "reply": "采纳", "version": objection.version}
    )
    assert blank.status_code == 400 and "采纳异议须填写调整后的填报。" in blank.content.decode()
    answered = client.post(
        url, {"decision": "uphold", "answer": "0", "reply": "予以采纳。", "version": objection.version}
    )
    assert answered.status_code == 302
    round_page = client.get(reverse("responsibility:round-detail", args=[approved_round.pk])).content.decode()
    assert "最终得分" in round_page and "1个异议" in round_page and "待答复" not in round_page
    # 法制工作委员会 now first with 43, 财政经济工作委员会 second with 41.
    assert round_page.index("法制工作委员会") < round_page.index("财政经济工作委员会")
    card_page = client.get(
        reverse("responsibility:card-detail", args=[score.unit_assessment_id])
    ).content.decode()
    assert "异议·已采纳" in card_page and "（经异议复核调整）" in card_page


def test_a_reviewed_unit_objects_from_its_page_before_the_approval_and_the_team_no_longer_reviews_it(
    client, org, assessment_round
):
    review_all(assessment_round, org)
    score = score_of(card_of(assessment_round, org.head_posts[0].unit), "1.3")
    client.force_login(org.heads[0])
    page = client.get(reverse("responsibility:score-detail", args=[score.pk])).content.decode()
    assert "考核组已完成对本单位的审核" in page and "党组审定考核结果后5日内" in page
    done = client.post(reverse("responsibility:score-object", args=[score.pk]), {"text": "补交了谈话记录。"})
    assert done.status_code == 302 and Objection.objects.get().score_id == score.pk

    # the team sees the objection to answer, and no form to set the item's approved score again
    client.force_login(org.inspector)
    round_page = client.get(reverse("responsibility:round-detail", args=[assessment_round.pk]))
    assert "1个异议（1个待答复）" in round_page.content.decode()
    page = client.get(reverse("responsibility:score-detail", args=[score.pk])).content.decode()
    review = reverse("responsibility:score-review", args=[score.pk])
    assert "答复异议" in page and f'action="{review}"' not in page
    refused = client.post(
        review,
        {"answer": "0", "reason": "复核", "version": score.version},
    )
    assert refused.status_code == 400 and "以异议答复结果为准" in refused.content.decode()
    assert ItemScore.objects.get(pk=score.pk).approved_points == Decimal("8.00")
