"""The sweep: it creates the ledger rows that are due, once, and queues their sending after commit."""

import datetime
from unittest import mock

import pytest

from responsibility.letters.services.campaigns import campaign_close, reminder_policy_update
from responsibility.letters.services.letters import letter_sign
from responsibility.reminders.models import Reminder, ReminderKind
from responsibility.reminders.services import SEND_CHUNK, reminders_sweep
from responsibility.reminders.tasks import reminders_send
from tests.conftest import attestation_for
from tests.responsibility.reminders.conftest import SEVEN_DAYS_BEFORE, at

pytestmark = pytest.mark.django_db


def ledger() -> list[tuple]:
    return sorted(Reminder.objects.values_list("kind", "object_key", "recipient_id", "due_period", "status"))


@pytest.fixture
def on_the_seventh_day_before(clock):
    clock.move_to(at(SEVEN_DAYS_BEFORE), tick=False)


def test_reminders_sweep_creates_one_reminder_per_unsigned_letter_and_is_idempotent(
    issued_letters, on_the_seventh_day_before
):
    # when the sweep runs twice on the day of the first reminder
    first = reminders_sweep(today=SEVEN_DAYS_BEFORE)
    rows = ledger()
    second = reminders_sweep(today=SEVEN_DAYS_BEFORE)

    # then each signer has one reminder, and the second run created nothing
    unsigned = [row for row in rows if row[0] == ReminderKind.LETTER_UNSIGNED]
    assert unsigned == sorted(
        (ReminderKind.LETTER_UNSIGNED, f"letter:{letter.pk}", letter.signer_id, "before-7", "pending")
        for letter in issued_letters
    )
    assert first.created[ReminderKind.LETTER_UNSIGNED] == 2
    assert second.created_total == 0
    assert ledger() == rows


def test_reminders_sweep_before_the_first_reminder_day_creates_no_letter_reminder(issued_letters):
    result = reminders_sweep(today=SEVEN_DAYS_BEFORE - datetime.timedelta(days=1))
    assert result.created[ReminderKind.LETTER_UNSIGNED] == 0
    assert not Reminder.objects.filter(kind=ReminderKind.LETTER_UNSIGNED).exists()


def test_reminders_sweep_reminds_the_issuer_once_per_campaign_of_signed_letters(
    issued_letters, on_the_seventh_day_before
):
    # given both letters signed: they wait for the same issuer's countersignature
    for letter in issued_letters:
        letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))

    # when
    reminders_sweep(today=SEVEN_DAYS_BEFORE)

    # then one reminder goes to the issuer, none to the signers
    issuer = issued_letters[0].issuer
    assert [row[:4] for row in ledger() if row[0] != ReminderKind.DAILY_DIGEST] == [
        (
            ReminderKind.LETTER_AWAITING_COUNTERSIGN,
            f"campaign:{issued_letters[0].campaign_id}",
            issuer.pk,
            "before-7",
        )
    ]


def test_reminders_sweep_sends_a_daily_digest_to_unit_heads_and_the_office_on_working_days(
    org, issued_letters
):
    # when swept on a Wednesday and on the Saturday after
    wednesday, saturday = datetime.date(2026, 11, 4), datetime.date(2026, 11, 7)
    reminders_sweep(today=wednesday)
    reminders_sweep(today=saturday)

    # then the two heads (their units have unsigned letters) and the office got one digest, on Wednesday
    digests = Reminder.objects.filter(kind=ReminderKind.DAILY_DIGEST)
    assert sorted(digests.values_list("object_key", "recipient_id", "due_period")) == sorted(
        [
            *((f"unit:{post.unit_id}", post.holder_id, "2026-11-04") for post in org.head_posts),
            ("office", org.office_admin.pk, "2026-11-04"),
        ]
    )


def test_reminders_sweep_creates_nothing_for_a_closed_campaign(
    org, issued_letters, on_the_seventh_day_before
):
    campaign_close(campaign=org.campaign, closed_by=org.office_admin)
    assert reminders_sweep(today=SEVEN_DAYS_BEFORE).created_total == 0


def test_reminders_sweep_follows_the_campaigns_rules(org, issued_letters):
    # given the office asks for a reminder 40 days ahead and on weekends
    reminder_policy_update(
        campaign=org.campaign,
        days_before=[40, 10],
        overdue_every_days=5,
        skip_weekends=False,
        updated_by=org.office_admin,
    )

    # when swept on a Sunday 40 days before the deadline... the letters were issued on 2 November,
    # so the 40-day reminder (21 November) is due
    result = reminders_sweep(today=datetime.date(2026, 11, 22))

    # then
    assert result.created[ReminderKind.LETTER_UNSIGNED] == 2
    assert set(Reminder.objects.values_list("due_period", flat=True).filter(kind="letter_unsigned")) == {
        "before-40"
    }


def test_reminders_sweep_dry_run_lists_what_it_would_create_and_writes_nothing(
    issued_letters, on_the_seventh_day_before
):
    # when
    result = reminders_sweep(today=SEVEN_DAYS_BEFORE, dry_run=True)

    # then
    assert not Reminder.objects.exists()
    assert result.created[ReminderKind.LETTER_UNSIGNED] == 2
    assert {row.object_key for row in result.listed if row.kind == ReminderKind.LETTER_UNSIGNED} == {
        f"letter:{letter.pk}" for letter in issued_letters
    }


@mock.patch.object(reminders_send, "delay")
def test_reminders_sweep_queues_the_due_reminders_in_chunks_after_commit(
    send_delay, org, issued_letters, on_the_seventh_day_before, django_capture_on_commit_callbacks
):
    # given more due reminders than one send task takes
    Reminder.objects.bulk_create(
        Reminder(
            kind=ReminderKind.LETTER_UNSIGNED,
            object_key=f"letter:{n}",
            recipient=org.outsider,
            due_period="before-7",
            due_at=at(SEVEN_DAYS_BEFORE, 0),
        )
        for n in range(10_000, 10_000 + SEND_CHUNK + 5)
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_sweep(today=SEVEN_DAYS_BEFORE)
        send_delay.assert_not_called()  # nothing leaves before the commit

    # then every waiting reminder is in exactly one task of at most SEND_CHUNK
    queued = [call.kwargs["reminder_ids"] for call in send_delay.call_args_list]
    assert all(len(ids) <= SEND_CHUNK for ids in queued)
    all_ids = [pk for ids in queued for pk in ids]
    assert sorted(all_ids) == sorted(Reminder.objects.values_list("pk", flat=True))
    assert result.scheduled == len(all_ids)

    # and a second sweep soon after does not queue them again
    send_delay.reset_mock()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_sweep(today=SEVEN_DAYS_BEFORE).scheduled == 0
    send_delay.assert_not_called()


def test_beat_runs_the_sweep_task_every_ten_minutes(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["reminders-sweep"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(0, 60, 10))


@mock.patch.object(reminders_send, "delay")
def test_reminders_sweep_task_sweeps_today(send_delay, issued_letters, on_the_seventh_day_before):
    from responsibility.reminders.tasks import reminders_sweep as reminders_sweep_task

    result = reminders_sweep_task.run()
    assert result["created"] == Reminder.objects.count() > 0
