"""Sealed PDFs whose render messages were lost, against real Redis and real worker processes: eight letters
countersigned while no worker listens (their messages lost), a worker killed with SIGKILL in the middle of
the renders and started again, and Redis losing its connections and its queued messages (as a restart
without persistence does). Beat's requeue (core.requeue) runs every second here, with a 3-second wait
instead of 2 minutes.

Afterwards every PDF is ready and stored once, and each verifies as the letter's authentic sealed PDF.
Takes about 15 seconds: real renders, in a worker started twice. Runs only when REDIS_URL is set (CI).
"""

import datetime
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
from core.requeue import stuck_work_requeue
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_countersign, letter_sign
from responsibility.letters.tasks import letter_document_attach
from responsibility.letters.verify import pdf_verify
from tests.conftest import attestation_for
from tests.factories import PostFactory
from tests.faults import REDIS_URL, redis_restart

pytestmark = [
    pytest.mark.redis,
    pytest.mark.xdist_group("redis"),  # one worker takes every test that uses Redis: this one restarts it
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis broker: set REDIS_URL"),
]

LETTERS = 8
RUN_TIMEOUT = 180


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


def test_lost_renders_are_made_after_a_killed_worker_and_a_redis_restart(
    workers, lost_renders, settings, capsys
):
    settings.STUCK_WORK_AFTER = datetime.timedelta(seconds=3)
    assert _ready() == 0 and len(lost_renders) == LETTERS

    with celery_app.connection_for_write(REDIS_URL) as broker:

        def publish(*, document_id: int) -> None:
            letter_document_attach.apply_async(
                kwargs={"document_id": document_id}, queue=workers.queue, connection=broker
            )

        def requeue_until(condition, what: str) -> float:
            """Beat's requeue once a second until `condition` (checked every 0.1 s); the seconds it took."""
            started = last_run = time.monotonic()
            requeue()
            while not condition():
                if time.monotonic() - started > RUN_TIMEOUT:
                    pytest.fail(f"{what} not within {RUN_TIMEOUT}s: {_ready()} ready\n{workers.tail()}")
                if time.monotonic() - last_run >= 1:
                    last_run = time.monotonic()
                    requeue()
                time.sleep(0.1)
            return time.monotonic() - started

        def requeue() -> None:
            try:  # the task's messages go to this test's queue on Redis
                with mock.patch.object(letter_document_attach, "delay_on_commit", side_effect=publish):
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

        # and Redis "restarts" after five, losing every queued message
        requeue_until(lambda: _ready() >= 5, "five PDFs")
        redis_restart(REDIS_URL)
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
            f"\nlost renders: {LETTERS} PDFs made; worker killed after {killed_at}; "
            f"every PDF ready {recovered_in:.1f} s after the Redis restart"
        )
