"""Reminders of 述责述廉 through the ledger: a report not yet submitted reminds its leader by the round's
deadline; an unspent ballot reminds its rater by the day the rating closes, and casting it (or the rating
closing) ends the reminder."""

import datetime

import pytest
import time_machine
from django.core import mail

from responsibility.cadres.models import Grade
from responsibility.cadres.services import ballot_cast, rating_close
from responsibility.reminders.models import Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import reminder_send, reminders_sweep
from tests.responsibility.cadres.conftest import CLOSES_ON, DEADLINE, rating_opened, submitted

pytestmark = pytest.mark.django_db


def report_of(cadres, leader):
    return cadres.round.reports.get(leader=leader)


def sweep(day: datetime.date):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(8, 0)), tick=False):
        reminders_sweep(today=day)


def test_a_report_not_submitted_reminds_its_leader_in_chinese(cadres):
    # given the head's report still a draft, and another leader's submitted
    submitted(report_of(cadres, cadres.duties.org.staff[0]))

    # when the sweep runs the Friday before the deadline
    sweep(DEADLINE - datetime.timedelta(days=4))  # a Friday

    # then every leader but the one who submitted is reminded, the head among them, in Chinese
    recipients = set(
        Reminder.objects.filter(kind=ReminderKind.INTEGRITY_REPORT_DUE).values_list("recipient_id", flat=True)
    )
    assert cadres.head.pk in recipients and cadres.duties.org.staff[0].pk not in recipients
    reminder = Reminder.objects.get(kind=ReminderKind.INTEGRITY_REPORT_DUE, recipient=cadres.head)
    reminder_send(reminder=reminder)
    [email] = mail.outbox
    assert email.subject == "提醒：请于2026年6月30日前提交2026年度领导干部述责述廉报告"


def test_an_unspent_ballot_reminds_its_rater_until_it_is_cast(cadres):
    report = rating_opened(cadres)
    first, second = cadres.raters[:2]

    sweep(CLOSES_ON - datetime.timedelta(days=3))
    reminders = Reminder.objects.filter(kind=ReminderKind.RATING_BALLOT_OPEN)
    assert reminders.count() == len(cadres.raters)
    assert {reminder.object_key for reminder in reminders} == {f"rating:{report.pk}"}

    # when one rater casts their ballot
    ballot_cast(report=report, rater=first, grades=[Grade.GOOD] * 4)

    # then their reminder is not needed any more; the others' still are, until the rating closes
    assert reminders.get(recipient=first).status == ReminderStatus.CANCELLED
    assert reminders.get(recipient=second).status == ReminderStatus.PENDING
    rating_close(report=report, closed_by=cadres.duties.org.office_admin, expected_version=report.version)
    assert reminders.get(recipient=second).status == ReminderStatus.CANCELLED


def test_the_reminder_of_a_ballot_names_the_leader_and_the_day(cadres):
    rating_opened(cadres)
    sweep(CLOSES_ON - datetime.timedelta(days=1))
    reminder = Reminder.objects.filter(kind=ReminderKind.RATING_BALLOT_OPEN).first()

    reminder_send(reminder=reminder)

    [email] = mail.outbox
    assert email.subject == f"请于2026年5月22日前对{cadres.head.get_full_name()}进行民主测评"
    assert "任何人都无法知道您投了什么票" in email.body
