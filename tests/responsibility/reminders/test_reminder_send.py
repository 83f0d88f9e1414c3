"""Sending a reminder: claim, check it is still needed, notify in the app, email, mark sent."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from responsibility.letters.services.letters import letter_sign
from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import (
    MAX_ATTEMPTS,
    SendOutcome,
    reminder_send,
    reminders_send_batch,
    reminders_sweep,
)
from responsibility.reminders.tasks import reminders_send
from tests.conftest import attestation_for
from tests.responsibility.reminders.conftest import SEVEN_DAYS_BEFORE, at
from tests.responsibility.reminders.mail_backends import ScriptedBackend

pytestmark = pytest.mark.django_db

SCRIPTED = "tests.responsibility.reminders.mail_backends.ScriptedBackend"


@pytest.fixture
def scripted_mail(settings):
    settings.EMAIL_BACKEND = SCRIPTED
    ScriptedBackend.errors = []
    ScriptedBackend.opened = 0
    yield ScriptedBackend
    ScriptedBackend.errors = []


@pytest.fixture
def due(clock, issued_letters) -> list[Reminder]:
    """The signers' 7-day reminders, created by the sweep on their day."""
    clock.move_to(at(SEVEN_DAYS_BEFORE), tick=False)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)
    return list(Reminder.objects.filter(kind=ReminderKind.LETTER_UNSIGNED).order_by("pk"))  # as sent


def test_reminder_send_emails_the_signer_with_a_stable_message_id_and_marks_it_sent(
    due, issued_letters, settings
):
    # given the reminder of the first letter
    reminder = next(r for r in due if r.object_key == f"letter:{issued_letters[0].pk}")
    letter = issued_letters[0]

    # when
    outcome = reminder_send(reminder=reminder)

    # then the signer got one email, in Chinese, with text and HTML and a link to the letter
    assert outcome == SendOutcome.SENT
    [email] = mail.outbox
    assert email.to == [letter.signer.email]
    assert email.extra_headers["Message-ID"] == f"<reminder-{reminder.pk}@localhost>"
    assert letter.reference in email.subject and "签" in email.subject
    link = f"{settings.SITE_URL}/letters/{letter.pk}/"
    assert link in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html" and link in html
    # and the ledger row says so
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert reminder.sent_at is not None
    assert reminder.message_id == f"<reminder-{reminder.pk}@localhost>"
    assert reminder.attempts == 1
    # and the signer has one unread message in the app, linking to the letter
    [notification] = Notification.objects.filter(recipient=letter.signer)
    assert notification.reminder_id == reminder.pk
    assert notification.url == f"/letters/{letter.pk}/"
    assert notification.read_at is None


def test_reminder_send_twice_sends_one_email_and_one_notification(due):
    # when the same reminder is sent twice (a task delivered twice)
    first = reminder_send(reminder=due[0])
    second = reminder_send(reminder=due[0])

    # then
    assert (first, second) == (SendOutcome.SENT, SendOutcome.SKIPPED)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(reminder=due[0]).count() == 1


def test_reminder_send_reclaims_a_send_that_died_without_a_second_notification(due, clock, settings):
    # given a send that claimed the reminder, created the notification, and died before finishing
    reminder = due[0]
    with (
        mock.patch(
            "responsibility.reminders.services.mail.EmailMultiAlternatives.send", side_effect=SystemExit
        ),
        pytest.raises(SystemExit),
    ):
        reminder_send(reminder=reminder)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENDING
    assert Notification.objects.filter(reminder=reminder).count() == 1

    # when another send tries before, and after, the claim timeout
    before = reminder_send(reminder=reminder)
    clock.move_to(at(SEVEN_DAYS_BEFORE) + settings.REMINDERS_CLAIM_TIMEOUT + datetime.timedelta(seconds=1))
    after = reminder_send(reminder=reminder)

    # then only the later one sends, and the database still holds one notification
    assert (before, after) == (SendOutcome.SKIPPED, SendOutcome.SENT)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(reminder=reminder).count() == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 2)


def test_letter_sign_cancels_the_waiting_reminder_so_the_send_sends_nothing(due, issued_letters):
    # given the letter is signed after its reminder was created: signing cancels it (reminders_close_done)
    letter = issued_letters[0]
    letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    reminder = Reminder.objects.get(object_key=f"letter:{letter.pk}")
    assert reminder.status == ReminderStatus.CANCELLED

    # when its send task runs all the same
    outcome = reminder_send(reminder=reminder)

    # then nothing is sent and the ledger still says it was not needed
    assert outcome == SendOutcome.SKIPPED
    assert mail.outbox == []
    assert not Notification.objects.exists()
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.CANCELLED


def test_reminder_send_retries_a_transient_failure_then_marks_it_failed_with_the_reason(
    due, scripted_mail, clock, settings
):
    # given a mail server that drops the connection every time
    reminder = due[0]
    scripted_mail.errors = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")] * MAX_ATTEMPTS

    # when the send is tried MAX_ATTEMPTS times, each once its retry delay is over
    outcomes, delays = [], []
    for _ in range(MAX_ATTEMPTS):
        outcomes.append(reminder_send(reminder=reminder))
        reminder.refresh_from_db()
        if reminder.retry_at:
            delays.append(reminder.retry_at - timezone.now())
            assert reminder_send(reminder=reminder) == SendOutcome.SKIPPED  # not before its delay
            clock.move_to(reminder.retry_at, tick=False)

    # then it waits for another attempt each time but the last, which marks it failed with the reason
    assert outcomes == [SendOutcome.RETRY] * (MAX_ATTEMPTS - 1) + [SendOutcome.FAILED]
    # and the delay doubles with each attempt (1, 2, 4, 8, 16 minutes)
    assert delays == [settings.REMINDERS_RETRY_DELAY * 2**n for n in range(MAX_ATTEMPTS - 1)]
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.FAILED
    assert reminder.attempts == MAX_ATTEMPTS
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in reminder.last_error
    # and the in-app message exists once: the app channel does not depend on the mail server
    assert Notification.objects.filter(reminder=reminder).count() == 1
    assert reminder_send(reminder=reminder) == SendOutcome.SKIPPED


def test_reminder_send_marks_a_refused_address_failed_at_once(due, scripted_mail):
    scripted_mail.errors = [smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})]
    assert reminder_send(reminder=due[0]) == SendOutcome.FAILED
    due[0].refresh_from_db()
    assert (due[0].status, due[0].attempts) == (ReminderStatus.FAILED, 1)
    assert "SMTPRecipientsRefused" in due[0].last_error


def test_reminder_send_succeeds_after_a_transient_failure(due, scripted_mail, clock, settings):
    scripted_mail.errors = [ConnectionRefusedError(111, "Connection refused")]
    assert reminder_send(reminder=due[0]) == SendOutcome.RETRY
    clock.shift(settings.REMINDERS_RETRY_DELAY)
    assert reminder_send(reminder=due[0]) == SendOutcome.SENT
    due[0].refresh_from_db()
    assert (due[0].status, due[0].attempts, due[0].last_error) == (ReminderStatus.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_reminder_send_of_a_recipient_without_email_fails_but_notifies_in_the_app(due):
    recipient = due[0].recipient
    type(recipient).objects.filter(pk=recipient.pk).update(email="")
    assert reminder_send(reminder=due[0]) == SendOutcome.FAILED
    assert Notification.objects.filter(recipient=recipient).count() == 1


def test_reminders_send_batch_uses_one_mail_connection(due, scripted_mail):
    # when both reminders are sent by one task
    retry = reminders_send_batch(reminder_ids=[r.pk for r in due])

    # then both went out over one connection
    assert retry.ids == []
    assert len(mail.outbox) == 2
    assert scripted_mail.opened == 1


def test_reminders_send_task_retries_only_the_transient_failures_with_a_delay(due, scripted_mail):
    # given the first send of the batch fails with a dropped connection
    scripted_mail.errors = [smtplib.SMTPServerDisconnected("dropped")]
    ids = [r.pk for r in due]

    # when the task runs
    with (
        mock.patch.object(reminders_send, "retry", side_effect=RuntimeError("retry")) as retry,
        pytest.raises(RuntimeError),
    ):
        reminders_send.run(reminder_ids=ids)

    # then the second went out, and the task asks to retry the first alone, a minute later
    assert len(mail.outbox) == 1
    assert retry.call_args.kwargs["kwargs"] == {"reminder_ids": [ids[0]]}
    assert retry.call_args.kwargs["countdown"] == 60


def test_reminder_send_renders_every_kind_in_chinese(org, issued_letters, clock):
    # given a day with letter, countersignature and digest reminders due
    letter = issued_letters[0]
    letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    clock.move_to(at(SEVEN_DAYS_BEFORE), tick=False)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)

    # when all are sent
    reminders_send_batch(reminder_ids=list(Reminder.objects.values_list("pk", flat=True)))

    # then each kind went out, with a Chinese subject, and every one is marked sent
    # (rectification, measure, duty task and talk reminders need a finding, an assignment or a talk:
    # test_rectification_reminders.py, test_measure_reminders.py, test_duty_task_reminders.py and
    # duties/talks/test_talk_reminders.py render them; cadres/test_cadre_reminders.py the 述责述廉 ones)
    kinds = set(Reminder.objects.values_list("kind", flat=True))
    # (and the sealed PDF's message, test_letter_sealed_message.py)
    assert kinds == set(ReminderKind.values) - {
        ReminderKind.RECTIFICATION_DUE,
        ReminderKind.MEASURE_DUE,
        ReminderKind.DUTY_TASK_DUE,
        ReminderKind.TALK_PLANNED,
        ReminderKind.TALK_TO_ANSWER,
        ReminderKind.INTEGRITY_REPORT_DUE,
        ReminderKind.RATING_BALLOT_OPEN,
        ReminderKind.LETTER_SEALED,
    }
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.SENT}
    assert len(mail.outbox) == Reminder.objects.count()
    for email in mail.outbox:
        assert any("\u4e00" <= char <= "\u9fff" for char in email.subject), email.subject
        assert "{{" not in email.body and "{%" not in email.body
