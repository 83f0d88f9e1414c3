"""A countersigned letter, once sealed: its signer and its issuer get one message and one email each, with the
sealed PDF attached (linked above the size limit), through the reminder ledger: never lost, never doubled."""

import logging
from unittest import mock

import pytest
from django.core import mail

from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.services.documents import letter_document_attach, letter_document_download_name
from responsibility.letters.services.letters import letter_void
from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import SendOutcome, reminder_send, reminders_sweep
from responsibility.reminders.tasks import reminders_send
from tests.responsibility.archive_helpers import fake_render_install
from tests.responsibility.pdf.sealing import small_letter_pdf
from tests.responsibility.reminders.conftest import ISSUED_ON

pytestmark = pytest.mark.django_db

KIND = ReminderKind.LETTER_SEALED


@pytest.fixture
def document(pending_document) -> LetterDocument:
    return pending_document


@pytest.fixture
def fake_render(monkeypatch):
    return fake_render_install(monkeypatch)


def attach(document: LetterDocument, capture) -> tuple[LetterDocument, list[list[int]]]:
    """What the render task does, with the send tasks it queues once committed (their reminder ids)."""
    with mock.patch.object(reminders_send, "delay") as delay, capture(execute=True):
        attached = letter_document_attach(document=document)
    return attached, [call.kwargs["reminder_ids"] for call in delay.call_args_list]


def stored_bytes(document: LetterDocument) -> bytes:
    with document.file.storage.open(document.file.name, "rb") as stored:
        return stored.read()


def test_sealing_a_countersigned_letter_emails_the_signer_and_the_issuer_the_sealed_pdf_once_each(
    seal_settings, media_root, document, monkeypatch, django_capture_on_commit_callbacks, settings
):
    # given the letter's PDF rendered small (WeasyPrint at the edge) and sealed with the real seal
    letter = document.letter
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf",
        lambda *, letter, verification_code, anchor=None: small_letter_pdf(
            reference=letter.reference, title=letter.title, unit=letter.signer_unit.name, signer="签名人"
        ),
    )

    # when the render task stores the sealed PDF
    attached, queued = attach(document, django_capture_on_commit_callbacks)

    # then the ledger holds one message for each party, queued once, after the commit
    reminders = list(Reminder.objects.filter(kind=KIND).order_by("recipient_id"))
    assert sorted((r.recipient_id, r.object_key, r.due_period) for r in reminders) == sorted(
        [
            (letter.signer_id, f"letter:{letter.pk}", "sealed"),
            (letter.issuer_id, f"letter:{letter.pk}", "sealed"),
        ]
    )
    assert [sorted(ids) for ids in queued] == [sorted(r.pk for r in reminders)]
    assert all(r.campaign_id == letter.campaign_id for r in reminders)

    # when the send task runs
    reminders_send.run(reminder_ids=queued[0])

    # then each party has exactly one email, in Chinese, with the stored sealed PDF attached
    pdf = stored_bytes(attached)
    assert sorted(email.to[0] for email in mail.outbox) == sorted([letter.signer.email, letter.issuer.email])
    for email in mail.outbox:
        assert letter.reference in email.subject
        [(name, content, mimetype)] = email.attachments
        assert name == letter_document_download_name(letter=letter)
        assert mimetype == "application/pdf"
        assert content.startswith(b"%PDF") and content == pdf
        assert attached.verification_code in email.body
        assert f"{settings.SITE_URL}/verify/{attached.verification_code}/" in email.body
        assert f"/letters/{letter.pk}/pdf/" not in email.body  # attached, not linked
    assert b"/ByteRange" in pdf  # the organisation's seal (its verification: test_letter_document_attach.py)
    # and one unread message in the app each, linking to the letter
    for recipient in (letter.signer, letter.issuer):
        [notification] = Notification.objects.filter(recipient=recipient, kind=KIND)
        assert notification.url == f"/letters/{letter.pk}/"
        assert notification.object_key == f"letter:{letter.pk}"
        assert letter.reference in notification.title and notification.read_at is None
    assert set(Reminder.objects.filter(kind=KIND).values_list("status", flat=True)) == {ReminderStatus.SENT}


def test_a_sealed_pdf_above_the_size_limit_is_linked_instead_of_attached(
    fake_render, media_root, document, django_capture_on_commit_callbacks, settings
):
    # given a limit below the PDF's size
    settings.LETTER_EMAIL_ATTACHMENT_MAX_BYTES = 100
    attached, queued = attach(document, django_capture_on_commit_callbacks)
    assert attached.size > 100

    # when the messages are sent
    reminders_send.run(reminder_ids=queued[0])

    # then both emails link to the PDF (sign-in required) and carry no attachment
    link = f"{settings.SITE_URL}/letters/{document.letter_id}/pdf/"
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        assert email.attachments == []
        assert link in email.body
        [(html, _mimetype)] = email.alternatives
        assert f'href="{link}"' in html


def test_the_size_limit_is_inclusive(
    fake_render, media_root, document, django_capture_on_commit_callbacks, settings
):
    # given a limit of exactly the PDF's size
    attached, queued = attach(document, django_capture_on_commit_callbacks)
    settings.LETTER_EMAIL_ATTACHMENT_MAX_BYTES = attached.size

    # when sent, then attached
    reminders_send.run(reminder_ids=queued[0])
    assert [len(email.attachments) for email in mail.outbox] == [1, 1]


def test_a_retried_task_a_second_announcement_and_the_sweep_send_nothing_twice(
    fake_render, media_root, document, django_capture_on_commit_callbacks
):
    # given the PDF stored and its messages sent
    attached, queued = attach(document, django_capture_on_commit_callbacks)
    reminders_send.run(reminder_ids=queued[0])
    assert len(mail.outbox) == 2

    # when the render task is delivered again (the PDF is ready: announced again), the sweep runs, and the
    # send task is delivered again
    again, queued_again = attach(document, django_capture_on_commit_callbacks)
    with mock.patch.object(reminders_send, "delay"):
        swept = reminders_sweep(today=ISSUED_ON.date())
    reminders_send.run(reminder_ids=queued[0])

    # then no row, message or email was added
    assert again.status == DocumentStatus.READY and again.attempts == attached.attempts
    assert queued_again == []
    assert swept.created[KIND] == 0
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(kind=KIND).count() == 2
    assert Notification.objects.filter(kind=KIND).count() == 2


def test_a_lost_announcement_is_made_good_by_the_sweep(
    fake_render, media_root, document, django_capture_on_commit_callbacks, caplog
):
    # given the PDF stored while the ledger could not be written (the listener failed: logged, not raised)
    with (
        mock.patch(
            "responsibility.reminders.sources.reminders_add", side_effect=RuntimeError("database away")
        ),
        caplog.at_level(logging.ERROR, logger="responsibility.letters.listeners"),
    ):
        attached, queued = attach(document, django_capture_on_commit_callbacks)
    assert attached.status == DocumentStatus.READY
    assert queued == [] and not Reminder.objects.filter(kind=KIND).exists()
    assert "listener of sealed letter PDFs failed" in caplog.text

    # when the sweep runs that day
    with (
        mock.patch.object(reminders_send, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        swept = reminders_sweep(today=ISSUED_ON.date())

    # then it adds both messages and queues them (with the day's digests); they go out once
    assert swept.created[KIND] == 2
    sealed = set(Reminder.objects.filter(kind=KIND).values_list("pk", flat=True))
    assert sealed <= {pk for call in delay.call_args_list for pk in call.kwargs["reminder_ids"]}
    reminders_send.run(reminder_ids=sorted(sealed))
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [document.letter.signer.email, document.letter.issuer.email]
    )


def test_a_letter_voided_before_its_message_went_out_sends_nothing(
    fake_render, media_root, document, django_capture_on_commit_callbacks, org
):
    # given the messages queued, then the letter voided by the issuer
    _attached, queued = attach(document, django_capture_on_commit_callbacks)
    letter_void(letter=document.letter, voided_by=org.secretary, reason="人事调整")

    # then the messages were cancelled with the void, and sending them sends nothing
    assert set(Reminder.objects.filter(kind=KIND).values_list("status", flat=True)) == {
        ReminderStatus.CANCELLED
    }
    assert [reminder_send(reminder=Reminder(pk=pk)) for pk in queued[0]] == [SendOutcome.SKIPPED] * 2
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=KIND).exists()


def test_a_storage_failure_while_attaching_is_retried_not_lost(
    fake_render, media_root, document, django_capture_on_commit_callbacks, clock, settings
):
    # given the PDF stored, then its file unreadable when the email is built
    attached, queued = attach(document, django_capture_on_commit_callbacks)
    reminder = Reminder.objects.filter(kind=KIND).first()
    with mock.patch(
        "responsibility.reminders.sources._stored_bytes", side_effect=OSError("storage unreachable")
    ):
        outcome = reminder_send(reminder=reminder)

    # then the send waits for its next attempt, with the reason; nothing was emailed
    assert outcome == SendOutcome.RETRY
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PENDING
    assert "storage unreachable" in reminder.last_error
    assert mail.outbox == []

    # when it is tried again after its retry delay, with the storage back, it goes out once
    clock.shift(settings.REMINDERS_RETRY_DELAY)
    assert reminder_send(reminder=reminder) == SendOutcome.SENT
    assert len(mail.outbox) == 1 and len(mail.outbox[0].attachments) == 1
    assert Notification.objects.filter(reminder=reminder).count() == 1
