"""Integrity talks through their services: plan, record, confirm or disagree, cancel; what each refuses
(with a clear message, nothing changed); and the duty task period a confirmed talk carries out."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from responsibility.duties.audit import duty_chain_verify
from responsibility.duties.models import (
    DutyEvent,
    DutyEventKind,
    PerformanceRecord,
    Talk,
    TalkStatus,
    TaskOccurrence,
)
from responsibility.duties.services.talks import (
    TalkAttestation,
    TalkPlanInput,
    TalkRecordInput,
    talk_answer,
    talk_cancel,
    talk_plan,
    talk_record,
)
from tests.responsibility.duties.talks.conftest import (
    TODAY,
    attestation,
    confirmed,
    kind,
    planned,
    recorded,
    talk_period,
)

pytestmark = pytest.mark.django_db


def talk_events(talk: Talk) -> list[DutyEvent]:
    return list(DutyEvent.objects.filter(subject=f"talk:{talk.pk}").order_by("sequence"))


def test_a_confirmed_talk_carries_out_its_duty_period(duties, head, chief):
    # given a talk planned for the head's period of the common talk task, held and recorded
    period = talk_period(duties.head_assignment)
    talk = recorded(planned(head, chief, occurrence=period))
    assert TaskOccurrence.objects.get(pk=period.pk).done_at is None

    # when the person talked to confirms the record
    done = confirmed(talk)

    # then the talk is confirmed, and the period done by a record the talk keeps, in the head's name
    assert done.status == TalkStatus.CONFIRMED
    assert done.reauthenticated_at is not None and done.ip_address == "127.0.0.1"
    assert TaskOccurrence.objects.get(pk=period.pk).done_at is not None
    record = PerformanceRecord.objects.get(talk=done)
    assert (record.occurrence_id, record.recorded_by, record.performed_on) == (period.pk, head, TODAY)
    name = chief.get_full_name()
    assert record.summary == f"与{name}进行日常廉政谈话（地点：三楼会议室），谈话记录已经{name}确认。"
    assert record.participants == chief.get_full_name()
    # and every step is in the duty chain, the record's events carrying its SHA-256, the chain intact
    assert [event.kind for event in talk_events(done)] == [
        DutyEventKind.TALK_PLANNED,
        DutyEventKind.TALK_RECORDED,
        DutyEventKind.TALK_CONFIRMED,
    ]
    assert talk_events(done)[-1].digest == done.record_digest()
    kept = DutyEvent.objects.get(subject=f"record:{record.pk}")
    assert (kept.kind, kept.assignment_id, kept.payload["talk"]) == (
        DutyEventKind.RECORD_CREATED,
        duties.head_assignment.pk,
        done.pk,
    )
    assert duty_chain_verify() is None


def test_a_talk_events_are_not_on_the_assignment_history(duties, head, chief):
    # given a talk of the head, confirmed without a duty period
    confirmed(recorded(planned(head, chief)))

    # then the assignment's history (read by the office and the unit's staff) holds none of its events
    assert not DutyEvent.objects.filter(
        assignment=duties.head_assignment, subject__startswith="talk:"
    ).exists()


def test_a_disagreement_lets_the_talker_write_the_record_again_and_history_keeps_both(duties, head, chief):
    # given a recorded talk the person talked to disagrees with
    talk = recorded(planned(head, chief), points="只谈了业务工作。")
    talk = talk_answer(
        talk=talk,
        answered_by=chief,
        confirm=False,
        disagreement="记录未写明我提出的意见。",
        attestation=attestation(),
        expected_version=talk.version,
    )
    assert (talk.status, talk.disagreement) == (TalkStatus.DISPUTED, "记录未写明我提出的意见。")

    # when the talker writes it again and it is confirmed
    again = confirmed(recorded(talk, points="谈了业务工作，并记录了对方意见。"))

    # then it stands confirmed with the new text; the chain keeps the first text and the disagreement
    assert again.points == "谈了业务工作，并记录了对方意见。" and again.disagreement == ""
    events = talk_events(again)
    assert [event.kind for event in events] == [
        DutyEventKind.TALK_PLANNED,
        DutyEventKind.TALK_RECORDED,
        DutyEventKind.TALK_DISPUTED,
        DutyEventKind.TALK_RECORDED,
        DutyEventKind.TALK_CONFIRMED,
    ]
    assert events[1].payload["points"] == "只谈了业务工作。"
    assert events[2].note == "记录未写明我提出的意见。"
    assert events[3].payload["again"] is True


def test_a_planned_talk_is_cancelled_with_its_reason(head, chief):
    talk = planned(head, chief)

    cancelled = talk_cancel(talk=talk, cancelled_by=head, reason="对方调离。", expected_version=talk.version)

    assert (cancelled.status, cancelled.cancel_reason) == (TalkStatus.CANCELLED, "对方调离。")
    assert talk_events(cancelled)[-1].kind == DutyEventKind.TALK_CANCELLED


# --- Refused, with a clear message and nothing changed -----------------------------------------------


def plan_refused(talker, **changes) -> str:
    data = {
        "kind": kind(),
        "talked_to": None,
        "planned_on": TODAY,
        "purpose": "",
        "occurrence": None,
        **changes,
    }
    before = Talk.objects.count()
    with pytest.raises(ApplicationError) as refused:
        talk_plan(talker=talker, data=TalkPlanInput(**data))
    assert Talk.objects.count() == before
    return str(refused.value)


def test_a_talk_with_oneself_is_refused(head):
    assert plan_refused(head, talked_to=head) == "谈话须与他人进行，不能与自己谈话。"


def test_a_talk_with_someone_outside_the_units_of_the_talker_is_refused(duties, head):
    other_head = duties.org.heads[1]
    assert plan_refused(head, talked_to=other_head) == "只能与您所在或分管单位的人员谈话。"


def test_the_inspection_team_may_talk_with_any_cadre(duties):
    talk = planned(duties.org.inspector, duties.org.heads[1], kind_name="约谈")
    assert talk.talker == duties.org.inspector


def test_a_talk_for_a_period_of_someone_else_is_refused(duties, head, chief):
    deputy_period = talk_period(duties.deputy_assignment)
    message = plan_refused(head, talked_to=chief, occurrence=deputy_period)
    assert message == "谈话只能用于完成您本人尚未完成的履责任务。"


def test_someone_who_holds_no_leading_post_cannot_plan_a_talk(duties, chief, head):
    with pytest.raises(PermissionDenied):
        talk_plan(
            talker=duties.org.outsider, data=TalkPlanInput(kind=kind(), talked_to=head, planned_on=TODAY)
        )


def test_a_talk_dated_in_the_future_is_refused(head, chief):
    talk = planned(head, chief)
    with pytest.raises(ApplicationError) as refused:
        recorded(talk, on=TODAY + datetime.timedelta(days=1))
    assert str(refused.value) == "谈话日期不能晚于今天。"
    assert Talk.objects.get(pk=talk.pk).status == TalkStatus.PLANNED


def test_a_record_without_points_is_refused(head, chief):
    talk = planned(head, chief)
    with pytest.raises(ApplicationError) as refused:
        recorded(talk, points="   ")
    assert str(refused.value) == "请填写谈话要点。"
    assert Talk.objects.get(pk=talk.pk).recorded_at is None


def test_only_the_talker_writes_the_record(head, chief):
    talk = planned(head, chief)
    with pytest.raises(PermissionDenied):
        talk_record(
            talk=talk,
            recorded_by=chief,
            data=TalkRecordInput(held_on=TODAY, place="会议室", points="要点"),
            expected_version=talk.version,
        )


@pytest.mark.parametrize("who", ["talker", "other"])
def test_confirming_someone_else_talk_is_refused(duties, head, chief, who):
    talk = recorded(planned(head, chief))
    answerer = head if who == "talker" else duties.org.staff[0]
    with pytest.raises(PermissionDenied):
        talk_answer(
            talk=talk,
            answered_by=answerer,
            confirm=True,
            attestation=attestation(),
            expected_version=talk.version,
        )
    assert Talk.objects.get(pk=talk.pk).status == TalkStatus.RECORDED


@pytest.mark.parametrize(
    ("confirmed_at", "message"),
    [
        (None, "请输入登录密码以确认身份。"),
        (
            datetime.datetime(2026, 5, 15, 9, 54, tzinfo=datetime.UTC),
            "身份确认已过期（有效期 5 分钟），请重新输入登录密码。",
        ),
    ],
    ids=["never", "expired"],
)
def test_an_answer_without_a_fresh_identity_check_is_refused(head, chief, confirmed_at, message):
    talk = recorded(planned(head, chief))
    stale = TalkAttestation(reauthenticated_at=confirmed_at, ip_address=None, user_agent="")
    with pytest.raises(ApplicationError) as refused:
        talk_answer(
            talk=talk, answered_by=chief, confirm=True, attestation=stale, expected_version=talk.version
        )
    assert str(refused.value) == message
    assert Talk.objects.get(pk=talk.pk).status == TalkStatus.RECORDED


def test_a_disagreement_without_words_is_refused(head, chief):
    talk = recorded(planned(head, chief))
    with pytest.raises(ApplicationError) as refused:
        talk_answer(
            talk=talk,
            answered_by=chief,
            confirm=False,
            disagreement=" ",
            attestation=attestation(),
            expected_version=talk.version,
        )
    assert str(refused.value) == "请说明您对记录的哪些内容有异议。"


def test_a_second_answer_is_refused(head, chief):
    talk = confirmed(recorded(planned(head, chief)))
    with pytest.raises(ApplicationError) as refused:
        talk_answer(
            talk=talk,
            answered_by=chief,
            confirm=False,
            disagreement="再改",
            attestation=attestation(),
            expected_version=talk.version,
        )
    assert str(refused.value) == "该谈话已确认，没有等待您答复的记录。"


def test_a_talk_recorded_or_confirmed_cannot_be_cancelled(head, chief):
    talk = recorded(planned(head, chief))
    with pytest.raises(ApplicationError) as refused:
        talk_cancel(talk=talk, cancelled_by=head, reason="不谈了", expected_version=talk.version)
    assert str(refused.value) == "只能取消尚未进行的谈话；该谈话待确认。"
