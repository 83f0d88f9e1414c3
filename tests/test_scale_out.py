"""Scale-out on the existing engines: two web servers (gunicorn) and two Celery workers against one
PostgreSQL database and one Redis, as docker compose's `scale-out` profile runs them (docs/scale-out.md).

Every race the suite shows in one process still ends once when it spans processes:

- twenty sign requests at once, each carrying the password, spread over both web servers: one signature;
- a batch countersignature sent twice at once, once to each web server: each letter countersigned once;
- two inspectors verifying one rectification at once, one on each web server: one event;
- a countersigned letter's render task taken by both workers at once: rendered twice, stored once;
- beat's reminder sweep run by both workers at once, and the sends they queue: each email sent once.

The requests go over HTTP as a browser sends them: signed in through the login form, each form sent back
with the CSRF token its page carried; the session made by one web server is used on the other.

Takes about 20 seconds on an idle 2-core machine, not 2: it starts four Django processes (a few seconds
each; the workers one after the other, the web servers meanwhile), loads the supervision set-up and
really renders and seals three PDFs. Needs PostgreSQL and Redis (REDIS_URL, a database of its own);
skipped otherwise.
"""

import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import PostKind
from config.celery import app as celery_app
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.models.letters import (
    Letter,
    LetterEvent,
    LetterStatus,
    Signature,
    SignatureMethod,
    SignatureRole,
)
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.tasks import letter_document_attach
from responsibility.reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.tasks import reminders_sweep
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    InspectionEvent,
    InspectionEventKind,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.services.rectifications import SubmissionInput, rectification_submit
from tests.factories import TEST_PASSWORD, PostFactory
from tests.faults import REDIS_URL, Workers, emails_by_message_id
from tests.responsibility.inspections import conftest as inspection_fixtures
from tests.responsibility.inspections.conftest import pdf_upload
from tests.servers import Browser, WebServers, scale_out_environment

pytestmark = [
    pytest.mark.redis,
    pytest.mark.xdist_group("redis"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis broker: set REDIS_URL"),
]

# The supervision set-up of the inspection tests: both committee heads signed, a plan, a draw, a finding.
supervision = inspection_fixtures.supervision
drawn = inspection_fixtures.drawn
committee_inspection = inspection_fixtures.committee_inspection
finding = inspection_fixtures.finding

SIGN_REQUESTS = 20
DIRECT_REMINDERS = 10
SETTLE_TIMEOUT = 120


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: four processes write one database at once (set DATABASE_URL)")


@pytest.fixture
def shared_media(settings, tmp_path) -> Path:
    """One folder of stored files for this process, both web servers and both workers."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def workers(tmp_path):
    """Worker processes (tests/faults.py) on a queue of their own, on the Redis at REDIS_URL."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    started = Workers(tmp_path, mail_dir, broker_url=REDIS_URL)
    yield started
    started.stop_all()


@pytest.fixture
def letters_to_sign(supervision) -> list[Letter]:
    """Two more letters of the campaign, issued and not signed: one to sign, one to be reminded of."""
    org = supervision.org
    posts = [PostFactory(kind=PostKind.UNIT_HEAD, title="主任") for _ in range(2)]
    return campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued


@pytest.fixture
def submitted_rectification(shared_media, finding):
    rectification = finding.rectification
    return rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="已召开专题会议，形成会议纪要。", files=[pdf_upload()]),
        submitted_by=rectification.owner,
        expected_version=rectification.version,
    )


class Cluster:
    """Two web servers and two workers on one database, one broker (this test's queue) and one folder."""

    def __init__(self, *, webs: list[str], workers, broker):
        self.webs, self.workers, self.broker = webs, workers, broker
        # Remote control needs an application whose own broker is the workers' (the test settings' is not).
        self.control = Celery("scale-out-control", broker=REDIS_URL).control
        host = socket.gethostname()
        self.worker_names = [f"{workers.queue}-{n}@{host}" for n in range(len(workers.processes))]

    def publish(self, task, **kwargs) -> None:
        """A message on the workers' queue, as beat or a redelivery would send it."""
        task.apply_async(kwargs=kwargs, queue=self.workers.queue, connection=self.broker)

    def idle_wait(self, timeout: float = 60) -> None:
        """Until neither worker runs or holds a task: what either was still doing (the renders and
        messages of the steps before) must not keep it from taking the next message at once."""
        inspect = self.control.inspect(destination=self.worker_names, timeout=5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            active, reserved = inspect.active() or {}, inspect.reserved() or {}
            if len(active) == len(self.worker_names) and not any([*active.values(), *reserved.values()]):
                return
            time.sleep(0.2)
        raise AssertionError(f"the workers were still busy after {timeout:g} s: {active} {reserved}")

    def consuming(self, on: bool) -> None:
        """Both workers stop (or start again) taking messages, so that what is queued meanwhile reaches
        both of them at the same moment."""
        command = self.control.add_consumer if on else self.control.cancel_consumer
        replies = command(self.workers.queue, destination=self.worker_names, reply=True, timeout=10)
        assert len(replies) == len(self.worker_names), replies


def _at_once(calls) -> list[object]:
    """Run each call in its own thread, released together; each one's result or the exception it raised."""
    start = threading.Barrier(len(calls))

    def one(call):
        start.wait(timeout=30)
        try:
            return call()
        except Exception as error:  # collected; the test asserts on every outcome
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def _signature_fields(user) -> dict[str, str]:
    """What a signer adds to the form: the password, the consent tick, the typed name."""
    return {
        "password": TEST_PASSWORD,
        "consent": "on",
        "method": SignatureMethod.TYPED,
        "typed_name": user.get_full_name(),
    }


def test_every_race_ends_once_across_two_web_servers_and_two_workers(
    supervision,
    letters_to_sign,
    submitted_rectification,
    shared_media,
    seal_settings,
    workers,
    monkeypatch,
    capsys,
):
    org = supervision.org
    to_sign, unsigned = letters_to_sign
    head_letters = list(Letter.objects.filter(campaign=org.campaign, status=LetterStatus.SIGNED))
    assert len(head_letters) == 2

    # given two web servers and two workers sharing the database, Redis and the stored files
    monkeypatch.setenv("DJANGO_SEAL_PKCS12_FILE", str(seal_settings.pkcs12))
    monkeypatch.setenv("DJANGO_SEAL_PKCS12_PASSWORD", seal_settings.password)
    environment = scale_out_environment(
        queue=workers.queue, mail_dir=workers.mail_dir, media_root=shared_media
    )
    servers = WebServers(workers.tmp_path, environment)
    workers.env.update(environment)
    try:
        web_a, web_b = servers.start(2)
        for _ in range(2):
            workers.start()
        servers.wait_ready()
        with celery_app.connection_for_write(REDIS_URL) as broker:
            cluster = Cluster(webs=[web_a, web_b], workers=workers, broker=broker)
            _run_the_races(cluster, org=org, supervision=supervision, to_sign=to_sign, unsigned=unsigned,
                           head_letters=head_letters, rectification=submitted_rectification)  # fmt: skip
            _settle(cluster, servers)
        workers.stop_all()  # a warm shutdown: a task still running ends first
    finally:
        servers.stop_all()
        queue = workers.queue
        keys = (queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        redis.Redis.from_url(REDIS_URL).delete(*keys)

    # then the twenty sign requests made one signature
    assert Signature.objects.filter(letter=to_sign, role=SignatureRole.SIGNER).count() == 1
    assert LetterEvent.objects.filter(letter=to_sign, kind="signed").count() == 1

    # and the batch sent twice countersigned each letter once (and the third letter once, on its own)
    for letter in [*head_letters, to_sign]:
        assert Signature.objects.filter(letter=letter, role=SignatureRole.ISSUER).count() == 1
        assert LetterEvent.objects.filter(letter=letter, kind="countersigned").count() == 1
        assert Letter.objects.get(pk=letter.pk).status == LetterStatus.COUNTERSIGNED

    # and the two inspectors made one verification
    assert Rectification.objects.get(pk=submitted_rectification.pk).status == RectificationStatus.VERIFIED
    verified = InspectionEvent.objects.filter(
        subject=f"finding:{submitted_rectification.finding_id}", kind=InspectionEventKind.VERIFIED
    )
    assert verified.count() == 1

    # and every sealed PDF is stored once; the one both workers took was rendered twice, stored once
    documents = list(LetterDocument.objects.all())
    assert len(documents) == 3 and {d.status for d in documents} == {DocumentStatus.READY}
    stored = sorted((shared_media / "letters").rglob("*.pdf"))
    assert len(stored) == 3, stored
    assert sorted(d.file.name for d in documents) == sorted(
        str(path.relative_to(shared_media)) for path in stored
    )
    assert LetterDocument.objects.get(letter=to_sign).attempts == 2

    # and every reminder (the sealed letters' messages, the due reminders both sweeps found) went once
    reminders = list(Reminder.objects.values("pk", "status", "message_id", "kind"))
    assert {r["status"] for r in reminders} == {ReminderStatus.SENT}
    assert Counter(r["kind"] for r in reminders)[ReminderKind.LETTER_UNSIGNED] >= DIRECT_REMINDERS
    sealed_messages = [r for r in reminders if r["kind"] == ReminderKind.LETTER_SEALED]
    assert len(sealed_messages) == 2 * len(documents)  # the signer and the issuer of each letter
    # besides them only what the sweep finds due: the unsigned letter's, and on a working day the digests
    assert {r["kind"] for r in reminders} <= {
        ReminderKind.LETTER_UNSIGNED,
        ReminderKind.LETTER_SEALED,
        ReminderKind.DAILY_DIGEST,
    }
    emails = emails_by_message_id(workers.mail_dir)
    assert set(emails) == {r["message_id"] for r in reminders}
    assert set(emails.values()) == {1}, {mid: n for mid, n in emails.items() if n > 1}
    assert Notification.objects.filter(reminder__isnull=False).count() == len(reminders)
    assert audit_chain_verify() is None
    assert inspection_chain_verify() is None
    with capsys.disabled():
        print(
            f"\nscale-out: {SIGN_REQUESTS} sign requests → 1 signature; 2 batch countersigns → "
            f"{len(head_letters)} countersignatures; 2 verifications → 1; 3 PDFs stored "
            f"(one rendered by both workers); {len(reminders)} reminders, {sum(emails.values())} emails"
        )


def _run_the_races(cluster: Cluster, *, org, supervision, to_sign, unsigned, head_letters, rectification):
    web_a, web_b = cluster.webs

    # when the secretary sends the batch countersignature of both signed letters twice, to each server
    secretary = Browser()
    secretary.sign_in(web_a, username=org.secretary.username, password=TEST_PASSWORD)
    batch = secretary.form(web_b + reverse("responsibility:letter-countersign-batch"))
    assert sorted(map(int, batch.choices["letters"])) == sorted(letter.pk for letter in head_letters)
    data = {**batch.hidden, "letters": batch.choices["letters"], **_signature_fields(org.secretary)}
    answers = _at_once([lambda web=web: secretary.post(batch.on(web), data) for web in cluster.webs])
    assert all(not isinstance(a, Exception) and a.status_code in (302, 400) for a in answers), answers
    assert any(a.status_code == 302 for a in answers)
    # and each render is delivered a second time (as after a lost acknowledgement)
    for document in LetterDocument.objects.filter(letter__in=head_letters):
        cluster.publish(letter_document_attach, document_id=document.pk)

    # and the signer sends twenty sign requests at once, each with the password, half to each server
    signer = Browser()
    signer.sign_in(web_b, username=to_sign.signer.username, password=TEST_PASSWORD)
    sign_url = reverse("responsibility:letter-sign", args=[to_sign.pk])
    form = signer.form(web_a + reverse("responsibility:letter-detail", args=[to_sign.pk]), action=sign_url)
    data = {**form.hidden, **_signature_fields(to_sign.signer)}
    answers = _at_once(
        [lambda web=cluster.webs[n % 2]: signer.post(form.on(web), data) for n in range(SIGN_REQUESTS)]
    )
    signed_page = reverse("responsibility:letter-signed", args=[to_sign.pk])
    assert [(a.status_code, a.headers.get("Location")) for a in answers] == [
        (302, signed_page)
    ] * SIGN_REQUESTS

    # and the secretary countersigns that letter while both workers wait, and its render is queued twice
    countersign_url = reverse("responsibility:letter-countersign", args=[to_sign.pk])
    form = secretary.form(
        web_a + reverse("responsibility:letter-detail", args=[to_sign.pk]), action=countersign_url
    )
    cluster.consuming(False)
    answer = secretary.post(form.on(web_b), {**form.hidden, **_signature_fields(org.secretary)})
    assert answer.status_code == 302, answer.status_code
    cluster.publish(letter_document_attach, document_id=LetterDocument.objects.get(letter=to_sign).pk)
    cluster.idle_wait()
    cluster.consuming(True)  # each worker, idle, takes one of the two messages

    # and both team members verify the submitted rectification at once, one on each server
    inspectors = []
    for inspector, web in zip(supervision.inspectors, cluster.webs, strict=True):
        browser = Browser()
        browser.sign_in(web, username=inspector.username, password=TEST_PASSWORD)
        page = web + reverse("responsibility:finding-detail", args=[rectification.finding_id])
        action = reverse("responsibility:rectification-verify", args=[rectification.finding_id])
        inspectors.append((browser, browser.form(page, action=action), web))
    answers = _at_once(
        [
            lambda b=b, f=f, w=w: b.post(f.on(w), {**f.hidden, "verify-note": "已核实。"})
            for b, f, w in inspectors
        ]
    )
    assert [a.status_code for a in answers] == [302, 302], answers

    # and beat's reminder sweep reaches both workers at once, with reminders due about the unsigned letter
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(
            kind=ReminderKind.LETTER_UNSIGNED,
            object_key=f"letter:{unsigned.pk}",
            recipient_id=unsigned.signer_id,
            due_period=f"scale-out-{n:02d}",
            due_at=now,
            campaign=org.campaign,
        )  # fmt: skip
        for n in range(DIRECT_REMINDERS)
    )
    cluster.consuming(False)
    cluster.publish(reminders_sweep)
    cluster.publish(reminders_sweep)
    cluster.consuming(True)


def _settle(cluster: Cluster, servers: WebServers) -> None:
    """Wait until every PDF is stored, every reminder sent and the queue empty."""
    client = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        documents = Counter(LetterDocument.objects.values_list("status", flat=True))
        reminders = Counter(Reminder.objects.values_list("status", flat=True))
        if (
            documents == {DocumentStatus.READY: 3}
            and set(reminders) == {ReminderStatus.SENT}
            and client.llen(cluster.workers.queue) == 0
        ):
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"not settled in {SETTLE_TIMEOUT}s: documents {documents}, reminders {reminders}\n"
                f"{cluster.workers.tail()}\n{servers.tail()}"
            )
        time.sleep(0.2)
