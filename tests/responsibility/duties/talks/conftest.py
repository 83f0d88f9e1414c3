"""Integrity talks on top of the year's 一岗双责 (tests/responsibility/duties/conftest.py): the first
committee's head holds talks with the people of the committee, whose 法规处 is below it."""

import datetime

import pytest
from django.utils import timezone

from responsibility.duties.models import Talk, TalkKind, TaskOccurrence
from responsibility.duties.services.talks import (
    TalkAttestation,
    TalkPlanInput,
    TalkRecordInput,
    talk_answer,
    talk_plan,
    talk_record,
)
from tests.responsibility.duties.conftest import TODAY

TALK_TASK = "与分管单位负责人开展廉政谈话"


def kind(name: str = "日常廉政谈话") -> TalkKind:
    return TalkKind.objects.get(name=name)


def attestation(*, confirmed_at=None) -> TalkAttestation:
    """What the person talked to sends after re-entering their password just now."""
    return TalkAttestation(
        reauthenticated_at=confirmed_at or timezone.now(), ip_address="127.0.0.1", user_agent="pytest"
    )


def talk_period(assignment) -> TaskOccurrence:
    """The leader's first open period of the common talk task."""
    return (
        TaskOccurrence.objects.open()
        .filter(task__assignment=assignment, task__title=TALK_TASK)
        .order_by("due_date")
        .first()
    )


def planned(
    talker, talked_to, *, occurrence=None, on: datetime.date = TODAY, kind_name="日常廉政谈话"
) -> Talk:
    return talk_plan(
        talker=talker,
        data=TalkPlanInput(
            kind=kind(kind_name),
            talked_to=talked_to,
            planned_on=on,
            purpose="半年廉政谈话",
            occurrence=occurrence,
        ),
    )


def recorded(talk: Talk, *, on: datetime.date = TODAY, points="强调落实中央八项规定精神。") -> Talk:
    talk = Talk.objects.get(pk=talk.pk)
    return talk_record(
        talk=talk,
        recorded_by=talk.talker,
        data=TalkRecordInput(held_on=on, place="三楼会议室", points=points, commitments="严格执行报告制度。"),
        expected_version=talk.version,
    )


def confirmed(talk: Talk) -> Talk:
    talk = Talk.objects.get(pk=talk.pk)
    return talk_answer(
        talk=talk,
        answered_by=talk.talked_to,
        confirm=True,
        attestation=attestation(),
        expected_version=talk.version,
    )


@pytest.fixture
def head(duties):
    return duties.org.heads[0]


@pytest.fixture
def chief(duties):
    """法规处处长: below the head's committee."""
    return duties.org.staff[1]
