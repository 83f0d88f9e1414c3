"""Reminders of talks through the ledger: a planned talk reminds its talker by its planned date until its
record is written; a record reminds the person talked to until they answer."""

import datetime

import pytest
import time_machine
from django.core import mail

from responsibility.duties.models import Talk
from responsibility.duties.services.talks import talk_answer
from responsibility.reminders.models import Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import reminder_send, reminders_sweep
from tests.responsibility.duties.talks.conftest import TODAY, attestation, planned, recorded

pytestmark = pytest.mark.django_db


def rows(kind) -> list[tuple]:
    return sorted(
        Reminder.objects.filter(kind=kind).values_list("object_key", "recipient_id", "due_period", "status")
    )


def sweep(day: datetime.date):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(8, 0)), tick=False):
        return reminders_sweep(today=day)


def test_a_planned_talk_reminds_its_talker_until_its_record_is_written(head, chief):
    # given a talk planned for a Friday a week ahead
    talk = planned(head, chief, on=TODAY + datetime.timedelta(days=7))  # 2026-05-22

    # when the sweep runs three days before it
    sweep(TODAY + datetime.timedelta(days=4))

    # then the talker is reminded, in Chinese, of the talk and its day
    [(key, recipient, period, status)] = rows(ReminderKind.TALK_PLANNED)
    assert (key, recipient, period) == (f"talk:{talk.pk}", head.pk, "before-3")
    reminder = Reminder.objects.get(kind=ReminderKind.TALK_PLANNED)
    reminder_send(reminder=reminder)

    [email] = mail.outbox
    assert email.to == [head.email]
    assert "日常廉政谈话" in email.subject and chief.get_full_name() in email.subject
    assert f"/talks/{talk.pk}/" in email.body

    # and once the record is written, no further reminder of the plan is due, and the person talked to is
    recorded(talk)
    sweep(TODAY + datetime.timedelta(days=6))
    assert [row[2] for row in rows(ReminderKind.TALK_PLANNED)] == ["before-3"]
    assert [row[1] for row in rows(ReminderKind.TALK_TO_ANSWER)] == [chief.pk]


def test_an_answer_closes_the_reminder_of_the_record(head, chief):
    # given a record whose reminder to the person talked to is waiting to be sent
    talk = recorded(planned(head, chief))
    sweep(TODAY + datetime.timedelta(days=6))
    [reminder] = Reminder.objects.filter(kind=ReminderKind.TALK_TO_ANSWER)
    assert reminder.status == ReminderStatus.PENDING
    assert reminder.due_period == "before-1"  # asked to answer within 7 days of the record

    # when they confirm it
    talk = Talk.objects.get(pk=talk.pk)
    talk_answer(
        talk=talk, answered_by=chief, confirm=True, attestation=attestation(), expected_version=talk.version
    )

    # then the reminder is not needed any more
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.CANCELLED


def test_the_reminder_of_a_record_asks_the_person_talked_to_in_chinese(head, chief):
    recorded(planned(head, chief))
    sweep(TODAY + datetime.timedelta(days=6))
    reminder = Reminder.objects.get(kind=ReminderKind.TALK_TO_ANSWER)

    reminder_send(reminder=reminder)

    [email] = mail.outbox
    assert email.to == [chief.email]
    assert email.subject == f"请于2026年5月22日前确认{head.get_full_name()}与您进行的日常廉政谈话的谈话记录"
