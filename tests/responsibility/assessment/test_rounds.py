"""Assessment rounds through their services: opening, the system's count, self-assessment until the
deadline, the team's approved scores, the Party Group's approval, and the chain that records each step."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from core.audit import AUDIT_CHAINS, chain_verify
from core.versions import StaleEdit
from responsibility.assessment.audit import assessment_event_describe
from responsibility.assessment.models import (
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentRound,
    ItemScore,
    RoundStatus,
    UnitAssessment,
    UnitAssessmentStatus,
)
from responsibility.assessment.rules import AnswerRefused
from responsibility.assessment.services.counts import round_indicators_count, round_indicators_run
from responsibility.assessment.services.rounds import (
    RoundInput,
    RoundRefused,
    item_review,
    item_self_assess,
    round_approve,
    round_open,
    unit_review_complete,
    unit_self_assessment_submit,
)
from responsibility.evidence.models import EvidenceFile
from responsibility.letters.services.letters import letter_sign
from tests.conftest import attestation_for
from tests.responsibility.assessment.conftest import TEST_GRADES, card_of, counted, score_of
from tests.responsibility.inspections.conftest import pdf_upload

BEIJING = ZoneInfo("Asia/Shanghai")
UNIT_ITEMS = ("1.2", "1.3", "3.1", "3.2")  # the items of the test scheme the unit answers


def _round_input(org, scheme, **changes) -> RoundInput:
    fields = {
        "scheme": scheme,
        "year": 2026,
        "name": "2026年度考核",
        "deadline": datetime.date(2026, 5, 31),
        "objection_days": 5,
        "grade_bands": TEST_GRADES,
        "units": [post.unit for post in org.head_posts],
    }
    return RoundInput(**{**fields, **changes})


def _self_assess_all(card, head, answers=None) -> None:
    answers = {"1.2": 1, "1.3": 1, "3.1": 2, "3.2": 2, **(answers or {})}
    for number in UNIT_ITEMS:
        item_self_assess(
            score=score_of(card, number),
            answer=answers[number],
            explanation=f"{number} 的自评说明",
            files=[pdf_upload()],
            answered_by=head,
        )


# --- Opening ---------------------------------------------------------------------------------------


def test_round_open_gives_each_unit_every_item_and_answers_the_system_items(org, assessment_round):
    """Both committees get the scheme's 7 items; with no letters or problems of 2026, the rates are 100 %
    (nothing was left undone) and the re-check failures none, so the system items earn full points."""
    cards = list(assessment_round.units.order_by("unit__sort_order", "unit__code"))
    assert [card.unit for card in cards] == [post.unit for post in org.head_posts]
    assert {card.status for card in cards} == {UnitAssessmentStatus.NOT_STARTED}
    for card in cards:
        assert card.scores.count() == 7
        system = {
            score.item.number: score for score in card.scores.select_related("item") if score.item.indicator
        }
        assert {number: score.self_points for number, score in system.items()} == {
            "1.1": Decimal("10.00"),
            "2.1": Decimal("10.00"),
            "2.2": Decimal("5.00"),
        }
        assert system["1.1"].counted == {"done": 0, "due": 0}
        assert system["2.2"].counted == {"count": 0}
        assert card.self_points == Decimal("25.00")
        assert not card.scores.filter(self_answer__isnull=True).exclude(item__number__in=UNIT_ITEMS).exists()
    kinds = list(assessment_round.events.values_list("kind", flat=True))
    assert kinds == [AssessmentEventKind.ROUND_OPENED, AssessmentEventKind.INDICATORS_COUNTED]
    counted = assessment_round.events.get(kind=AssessmentEventKind.INDICATORS_COUNTED)
    assert counted.payload["items"] == 3 and counted.payload["units"] == 2
    assert set(counted.payload["heads"]) == {"letter", "inspection", "duty"}
    assert len(counted.digest) == 64
    assert chain_verify(AUDIT_CHAINS["assessment"]) is None


def test_round_open_counts_unsigned_letters_against_the_unit(org, published, clock, issued_letters):
    """Both heads' letters of 2026 are issued and not signed: 0 of 1 signed on time, so item 1.1 earns
    nothing and its figures say why."""
    assessment_round = counted(round_open(data=_round_input(org, published), opened_by=org.office_admin))
    card = card_of(assessment_round, org.head_posts[0].unit)
    score = score_of(card, "1.1")
    assert score.counted == {"done": 0, "due": 1}
    assert (score.self_answer, score.self_points) == (Decimal("0.00"), Decimal("0.00"))
    assert card.self_points == Decimal("15.00")


def test_round_indicators_count_follows_the_records_and_keeps_approved_scores(
    org, published, clock, issued_letters
):
    assessment_round = counted(round_open(data=_round_input(org, published), opened_by=org.office_admin))
    letter = issued_letters[0]
    letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    round_indicators_count(assessment_round=assessment_round, counted_by=org.office_admin)
    counted(assessment_round)
    card = card_of(assessment_round, org.head_posts[0].unit)
    assert score_of(card, "1.1").counted == {"done": 1, "due": 1}
    assert card.self_points == Decimal("25.00")
    assert card_of(assessment_round, org.head_posts[1].unit).self_points == Decimal("15.00")
    assert assessment_round.events.filter(kind=AssessmentEventKind.INDICATORS_COUNTED).count() == 2
    with pytest.raises(PermissionDenied):
        round_indicators_count(assessment_round=assessment_round, counted_by=org.inspector)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": "  "}, "name"),
        ({"name": "考" * 101}, "name"),
        ({"deadline": datetime.date(2026, 5, 14)}, "deadline"),
        ({"objection_days": 0}, "objection_days"),
        ({"objection_days": 31}, "objection_days"),
        ({"units": []}, "units"),
        ({"grade_bands": "好 90；差 0"}, "grades"),
        ({"grade_bands": "好 40；较好 35"}, "grades"),
    ],
)
def test_round_open_refuses_bad_input_and_writes_nothing(org, published, clock, changes, code):
    with pytest.raises((RoundRefused, AnswerRefused)) as refused:
        round_open(data=_round_input(org, published, **changes), opened_by=org.office_admin)
    assert refused.value.code == code
    assert not AssessmentRound.objects.exists() and not AssessmentEvent.objects.exists()


def test_round_open_refuses_a_draft_an_inactive_unit_and_a_second_round(org, published, draft, clock):
    with pytest.raises(RoundRefused) as refused:
        round_open(data=_round_input(org, draft), opened_by=org.office_admin)
    assert refused.value.code == "draft"
    unit = org.head_posts[1].unit
    unit.is_active = False
    unit.save()
    with pytest.raises(RoundRefused) as refused:
        round_open(data=_round_input(org, published), opened_by=org.office_admin)
    assert refused.value.code == "units"
    round_open(data=_round_input(org, published, units=[org.head_posts[0].unit]), opened_by=org.office_admin)
    with pytest.raises(RoundRefused) as refused:
        round_open(
            data=_round_input(org, published, units=[org.head_posts[0].unit]), opened_by=org.office_admin
        )
    assert refused.value.code == "duplicate"
    assert AssessmentRound.objects.count() == 1 and UnitAssessment.objects.count() == 1


@pytest.mark.parametrize("who", ["inspector", "secretary", "head", "outsider"])
def test_only_the_office_opens_a_round(org, published, clock, who):
    user = {
        "inspector": org.inspector,
        "secretary": org.secretary,
        "head": org.heads[0],
        "outsider": org.outsider,
    }[who]
    with pytest.raises(PermissionDenied):
        round_open(data=_round_input(org, published), opened_by=user)
    assert not AssessmentRound.objects.exists()


# --- Self-assessment -------------------------------------------------------------------------------


def test_item_self_assess_scores_by_the_rule_keeps_evidence_and_chains_it(org, assessment_round):
    card = card_of(assessment_round, org.head_posts[0].unit)
    score = item_self_assess(
        score=score_of(card, "1.3"),
        answer="2",
        explanation="全年开展廉政谈话4次，缺2次。",
        files=[pdf_upload("谈话记录.pdf")],
        answered_by=org.heads[0],
    )
    assert (score.self_answer, score.self_points) == (Decimal("2.00"), Decimal("6.00"))
    assert score.self_by == org.heads[0] and score.explanation == "全年开展廉政谈话4次，缺2次。"
    assert [evidence.original_name for evidence in score.evidence.all()] == ["谈话记录.pdf"]
    card.refresh_from_db()
    assert card.status == UnitAssessmentStatus.DRAFTING and card.self_points == Decimal("31.00")
    events = list(assessment_round.events.filter(subject=f"score:{score.pk}"))
    assert [event.kind for event in events] == [
        AssessmentEventKind.ITEM_SELF_ASSESSED,
        AssessmentEventKind.EVIDENCE_ADDED,
    ]
    assert events[0].payload["points"] == "6" and events[0].payload["from"] is None
    # the first answer starts the card's self-assessment; a later one leaves its status as it was
    assert (events[0].from_status, events[0].to_status) == ("not_started", "drafting")
    assert events[1].digest == score.evidence.get().sha256
    # Answering again records what it was; the evidence already there satisfies the rule.
    item_self_assess(score=score, answer=0, explanation="补齐了谈话。", answered_by=org.heads[0])
    again = assessment_round.events.filter(kind=AssessmentEventKind.ITEM_SELF_ASSESSED).last()
    assert again.payload["from"] == {"answer": "2", "points": "6"} and again.payload["points"] == "10"
    assert (again.from_status, again.to_status) == ("", "")
    assert chain_verify(AUDIT_CHAINS["assessment"]) is None


@pytest.mark.parametrize(
    ("number", "answer", "explanation", "files", "code"),
    [
        ("1.2", 1, "", True, "explanation"),
        ("1.2", 1, "说" * 2001, True, "too_long"),
        ("1.2", 2, "说明", True, "fixed"),
        ("1.3", "1.5", "说明", True, "occurrences"),
        ("1.3", "abc", "说明", True, "not_a_number"),
        ("1.2", 1, "说明", False, "evidence"),
        ("1.1", 100, "说明", True, "system"),
    ],
)
def test_item_self_assess_refuses_bad_input_and_changes_nothing(
    org, assessment_round, number, answer, explanation, files, code
):
    card = card_of(assessment_round, org.head_posts[0].unit)
    score = score_of(card, number)
    before = (score.self_answer, score.version)
    with pytest.raises((RoundRefused, AnswerRefused)) as refused:
        item_self_assess(
            score=score,
            answer=answer,
            explanation=explanation,
            files=[pdf_upload()] if files else [],
            answered_by=org.heads[0],
        )
    assert refused.value.code == code
    score.refresh_from_db()
    assert (score.self_answer, score.version) == before
    assert not EvidenceFile.objects.exists()
    assert assessment_round.events.count() == 2


@pytest.mark.parametrize("who", ["other_head", "office", "inspector", "secretary", "deputy"])
def test_only_the_units_head_self_assesses(org, assessment_round, who):
    user = {
        "other_head": org.heads[1],
        "office": org.office_admin,
        "inspector": org.inspector,
        "secretary": org.secretary,
        "deputy": org.staff[0],
    }[who]
    score = score_of(card_of(assessment_round, org.head_posts[0].unit), "1.2")
    with pytest.raises(PermissionDenied):
        item_self_assess(score=score, answer=1, explanation="说明", files=[pdf_upload()], answered_by=user)
    with pytest.raises(PermissionDenied):
        unit_self_assessment_submit(unit_assessment=score.unit_assessment, submitted_by=user)
    score.refresh_from_db()
    assert score.self_answer is None


def test_a_stale_page_does_not_overwrite_an_answer(org, assessment_round):
    score = score_of(card_of(assessment_round, org.head_posts[0].unit), "1.2")
    version = score.version
    item_self_assess(
        score=score, answer=1, explanation="第一次", files=[pdf_upload()], answered_by=org.heads[0]
    )
    with pytest.raises(StaleEdit):
        item_self_assess(
            score=score, answer=0, explanation="旧页面", expected_version=version, answered_by=org.heads[0]
        )
    score.refresh_from_db()
    assert score.explanation == "第一次"


def test_submit_needs_every_unit_item_answered_and_then_locks_them(org, assessment_round):
    card = card_of(assessment_round, org.head_posts[0].unit)
    item_self_assess(
        score=score_of(card, "1.2"),
        answer=1,
        explanation="说明",
        files=[pdf_upload()],
        answered_by=org.heads[0],
    )
    with pytest.raises(RoundRefused) as refused:
        unit_self_assessment_submit(unit_assessment=card, submitted_by=org.heads[0])
    assert refused.value.code == "unanswered" and "1.3、3.1、3.2" in str(refused.value)
    _self_assess_all(card, org.heads[0])
    submitted = unit_self_assessment_submit(unit_assessment=card, submitted_by=org.heads[0])
    # 25 by the system, 5 + 8 scored, 6 bonus capped at the bonus area's 5.
    assert submitted.status == UnitAssessmentStatus.SUBMITTED and submitted.self_points == Decimal("43.00")
    event = assessment_round.events.get(kind=AssessmentEventKind.SELF_ASSESSMENT_SUBMITTED)
    assert event.payload == {
        "unit": {"id": card.unit_id, "name": card.unit.name},
        "points": "43",
        "answered": 7,
        "items": 7,
    }
    with pytest.raises(RoundRefused) as refused:
        item_self_assess(score=score_of(card, "1.2"), answer=0, explanation="改", answered_by=org.heads[0])
    assert refused.value.code == "submitted"
    with pytest.raises(RoundRefused):
        unit_self_assessment_submit(unit_assessment=card, submitted_by=org.heads[0])


def test_entries_close_at_the_end_of_the_deadline_day(org, assessment_round, clock):
    """On 31 May an entry is taken; on 1 June it is refused, the unanswered items stay unanswered and the
    team may review the unit though it never submitted."""
    card = card_of(assessment_round, org.head_posts[0].unit)
    clock.move_to(datetime.datetime(2026, 5, 31, 23, 59, tzinfo=BEIJING))
    item_self_assess(
        score=score_of(card, "1.2"),
        answer=1,
        explanation="说明",
        files=[pdf_upload()],
        answered_by=org.heads[0],
    )
    clock.move_to(datetime.datetime(2026, 6, 1, 0, 1, tzinfo=BEIJING))
    with pytest.raises(RoundRefused) as refused:
        item_self_assess(
            score=score_of(card, "1.3"),
            answer=0,
            explanation="迟交",
            files=[pdf_upload()],
            answered_by=org.heads[0],
        )
    assert refused.value.code == "deadline" and "2026年5月31日" in str(refused.value)
    with pytest.raises(RoundRefused):
        unit_self_assessment_submit(unit_assessment=card, submitted_by=org.heads[0])
    assert score_of(card, "1.3").self_answer is None
    reviewed = unit_review_complete(unit_assessment=card, reviewed_by=org.inspector)
    # Unanswered items are approved at no points: 25 by the system + 5 for 1.2.
    assert reviewed.approved_points == Decimal("30.00")
    assert score_of(card, "1.3").approved_points == Decimal("0.00")


# --- Review and approval ---------------------------------------------------------------------------


def test_the_team_reviews_only_after_submission_and_gives_reasons_for_a_difference(org, assessment_round):
    card = card_of(assessment_round, org.head_posts[0].unit)
    with pytest.raises(RoundRefused) as refused:
        item_review(score=score_of(card, "1.2"), answer=1, reason="", reviewed_by=org.inspector)
    assert refused.value.code == "not_submitted"
    _self_assess_all(card, org.heads[0])
    unit_self_assessment_submit(unit_assessment=card, submitted_by=org.heads[0])
    with pytest.raises(RoundRefused) as refused:
        item_review(score=score_of(card, "1.3"), answer=3, reason=" ", reviewed_by=org.inspector)
    assert refused.value.code == "reason"
    same = item_review(score=score_of(card, "1.2"), answer=1, reason="", reviewed_by=org.office_admin)
    assert same.approved_points == Decimal("5.00") and same.reason == ""
    lower = item_review(
        score=score_of(card, "1.3"), answer=3, reason="谈话记录只见3次。", reviewed_by=org.inspector
    )
    assert lower.approved_points == Decimal("4.00")
    event = assessment_round.events.filter(kind=AssessmentEventKind.ITEM_REVIEWED).last()
    assert event.note == "谈话记录只见3次。" and event.payload["self_points"] == "8"
    assert "谈话记录只见3次。" in assessment_event_describe(event)
    for user in (org.secretary, org.heads[0], org.outsider):
        with pytest.raises(PermissionDenied):
            item_review(score=score_of(card, "1.3"), answer=0, reason="理由", reviewed_by=user)
    reviewed = unit_review_complete(unit_assessment=card, reviewed_by=org.inspector)
    assert reviewed.status == UnitAssessmentStatus.REVIEWED
    # 25 + 5 + 4, bonus 6 capped at 5.
    assert reviewed.approved_points == Decimal("39.00") and reviewed.self_points == Decimal("43.00")
    completed = assessment_round.events.get(kind=AssessmentEventKind.REVIEW_COMPLETED)
    assert completed.payload["adopted"] == 5 and completed.payload["points"] == "39"
    assert not ItemScore.objects.filter(unit_assessment=card, approved_points__isnull=True).exists()
    # A correction before the approval keeps the total.
    item_review(score=score_of(card, "1.3"), answer=1, reason="补充材料后认可。", reviewed_by=org.inspector)
    card.refresh_from_db()
    assert card.approved_points == Decimal("43.00")
    with pytest.raises(RoundRefused):
        unit_review_complete(unit_assessment=card, reviewed_by=org.inspector)


def test_the_party_group_approves_once_every_unit_is_reviewed_and_then_nothing_changes(org, assessment_round):
    first, second = (card_of(assessment_round, post.unit) for post in org.head_posts)
    _self_assess_all(first, org.heads[0])
    unit_self_assessment_submit(unit_assessment=first, submitted_by=org.heads[0])
    unit_review_complete(unit_assessment=first, reviewed_by=org.inspector)
    with pytest.raises(RoundRefused) as refused:
        round_approve(assessment_round=assessment_round, approved_by=org.secretary)
    assert refused.value.code == "not_reviewed" and second.unit.name in str(refused.value)
    _self_assess_all(second, org.heads[1])
    unit_self_assessment_submit(unit_assessment=second, submitted_by=org.heads[1])
    unit_review_complete(unit_assessment=second, reviewed_by=org.office_admin)
    for user in (org.office_admin, org.inspector, org.heads[0]):
        with pytest.raises(PermissionDenied):
            round_approve(assessment_round=assessment_round, approved_by=user)
    approved = round_approve(assessment_round=assessment_round, approved_by=org.secretary)
    assert approved.status == RoundStatus.APPROVED and approved.approved_by == org.secretary
    event = assessment_round.events.get(kind=AssessmentEventKind.ROUND_APPROVED)
    assert event.payload["units"] == [[first.unit_id, "43", "好"], [second.unit_id, "43", "好"]]
    assert len(event.digest) == 64
    with pytest.raises(RoundRefused):
        round_approve(assessment_round=assessment_round, approved_by=org.secretary)
    with pytest.raises(RoundRefused) as refused:
        item_review(score=score_of(first, "1.3"), answer=0, reason="事后改分", reviewed_by=org.inspector)
    assert refused.value.code == "approved"
    with pytest.raises(RoundRefused):
        round_indicators_count(assessment_round=assessment_round, counted_by=org.office_admin)
    assert chain_verify(AUDIT_CHAINS["assessment"]) is None
    sentences = [assessment_event_describe(event) for event in assessment_round.events.all()]
    assert all(sentence and "{" not in sentence for sentence in sentences)


# --- The count, in the background -------------------------------------------------------------------


def test_opening_a_round_asks_a_task_to_count_and_the_task_counts_once(
    org, published, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assessment_round = round_open(data=_round_input(org, published), opened_by=org.office_admin)
    assert len(queued) == 1  # the count task, sent once the round is stored
    assert assessment_round.is_counting and assessment_round.count_progress == 0
    card = card_of(assessment_round, org.head_posts[0].unit)
    assert score_of(card, "1.1").self_answer is None and card.self_points == 0

    assert round_indicators_run(round_id=assessment_round.pk) is True

    assessment_round.refresh_from_db()
    assert not assessment_round.is_counting and assessment_round.count_progress == 100
    assert score_of(card, "1.1").self_points == Decimal("10.00")
    counted_event = assessment_round.events.get(kind=AssessmentEventKind.INDICATORS_COUNTED)
    assert counted_event.actor == org.office_admin
    # The message arrives again (a redelivery, a requeue): nothing more is written.
    assert round_indicators_run(round_id=assessment_round.pk) is False
    assert assessment_round.events.filter(kind=AssessmentEventKind.INDICATORS_COUNTED).count() == 1


def test_while_counting_a_recount_and_the_approval_wait(org, published, clock):
    assessment_round = round_open(data=_round_input(org, published), opened_by=org.office_admin)
    with pytest.raises(RoundRefused) as refused:
        round_indicators_count(assessment_round=assessment_round, counted_by=org.office_admin)
    assert refused.value.code == "counting"
    with pytest.raises(RoundRefused) as refused:
        round_approve(assessment_round=assessment_round, approved_by=org.secretary)
    assert refused.value.code == "counting"


def test_a_count_whose_message_was_lost_is_queued_again(org, published, clock):
    from responsibility.assessment.requeue import round_counts_requeue

    assessment_round = round_open(data=_round_input(org, published), opened_by=org.office_admin)
    asked = assessment_round.count_requested_at
    now = asked + datetime.timedelta(minutes=10)

    assert round_counts_requeue(cutoff=asked, now=now) == 0  # not yet overdue
    assert round_counts_requeue(cutoff=asked + datetime.timedelta(seconds=1), now=now) == 1

    assessment_round.refresh_from_db()
    assert assessment_round.count_requested_at == now and assessment_round.is_counting
    assert round_indicators_run(round_id=assessment_round.pk) is True
