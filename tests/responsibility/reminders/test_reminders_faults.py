"""Faults, against real Redis and real worker processes: 1,000 due reminders, a worker killed with
SIGKILL in the middle of the run and started again, Redis losing its connections and its queued
messages in the middle of the run (as a restart without persistence does), and a mail server that
refuses some addresses for good and drops the connection once for others.

Afterwards every reminder is sent or failed, each has exactly one in-app notification, and an email
went out twice only for a reminder whose worker died between the mail being accepted and the
ledger's commit (ADR 0004). The count of such duplicates is printed.

Runs only when REDIS_URL is set (CI: redis://127.0.0.1:6379/15). The test empties that Redis
database (FLUSHDB) to simulate the restart, so give it a database of its own.
"""

import datetime
import email
import os
import signal
import time
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import PostKind
from config.celery import app as celery_app
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import reminders_sweep
from responsibility.reminders.tasks import reminders_send
from tests.factories import PostFactory
from tests.faults import REDIS_URL, Workers, redis_restart

pytestmark = [
    pytest.mark.redis,
    pytest.mark.xdist_group("redis"),  # one worker takes every test that uses Redis: this one restarts it
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis broker: set REDIS_URL"),
]

REMINDERS = 1000
LETTERS = 20
PERMANENT_PERCENT = 3  # refused for good: these end FAILED
TRANSIENT_PERCENT = 10  # the connection drops once: these are retried and sent
RUN_TIMEOUT = 240
SATURDAY = datetime.date(
    2026, 11, 28
)  # the letter sources create nothing on a weekend: only the ledger rows below


@pytest.fixture(autouse=True)
def clock():
    """Real time here (the package's frozen clock would disagree with the worker's)."""
    return None


@pytest.fixture
def fast_recovery(settings):
    """The same short timeouts as the worker's settings (worker_settings.py)."""
    settings.REMINDERS_CLAIM_TIMEOUT = datetime.timedelta(seconds=3)
    settings.REMINDERS_REQUEUE_AFTER = datetime.timedelta(seconds=5)


@pytest.fixture
def due_reminders(org) -> list[int]:
    """1,000 due reminders about 20 letters awaiting signature (50 due periods each)."""
    posts = [PostFactory(kind=PostKind.UNIT_HEAD, title="主任") for _ in range(LETTERS)]
    letters = campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(
            kind=ReminderKind.LETTER_UNSIGNED,
            object_key=f"letter:{letter.pk}",
            recipient_id=letter.signer_id,
            due_period=f"fault-{n:03d}",
            due_at=now,
            campaign=org.campaign,
        )
        for letter in letters
        for n in range(REMINDERS // LETTERS)
    )
    return list(Reminder.objects.values_list("pk", flat=True))


def _states() -> Counter:
    return Counter(Reminder.objects.values_list("status", flat=True))


def _wait_until(condition, *, timeout: float, workers: Workers, what: str, sweep=None) -> None:
    """Wait for `condition`; `sweep` (beat's, when given) runs every 2 seconds meanwhile."""
    deadline = last_sweep = time.monotonic()
    deadline += timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout}s; ledger {_states()}\n{workers.tail()}")
        if sweep is not None and time.monotonic() - last_sweep >= 2:
            last_sweep = time.monotonic()
            sweep()
        time.sleep(0.1)


def _emails_by_message_id(mail_dir: Path) -> Counter:
    """Every email the backend wrote, counted by Message-ID."""
    found: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if b"Message-ID:" in chunk:
                message = email.message_from_bytes(chunk.strip())
                found[message["Message-ID"]] += 1
    return found


def test_reminders_survive_a_killed_worker_a_redis_restart_and_failing_mail(
    workers, due_reminders, fast_recovery, capsys
):
    # given 1,000 due reminders, a worker, and the sweep queuing them through Redis
    with celery_app.connection_for_write(REDIS_URL) as broker:

        def publish(**kwargs):
            reminders_send.apply_async(kwargs=kwargs, queue=workers.queue, connection=broker)

        def sweep() -> None:
            with mock.patch.object(reminders_send, "delay", side_effect=publish):
                reminders_sweep(today=SATURDAY)

        workers.env.update(
            FLAKY_MAIL_PERMANENT_PERCENT=str(PERMANENT_PERCENT),
            FLAKY_MAIL_TRANSIENT_PERCENT=str(TRANSIENT_PERCENT),
        )
        first = workers.start()
        sweep()

        # when the worker is killed with SIGKILL a third of the way through, and another started
        _wait_until(lambda: _states()[ReminderStatus.SENT] >= REMINDERS // 3, timeout=120, workers=workers,
                    what="a third sent")  # fmt: skip
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = _states()
        workers.start()

        # and Redis "restarts" two thirds of the way through, losing every queued message (beat's sweep
        # runs meanwhile: what the killed worker had taken is queued again once its claims time out)
        two_thirds = 2 * REMINDERS // 3
        _wait_until(lambda: _states()[ReminderStatus.SENT] >= two_thirds, timeout=120, workers=workers,
                    what="two thirds sent", sweep=sweep)  # fmt: skip
        redis_restart(REDIS_URL)

        # and beat's sweep keeps running (here every 2 seconds instead of 10 minutes)
        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            states = _states()
            if states[ReminderStatus.SENT] + states[ReminderStatus.FAILED] == REMINDERS:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"not finished in {RUN_TIMEOUT}s: {states}\n{workers.tail()}")
            try:
                sweep()
            except Exception as error:  # noqa: BLE001 - the broker may still be reconnecting
                print(f"sweep failed, tried again: {error!r}")
            time.sleep(2)

    # then every reminder is sent or failed; the failed ones are exactly the refused addresses
    rows = list(Reminder.objects.values("pk", "status", "message_id", "attempts", "last_error"))
    assert {row["status"] for row in rows} <= {ReminderStatus.SENT, ReminderStatus.FAILED}
    failed = [row for row in rows if row["status"] == ReminderStatus.FAILED]
    assert all("SMTPRecipientsRefused" in row["last_error"] for row in failed)
    assert 0 < len(failed) < REMINDERS * (PERMANENT_PERCENT + 3) / 100

    # and each reminder has exactly one in-app notification (the database allows no other)
    assert Notification.objects.count() == REMINDERS
    assert Notification.objects.values("reminder").distinct().count() == REMINDERS

    # and every sent reminder's email was written; one written twice only where a send was cut off
    emails = _emails_by_message_id(workers.mail_dir)
    sent = {row["message_id"]: row for row in rows if row["status"] == ReminderStatus.SENT}
    assert set(sent) <= set(emails)
    assert not set(emails) - {row["message_id"] for row in rows}
    twice = {message_id: count for message_id, count in emails.items() if count > 1}
    for message_id in twice:
        # sent again only after its first send lost the claim: the worker died after the mail was
        # accepted and before the ledger's commit, so the reminder was claimed a second time
        assert sent[message_id]["attempts"] >= 2
    assert len(twice) <= 1  # one worker was killed: at most the one email in flight
    assert at_kill[ReminderStatus.SENT] < REMINDERS
    with capsys.disabled():
        print(
            f"\nreminder faults: {len(sent)} sent, {len(failed)} failed, "
            f"{sum(emails.values())} emails written, {len(twice)} sent twice (window: mail accepted → "
            f"ledger commit), worker killed at {dict(at_kill)}"
        )
