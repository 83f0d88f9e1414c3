"""Reminders whose send task was lost are queued again by core.requeue (the beat's every-minute task):
after STUCK_WORK_AFTER, not before; after a retry delay only once it is over by as much; a claim only
once it is silent for REMINDERS_CLAIM_TIMEOUT; once per wait. The clock is moved; the queued send tasks
are recorded, then run as a worker would."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from config.broker import REDIS_VISIBILITY_TIMEOUT_SECONDS
from core.requeue import stuck_work_requeue
from responsibility.reminders.models import Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import (
    SendOutcome,
    reminder_send,
    reminders_send_batch,
    reminders_sweep,
)
from responsibility.reminders.tasks import reminders_send
from tests.responsibility.reminders.conftest import SEVEN_DAYS_BEFORE, at
from tests.responsibility.reminders.mail_backends import ScriptedBackend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_queue_empty")]

MINUTE = datetime.timedelta(minutes=1)
SWEPT_AT = at(SEVEN_DAYS_BEFORE)


@pytest.fixture
def queued(monkeypatch) -> list[list[int]]:
    """The send tasks queued (their reminder ids), instead of messages to a broker no worker reads here."""
    sent: list[list[int]] = []
    monkeypatch.setattr(reminders_send, "delay_on_commit", lambda *, reminder_ids: sent.append(reminder_ids))
    return sent


@pytest.fixture
def lost(clock, issued_letters, queued) -> Reminder:
    """The first signer's 7-day reminder, queued by the sweep; the message then lost with the broker."""
    clock.move_to(SWEPT_AT, tick=False)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)
    assert queued and all(queued)
    queued.clear()
    return Reminder.objects.filter(kind=ReminderKind.LETTER_UNSIGNED).order_by("pk").first()


def requeue_at(clock, moment: datetime.datetime) -> int:
    clock.move_to(moment, tick=False)
    return stuck_work_requeue()["reminders"]


def queued_ids(queued: list[list[int]]) -> list[int]:
    return [pk for ids in queued for pk in ids]


def test_a_reminder_whose_send_task_was_lost_is_queued_again_after_the_wait_and_sent(clock, lost, queued):
    # when the beat runs within STUCK_WORK_AFTER of the sweep, nothing is queued; after it, the reminder is
    swept = Reminder.objects.count()  # the signers' reminders and the day's digests
    assert requeue_at(clock, SWEPT_AT + settings.STUCK_WORK_AFTER - MINUTE / 2) == 0
    assert requeue_at(clock, SWEPT_AT + settings.STUCK_WORK_AFTER + MINUTE / 2) == swept
    assert lost.pk in queued_ids(queued)

    # then the worker sends them, and they are never queued again
    reminders_send_batch(reminder_ids=queued_ids(queued))
    assert Reminder.objects.get(pk=lost.pk).status == ReminderStatus.SENT
    assert requeue_at(clock, SWEPT_AT + datetime.timedelta(hours=5)) == 0
    assert len(mail.outbox) == swept


def test_the_requeue_queues_a_reminder_once_per_wait(clock, lost, queued):
    # when the beat runs every minute while the reminder's messages keep being lost
    wait = settings.STUCK_WORK_AFTER
    swept = Reminder.objects.count()
    counts = [requeue_at(clock, SWEPT_AT + wait + n * MINUTE + MINUTE / 2) for n in range(6)]

    # then it is queued once after each full wait since it was last queued, not at every run
    assert counts == [swept, 0, 0, swept, 0, 0]
    assert queued_ids(queued).count(lost.pk) == 2


def test_a_reminder_waiting_for_its_retry_delay_is_not_queued_before_it_is_over(
    clock, lost, queued, settings
):
    # given its second attempt failed for a passing reason: it waits twice the first delay (here 10 min)
    settings.REMINDERS_RETRY_DELAY = 10 * MINUTE
    settings.EMAIL_BACKEND = "tests.responsibility.reminders.mail_backends.ScriptedBackend"
    ScriptedBackend.errors = [smtplib.SMTPServerDisconnected("dropped")] * 2
    assert reminder_send(reminder=lost) == SendOutcome.RETRY
    failed_at = SWEPT_AT + settings.REMINDERS_RETRY_DELAY
    clock.move_to(failed_at, tick=False)
    assert reminder_send(reminder=lost) == SendOutcome.RETRY
    lost.refresh_from_db()
    assert lost.retry_at == failed_at + 20 * MINUTE

    # when the beat runs past STUCK_WORK_AFTER since it was queued, while its delay runs
    requeue_at(clock, failed_at + settings.STUCK_WORK_AFTER + MINUTE / 2)

    # then it is not queued, and a message that reaches a worker early sends nothing: the claim waits too
    assert lost.pk not in queued_ids(queued)
    assert reminder_send(reminder=lost) == SendOutcome.SKIPPED

    # and when its delay is over, its retry message has STUCK_WORK_AFTER to arrive before it is queued again
    requeue_at(clock, lost.retry_at + settings.STUCK_WORK_AFTER - MINUTE / 2)
    assert lost.pk not in queued_ids(queued)
    requeue_at(clock, lost.retry_at + settings.STUCK_WORK_AFTER + MINUTE / 2)
    assert queued_ids(queued).count(lost.pk) == 1
    assert reminder_send(reminder=lost) == SendOutcome.SENT
    ScriptedBackend.errors = []


def test_an_abandoned_claim_is_claimed_again_after_the_claim_timeout(clock, lost, queued):
    # given a send that claimed the reminder and died with its worker before the mail server answered
    with (
        mock.patch("responsibility.reminders.services.mail.EmailMultiAlternatives.send", _worker_dies),
        pytest.raises(SystemExit),
    ):
        reminder_send(reminder=lost)
    lost.refresh_from_db()
    assert lost.status == ReminderStatus.SENDING

    # when the beat runs before the claim timeout, nothing is queued and a send of it is skipped
    timeout = settings.REMINDERS_CLAIM_TIMEOUT
    requeue_at(clock, SWEPT_AT + timeout - MINUTE / 2)
    assert lost.pk not in queued_ids(queued)
    assert reminder_send(reminder=lost) == SendOutcome.SKIPPED

    # then after it, it is queued again, once per wait, and the next send claims it and sends it
    requeue_at(clock, SWEPT_AT + timeout + MINUTE / 2)
    requeue_at(clock, SWEPT_AT + timeout + 3 * MINUTE / 2)
    assert queued_ids(queued).count(lost.pk) == 1
    assert reminder_send(reminder=lost) == SendOutcome.SENT
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == (ReminderStatus.SENT, 2)
    assert len(mail.outbox) == 1


def _worker_dies(*args, **kwargs):
    raise SystemExit("killed")


def test_a_queued_message_whose_reminders_are_done_costs_one_query(lost, django_assert_num_queries, clock):
    reminder_send(reminder=lost)

    with django_assert_num_queries(1):
        retry = reminders_send_batch(reminder_ids=[lost.pk])
    assert retry.ids == []


def test_recovery_after_a_fault_takes_at_most_3_minutes_in_production():
    """The production figures: a lost message waits STUCK_WORK_AFTER, a dead send REMINDERS_CLAIM_TIMEOUT,
    then at most the beat's minute; a live send cannot outlast its claim; a retry's countdown stays below
    Redis's visibility timeout."""
    from config.settings import base

    beat = next(
        entry["schedule"]
        for entry in base.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "responsibility.tasks.stuck_work_requeue"
    )
    wait, claim_timeout = base.STUCK_WORK_AFTER, base.REMINDERS_CLAIM_TIMEOUT
    email_timeout = base.EMAIL_TIMEOUT
    three_minutes = datetime.timedelta(minutes=3)
    assert beat.remaining_estimate(timezone.now()) <= MINUTE
    assert wait + MINUTE <= three_minutes
    assert claim_timeout + MINUTE <= three_minutes
    # a send is at most a dozen blocking steps, each failing after EMAIL_TIMEOUT (config/settings/base.py)
    assert claim_timeout >= 12 * datetime.timedelta(seconds=email_timeout)
    longest_countdown = base.REMINDERS_RETRY_MAX_DELAY
    assert longest_countdown < datetime.timedelta(seconds=REDIS_VISIBILITY_TIMEOUT_SECONDS)
