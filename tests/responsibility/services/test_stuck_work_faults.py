"""Sealed PDFs whose render messages were lost, against a Redis of the test's own and real worker
processes: eight letters countersigned while no worker listens (their messages lost), a worker killed with
SIGKILL in the middle of the renders and started again, and the Redis server killed with SIGKILL and
started again, without persistence (its queued messages lost) and with the append-only file of
docker-compose.yml (they survive). Beat's every-minute requeue (core.requeue) runs every second here, with
a 3-second wait instead of STUCK_WORK_AFTER's 2 minutes (tests/faults.py, FAST_RECOVERY): in production,
2 minutes and the beat's minute, within 3 (test_stuck_work_requeue.py asserts those settings).

Afterwards every PDF is ready and stored once, each verifies as the letter's authentic sealed PDF, and the
last ones were ready within 3 minutes of wall time after the Redis crash. Takes about 15 seconds per Redis
mode, not 2: real renders, in a worker started twice. Runs when REDIS_URL is set (CI's PostgreSQL pass).
"""

import os
import signal
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db.models import Count

from accounts.models import PostKind
from config.celery import app as celery_app
from core import requeue as requeue_module
from core.requeue import stuck_work_requeue
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_countersign, letter_sign
from responsibility.letters.tasks import letter_document_attach
from responsibility.letters.verify import pdf_verify
from tests.conftest import attestation_for
from tests.factories import PostFactory
from tests.faults import BEAT_SECONDS, FAST_RECOVERY, REDIS_URL, WHOLE_AFTER_A_FAULT_SECONDS, RedisServer

pytestmark = [
    pytest.mark.redis,
    pytest.mark.xdist_group("redis"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="the tests that need Redis run when REDIS_URL is set"),
]

LETTERS = 8


@pytest.fixture(autouse=True)
def clock():
    """Real time here (the package's frozen clock would disagree with the worker's)."""
    return None


@pytest.fixture
def lost_renders(org, seal_settings, media_root, monkeypatch) -> list[int]:
    """Eight countersigned letters whose render messages went to a broker no worker reads (lost)."""
    for name, value in (
        ("DJANGO_SEAL_PKCS12_FILE", str(seal_settings.pkcs12)),
        ("DJANGO_SEAL_PKCS12_PASSWORD", seal_settings.password),
        ("DJANGO_MEDIA_ROOT", str(settings.MEDIA_ROOT)),
    ):
        monkeypatch.setenv(name, value)  # the worker seals with the same seal, stores in the same folder
    posts = [PostFactory(kind=PostKind.UNIT_HEAD, title="主任") for _ in range(LETTERS)]
    letters = campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued
    for letter in letters:
        signed = letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
        letter_countersign(letter=signed, countersigned_by=signed.issuer, attestation=attestation_for(signed))
    return list(LetterDocument.objects.values_list("pk", flat=True))


def _ready() -> int:
    return LetterDocument.objects.filter(status=DocumentStatus.READY).count()


def test_lost_renders_are_made_after_a_killed_worker_and_a_redis_crash(
    workers, redis_server: RedisServer, lost_renders, settings, capsys
):
    for name, value in FAST_RECOVERY.items():
        setattr(settings, name, value)
    assert _ready() == 0 and len(lost_renders) == LETTERS

    with celery_app.connection_for_write(redis_server.url) as broker:

        def publish(*, document_id: int) -> None:
            letter_document_attach.apply_async(
                kwargs={"document_id": document_id}, queue=workers.queue, connection=broker
            )

        def requeue_until(condition, what: str) -> float:
            """Beat's requeue every BEAT_SECONDS until `condition` (checked every 0.1 s); seconds taken."""
            started = last_run = time.monotonic()
            requeue()
            while not condition():
                if time.monotonic() - started > WHOLE_AFTER_A_FAULT_SECONDS:
                    pytest.fail(f"{what} not within {WHOLE_AFTER_A_FAULT_SECONDS} s: {_ready()} ready\n"
                                f"{workers.tail()}")  # fmt: skip
                if time.monotonic() - last_run >= BEAT_SECONDS:
                    last_run = time.monotonic()
                    requeue()
                time.sleep(0.1)
            return time.monotonic() - started

        def backlog() -> int:
            return redis_server.queued(workers.queue)

        def requeue() -> None:
            try:  # the task's messages go to this test's queue on Redis, whose backlog the requeue reads
                with (
                    mock.patch.object(letter_document_attach, "delay_on_commit", side_effect=publish),
                    mock.patch.object(
                        requeue_module, "task_queue_backlog", lambda: redis_server.queued(workers.queue)
                    ),
                ):
                    stuck_work_requeue()
            except Exception as error:  # noqa: BLE001 - the broker may still be reconnecting
                print(f"requeue failed, tried again: {error!r}")

        # when a worker starts and beat finds the lost renders; the worker is killed after two
        first = workers.start()
        requeue_until(lambda: _ready() >= 2, "two PDFs")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = _ready()
        workers.start()

        # and Redis is killed with SIGKILL after five, and started again
        requeue_until(lambda: _ready() >= 5, "five PDFs")
        redis_server.crash_and_restart()
        recovered_in = requeue_until(lambda: _ready() == LETTERS, "every PDF")

    # then every PDF is ready, stored once, and verifies as its letter's authentic sealed PDF
    documents = list(LetterDocument.objects.select_related("letter"))
    assert {document.status for document in documents} == {DocumentStatus.READY}
    stored = list((Path(settings.MEDIA_ROOT) / "letters").rglob("*.pdf"))
    assert len(stored) == LETTERS
    assert not LetterDocument.objects.values("sha256").annotate(n=Count("pk")).filter(n__gt=1).exists()
    for document in documents:
        with document.file.open("rb") as handle:
            answer = pdf_verify(pdf=handle.read())
        assert answer.in_force and answer.record.verification_code == document.verification_code
    with capsys.disabled():
        print(
            f"\nlost renders ({'append-only file' if redis_server.persistent else 'no persistence'}): "
            f"{LETTERS} PDFs made; worker killed after {killed_at}; "
            f"every PDF ready {recovered_in:.1f} s after the Redis crash"
        )
