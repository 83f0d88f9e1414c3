"""Messages about work that is done are closed: the bell shows only what still needs the user.

On the reminders' calendar (conftest.py): letters issued Monday 2 November 2026, deadline Thursday 31
December; the signers' first reminder on Thursday 24 December, the next on Monday 28 December.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from responsibility.letters.services.letters import letter_countersign, letter_sign
from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import (
    SendOutcome,
    reminder_resend,
    reminder_send,
    reminders_close_done,
    reminders_send_batch,
    reminders_sweep,
)
from tests.conftest import attestation_for
from tests.responsibility.reminders.conftest import SEVEN_DAYS_BEFORE, at

pytestmark = pytest.mark.django_db

THREE_DAYS_BEFORE = datetime.date(2026, 12, 28)  # Monday


def sweep_and_send(clock, day: datetime.date) -> None:
    """The day's sweep, then every reminder it queued sent (what beat and the worker do)."""
    clock.move_to(at(day), tick=False)
    reminders_sweep(today=day)
    waiting = Reminder.objects.filter(status=ReminderStatus.PENDING).values_list("pk", flat=True)
    reminders_send_batch(reminder_ids=list(waiting))


def unread(user) -> set[tuple[str, str]]:
    return set(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("kind", "object_key")
    )


def sign(letter):
    return letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))


def countersign(letter):
    return letter_countersign(
        letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
    )


def bell(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("responsibility:todo")).content.decode()


def test_signing_closes_the_signers_please_sign_message_and_the_bell_count_drops(
    client, clock, org, issued_letters
):
    # given both signers reminded to sign, and each head's daily digest of the unit's letters
    sweep_and_send(clock, SEVEN_DAYS_BEFORE)
    letter, other = issued_letters
    head = letter.signer
    assert unread(head) == {
        (ReminderKind.LETTER_UNSIGNED, f"letter:{letter.pk}"),
        (ReminderKind.DAILY_DIGEST, f"unit:{letter.signer_unit_id}"),
    }
    assert 'class="bell-count">2<' in bell(client, head)

    # when the head signs
    sign(letter)

    # then the 「请签署」 message is closed; the digest stays (the letter now waits for its countersignature)
    assert unread(head) == {(ReminderKind.DAILY_DIGEST, f"unit:{letter.signer_unit_id}")}
    closed = Notification.objects.get(recipient=head, kind=ReminderKind.LETTER_UNSIGNED)
    assert closed.read_at is not None
    # and the bell counts one
    assert 'class="bell-count">1<' in bell(client, head)
    # and the other signer, who has not signed, still has theirs
    assert (ReminderKind.LETTER_UNSIGNED, f"letter:{other.pk}") in unread(other.signer)


def test_signing_cancels_the_signers_reminder_still_waiting_to_go_out(clock, issued_letters):
    # given the day's reminders created but not sent yet
    clock.move_to(at(SEVEN_DAYS_BEFORE), tick=False)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)
    letter, other = issued_letters

    # when the first signer signs
    sign(letter)

    # then their reminder is not needed any more; the other signer's still waits
    statuses = dict(
        Reminder.objects.filter(kind=ReminderKind.LETTER_UNSIGNED).values_list("object_key", "status")
    )
    assert statuses == {
        f"letter:{letter.pk}": ReminderStatus.CANCELLED,
        f"letter:{other.pk}": ReminderStatus.PENDING,
    }


def test_countersigning_closes_the_issuers_reminder_when_nothing_is_left_to_countersign(
    client, clock, org, issued_letters
):
    # given both letters signed, and the issuer, the heads and the office reminded on the 24th
    first, second = (sign(letter) for letter in issued_letters)
    sweep_and_send(clock, SEVEN_DAYS_BEFORE)
    issuer = first.issuer
    countersignature = (ReminderKind.LETTER_AWAITING_COUNTERSIGN, f"campaign:{first.campaign_id}")
    assert countersignature in unread(issuer)
    assert (ReminderKind.DAILY_DIGEST, "office") in unread(org.office_admin)

    # when the first letter is countersigned
    countersign(first)

    # then the issuer's reminder stays (one letter still waits), the first head's digest is closed (their
    # unit has nothing outstanding), the second head's and the office's stay
    assert countersignature in unread(issuer)
    assert (ReminderKind.DAILY_DIGEST, f"unit:{first.signer_unit_id}") not in unread(first.signer)
    assert (ReminderKind.DAILY_DIGEST, f"unit:{second.signer_unit_id}") in unread(second.signer)
    assert (ReminderKind.DAILY_DIGEST, "office") in unread(org.office_admin)

    # when the second is countersigned too
    countersign(second)

    # then nothing about the campaign's letters is left in anybody's bell
    assert countersignature not in unread(issuer)
    assert unread(second.signer) == set()
    assert unread(org.office_admin) == set()
    assert "bell-count" not in bell(client, org.office_admin)


def test_a_newer_reminder_about_an_item_replaces_the_older_in_the_bell(clock, issued_letters):
    # given the signer reminded on the 24th (7 days left) and again on the 28th (3 days left)
    letter = issued_letters[0]
    sweep_and_send(clock, SEVEN_DAYS_BEFORE)
    sweep_and_send(clock, THREE_DAYS_BEFORE)

    # then only the newer message of each item is unread; both stay in the list
    messages = Notification.objects.filter(recipient=letter.signer, kind=ReminderKind.LETTER_UNSIGNED)
    assert [(n.reminder.due_period, n.read_at is None) for n in messages.order_by("pk")] == [
        ("before-7", False),
        ("before-3", True),
    ]
    assert [n.reminder.due_period for n in messages.filter(read_at__isnull=True)] == ["before-3"]
    digests = Notification.objects.filter(recipient=letter.signer, kind=ReminderKind.DAILY_DIGEST)
    assert digests.count() == 2 and digests.filter(read_at__isnull=True).count() == 1


def test_messages_that_ask_nothing_are_never_closed(clock, org, issued_letters):
    # given a notice without a kind (a security notice) and a signer's reminder, both unread
    letter = issued_letters[0]
    sweep_and_send(clock, SEVEN_DAYS_BEFORE)
    notice = Notification.objects.create(recipient=letter.signer, title="您的密码已修改", object_key="")

    # when the letter is signed and the reminders about it are checked again
    sign(letter)
    reminders_close_done(object_keys=[f"letter:{letter.pk}", ""])

    # then the notice is still unread
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_reminder_resent_after_the_work_was_done_leaves_nothing_unread(clock, org, issued_letters):
    # given the signer reminded and the letter signed; then the office resends the reminder all the same
    letter = issued_letters[0]
    sweep_and_send(clock, SEVEN_DAYS_BEFORE)
    sign(letter)
    reminder = Reminder.objects.get(kind=ReminderKind.LETTER_UNSIGNED, object_key=f"letter:{letter.pk}")
    reminder_resend(reminder=reminder, resent_by=org.office_admin)
    assert (ReminderKind.LETTER_UNSIGNED, f"letter:{letter.pk}") in unread(letter.signer)  # shown again

    # when the resend's task runs
    emails_before = len(mail.outbox)
    outcome = reminder_send(reminder=reminder)

    # then it is not needed, nothing is emailed, and its message is closed with it
    assert outcome == SendOutcome.CANCELLED
    assert len(mail.outbox) == emails_before
    assert (ReminderKind.LETTER_UNSIGNED, f"letter:{letter.pk}") not in unread(letter.signer)
