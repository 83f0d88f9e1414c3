"""Faults, against a Redis of the test's own and real worker processes, with the Redis restarted without
persistence (every queued message lost) and with the append-only file (messages survive): 300 due
reminders in two rounds of 150, a mail server that refuses some addresses for good and drops the connection
once for others, and in the first round a worker killed with SIGKILL a third of the way through, in the
second the Redis server killed with SIGKILL and started again a third of the way through.

Beat's every-minute requeue (core.requeue) runs every second here, with the windows shortened from
minutes to seconds (tests/faults.py, FAST_RECOVERY). In production a lost send task waits STUCK_WORK_AFTER
(2 minutes) and a dead send REMINDERS_CLAIM_TIMEOUT (2 minutes), then at most the beat's minute: within
3 minutes (test_reminders_requeue.py asserts those settings). Here each round must be whole within 3
minutes of wall time after its fault: every reminder sent or failed, each with one in-app notification,
and an email sent twice only for a reminder whose worker died between the mail server accepting it and the
ledger's commit (ADR 0004). The recovery times and duplicates are printed.

Takes about 16 seconds per Redis mode, not 2: two worker processes start (about 3 seconds each), the
reminders go out through them, and the recovery after each fault waits out the shortened windows (3 and 5
seconds) as production waits out minutes. Runs when REDIS_URL is set (CI's PostgreSQL pass).
"""

import datetime
import os
import signal
import time
from collections import Counter
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import PostKind
from config.celery import app as celery_app
from core import requeue as requeue_module
from core.requeue import stuck_work_requeue
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import reminders_sweep
from responsibility.reminders.tasks import reminders_send
from tests.factories import PostFactory
from tests.faults import (
    BEAT_SECONDS,
    FAST_RECOVERY,
    REDIS_URL,
    WHOLE_AFTER_A_FAULT_SECONDS,
    RedisServer,
    Workers,
    emails_by_message_id,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.xdist_group("redis"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="the tests that need Redis run when REDIS_URL is set"),
]

ROUND = 150  # reminders per round
LETTERS = 10
PERMANENT_PERCENT = 3  # refused for good: these end FAILED
TRANSIENT_PERCENT = 10  # the connection drops once: these are retried and sent
SATURDAY = datetime.date(2026, 11, 28)  # the letter sources create nothing on a weekend: only these rows


@pytest.fixture(autouse=True)
def clock():
    """Real time here (the package's frozen clock would disagree with the worker's)."""
    return None


@pytest.fixture
def fast_recovery(settings):
    for name, value in FAST_RECOVERY.items():
        setattr(settings, name, value)


@pytest.fixture
def letters(org) -> list:
    posts = [PostFactory(kind=PostKind.UNIT_HEAD, title="主任") for _ in range(LETTERS)]
    return campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued


def _add_round(letters, *, name: str) -> None:
    """ROUND due reminders about the letters awaiting signature (due periods named after the round)."""
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(
            kind=ReminderKind.LETTER_UNSIGNED,
            object_key=f"letter:{letter.pk}",
            recipient_id=letter.signer_id,
            due_period=f"{name}-{n:03d}",
            due_at=now,
            campaign=letter.campaign,
        )
        for letter in letters
        for n in range(ROUND // LETTERS)
    )


def _states() -> Counter:
    return Counter(Reminder.objects.values_list("status", flat=True))


class Beat:
    """The sweep and beat's requeue, their send tasks published to the workers' queue on the test's Redis."""

    def __init__(self, workers: Workers, broker, redis_server: RedisServer):
        self.workers, self.broker, self.redis_server = workers, broker, redis_server

    def _backlog(self) -> int:
        return self.redis_server.queued(self.workers.queue)

    def _publish(self, **kwargs) -> None:
        reminders_send.apply_async(kwargs=kwargs, queue=self.workers.queue, connection=self.broker)

    def sweep(self) -> None:
        with mock.patch.object(reminders_send, "delay", side_effect=self._publish):
            reminders_sweep(today=SATURDAY)

    def requeue(self) -> None:
        try:
            with (
                mock.patch.object(reminders_send, "delay", side_effect=self._publish),
                mock.patch.object(requeue_module, "task_queue_backlog", self._backlog),
            ):
                stuck_work_requeue()
        except Exception as error:  # noqa: BLE001 - the broker may still be coming back
            print(f"requeue failed, tried again: {error!r}")

    def run_until(self, condition, *, what: str) -> float:
        """Run the requeue every BEAT_SECONDS until `condition` (checked every 0.1 s); the seconds it took."""
        started = last = time.monotonic()
        while not condition():
            if time.monotonic() - started > WHOLE_AFTER_A_FAULT_SECONDS:
                pytest.fail(f"{what}: not within {WHOLE_AFTER_A_FAULT_SECONDS} s; ledger {_states()}\n"
                            f"{self.workers.tail()}")  # fmt: skip
            if time.monotonic() - last >= BEAT_SECONDS:
                last = time.monotonic()
                self.requeue()
            time.sleep(0.1)
        return time.monotonic() - started


def _whole() -> bool:
    states = _states()
    return states[ReminderStatus.SENT] + states[ReminderStatus.FAILED] == sum(states.values())


def test_reminders_are_whole_within_3_minutes_after_a_killed_worker_and_a_redis_crash(
    workers, redis_server: RedisServer, letters, fast_recovery, capsys
):
    workers.env.update(
        FLAKY_MAIL_PERMANENT_PERCENT=str(PERMANENT_PERCENT),
        FLAKY_MAIL_TRANSIENT_PERCENT=str(TRANSIENT_PERCENT),
    )
    with celery_app.connection_for_write(redis_server.url) as broker:
        beat = Beat(workers, broker, redis_server)

        # given a first round of due reminders queued by the sweep, and a worker sending them
        _add_round(letters, name="kill")
        first = workers.start()
        beat.sweep()

        # when the worker is killed with SIGKILL a third of the way through, and another started
        beat.run_until(lambda: _states()[ReminderStatus.SENT] >= ROUND // 3, what="a third sent")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed = time.monotonic()
        at_kill = _states()
        workers.start()

        # then the round is whole again (what the dead worker held is queued again by beat's requeue)
        beat.run_until(_whole, what="the round after the worker was killed")
        after_kill = time.monotonic() - killed

        # given a second round, queued by the sweep
        _add_round(letters, name="crash")
        beat.sweep()

        # when Redis is killed with SIGKILL a third of the way through, and started again
        beat.run_until(lambda: _states()[ReminderStatus.SENT] >= ROUND + ROUND // 3, what="a third sent")
        redis_server.crash_and_restart()
        crashed = time.monotonic()
        survived = redis_server.queued(workers.queue)

        # then the round is whole again: from the append-only file, or queued again by beat's requeue
        beat.run_until(_whole, what="the round after Redis was killed")
        after_crash = time.monotonic() - crashed

    # and every reminder is sent or failed; the failed ones are exactly the refused addresses
    rows = list(Reminder.objects.values("pk", "status", "message_id", "attempts", "last_error"))
    assert len(rows) == 2 * ROUND
    failed = [row for row in rows if row["status"] == ReminderStatus.FAILED]
    assert all("SMTPRecipientsRefused" in row["last_error"] for row in failed)
    assert 0 < len(failed) < 2 * ROUND * (PERMANENT_PERCENT + 3) / 100

    # and each reminder has exactly one in-app notification (the database allows no other)
    assert Notification.objects.count() == 2 * ROUND
    assert Notification.objects.values("reminder").distinct().count() == 2 * ROUND

    # and every sent reminder's email was written; one written twice only where a send was cut off
    emails = emails_by_message_id(workers.mail_dir)
    sent = {row["message_id"]: row for row in rows if row["status"] == ReminderStatus.SENT}
    assert set(sent) <= set(emails)
    assert not set(emails) - {row["message_id"] for row in rows}
    twice = {message_id: count for message_id, count in emails.items() if count > 1}
    for message_id in twice:
        # sent again only after its first send lost the claim: the worker died after the mail was
        # accepted and before the ledger's commit, so the reminder was claimed a second time
        assert sent[message_id]["attempts"] >= 2
    assert len(twice) <= 1  # one worker was killed: at most the one email in flight; Redis kills none
    assert at_kill[ReminderStatus.SENT] < ROUND
    # and a Redis with its append-only file kept the queued messages; one without lost them
    assert (survived > 0) == redis_server.persistent
    with capsys.disabled():
        print(
            f"\nreminder faults ({'append-only file' if redis_server.persistent else 'no persistence'}): "
            f"{len(sent)} sent, {len(failed)} failed, {len(twice)} sent twice (window: mail accepted → "
            f"ledger commit); whole {after_kill:.1f} s after the worker was killed, {after_crash:.1f} s "
            f"after Redis was killed ({survived} messages survived it)"
        )
