"""Work whose task message was lost is queued again (core.requeue, letters.requeue): a sealed PDF still
pending, a batch print not started or running but silent. The clock is moved; the queued tasks are
recorded, then run as a worker would."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from core.requeue import stuck_work_requeue
from responsibility.letters import tasks
from responsibility.letters.models.documents import ArchiveExport, DocumentStatus, ExportFormat, ExportStatus
from responsibility.letters.services.documents import letter_document_attach
from responsibility.letters.services.exports import archive_export_build, archive_export_request
from tests.responsibility.archive_helpers import fake_render_install

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_queue_empty")]

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def queued(monkeypatch) -> dict[str, list[int]]:
    """The render and build tasks queued (by id), instead of messages to a broker no worker reads here."""
    sent = {"documents": [], "exports": []}
    monkeypatch.setattr(
        tasks.letter_document_attach,
        "delay_on_commit",
        lambda *, document_id: sent["documents"].append(document_id),
    )
    monkeypatch.setattr(
        tasks.archive_export_build, "delay_on_commit", lambda *, export_id: sent["exports"].append(export_id)
    )
    return sent


def later(minutes: float) -> time_machine.travel:
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def test_a_pdf_whose_render_message_was_lost_is_queued_again_and_rendered(
    monkeypatch, media_root, pending_document, queued
):
    # given a countersigned letter whose render task never ran (its message lost with the broker)
    fake_render_install(monkeypatch)
    assert pending_document.status == DocumentStatus.PENDING

    # when the beat runs within STUCK_WORK_AFTER, nothing is queued; after it, the PDF is
    with later(1):
        assert stuck_work_requeue()["letter PDFs"] == 0
    with later(2.5):
        counts = stuck_work_requeue()
        again = stuck_work_requeue()  # the next run, at once: queued already
    assert counts["letter PDFs"] == 1 and again["letter PDFs"] == 0
    assert queued["documents"] == [pending_document.pk]

    # then the worker renders it, and it is never queued again
    letter_document_attach(document=pending_document)
    pending_document.refresh_from_db()
    assert pending_document.status == DocumentStatus.READY
    with later(60):
        assert stuck_work_requeue()["letter PDFs"] == 0
    assert queued["documents"] == [pending_document.pk]


def test_a_pdf_still_pending_is_queued_again_each_time_it_waits_again(pending_document, queued):
    with later(3):
        stuck_work_requeue()
    with later(4):  # one minute after being queued: its task may be on its way
        stuck_work_requeue()
    with later(5.5):  # two and a half: lost again
        stuck_work_requeue()

    assert queued["documents"] == [pending_document.pk, pending_document.pk]


def test_a_failed_pdf_is_left_to_the_office(pending_document, queued):
    pending_document.status = DocumentStatus.FAILED
    pending_document.save(update_fields=["status"])

    with later(30):
        assert stuck_work_requeue()["letter PDFs"] == 0
    assert queued["documents"] == []


@pytest.fixture
def export(org, archived, queued) -> ArchiveExport:
    """A batch print of the campaign's one archived letter, requested (its build task queued)."""
    requested = archive_export_request(
        campaign=archived[0].letter.campaign,
        unit_ids=[],
        export_format=ExportFormat.ZIP,
        requested_by=org.office_admin,
    )
    queued["exports"].clear()
    return requested


def test_a_batch_print_whose_message_was_lost_is_queued_again_and_built(media_root, export, queued):
    with later(1):
        stuck_work_requeue()
    assert queued["exports"] == []

    with later(2.5):
        stuck_work_requeue()
        stuck_work_requeue()
    assert queued["exports"] == [export.pk]

    # when the worker builds it
    archive_export_build(export=export)

    # then it is ready and never queued again
    assert ArchiveExport.objects.get(pk=export.pk).status == ExportStatus.READY
    with later(60):
        stuck_work_requeue()
    assert queued["exports"] == [export.pk]


def test_a_running_batch_print_is_queued_again_only_once_it_falls_silent(export, queued):
    # given a build that claimed the export and reported progress, then died with its worker
    ArchiveExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    silent = settings.STUCK_BUILD_SILENT_AFTER / MINUTE

    # when the beat runs while it is silent for less than STUCK_BUILD_SILENT_AFTER, then for longer
    with later(silent - 1):
        stuck_work_requeue()
    assert queued["exports"] == []
    with later(silent + 0.5):
        stuck_work_requeue()
    with later(silent + 1.5):  # queued a minute ago: its new build has not started yet
        stuck_work_requeue()

    # then it was queued again once
    assert queued["exports"] == [export.pk]


def test_the_beat_queues_stuck_work_every_minute():
    entry = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "responsibility.tasks.stuck_work_requeue"
    )

    assert entry["schedule"].remaining_estimate(timezone.now()) <= MINUTE
    # and nothing waits more than 3 minutes after a fault: the wait, then the beat's minute
    assert datetime.timedelta(minutes=3) >= settings.STUCK_WORK_AFTER + MINUTE


def test_redis_gives_a_message_to_another_worker_only_after_the_longest_task_could_have_ended(tmp_path):
    from celery import current_app

    from config.broker import broker_transport_options

    limits = [
        task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        for name, task in current_app.tasks.items()
        if name.startswith("responsibility.")
    ]
    options = broker_transport_options("redis://127.0.0.1:6379/0", var_dir=tmp_path)

    assert max(limits) == 60 * 60  # the batch print
    assert options["visibility_timeout"] > max(limits)


def test_nothing_is_queued_again_while_task_messages_still_wait_for_a_worker(pending_document, queued):
    """Late is not lost: workers behind (a large sweep) or none running get no more messages."""
    from celery import current_app

    # given a task message still waiting in the broker's queue (no worker has taken it)
    current_app.send_task("responsibility.example", queue=current_app.conf.task_default_queue)

    # when the beat runs long after the PDF was queued, nothing is queued again
    with later(10):
        assert stuck_work_requeue() == {}
    assert queued["documents"] == []

    # then, once the queue is empty, the PDF whose message was lost is queued again
    current_app.control.purge()
    with later(10):
        assert stuck_work_requeue()["letter PDFs"] == 1
    assert queued["documents"] == [pending_document.pk]
