"""Webhooks: subscribing (and each refusal, nothing made), one delivery per event and subscription, signed
sending to a receiver on loopback, back-off on failures, failing for good, re-sending, stopping, the
address rules of production, lost tasks queued again, overdue problems announced once."""

import datetime
import json
import uuid

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from core import clock as site_clock
from core.announcements import AnnouncementKind, announce
from core.errors import ApplicationError, FrozenRecordError
from responsibility.api.models import Scope
from responsibility.api.services import api_client_revoke
from responsibility.letters.services.letters import letter_countersign, letter_sign, letter_void
from responsibility.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from responsibility.webhooks.services import (
    webhook_deliveries_requeue_lost,
    webhook_delivery_resend,
    webhook_secret_renew,
    webhook_sends_queue,
    webhook_stop,
    webhook_subscribe,
    webhooks_deliver_batch,
    webhooks_overdue_announce,
    webhooks_send_due,
)
from responsibility.webhooks.signing import secret_decrypt, signature_valid
from tests.conftest import attestation_for
from tests.factories import UserFactory
from tests.responsibility.assessment.conftest import assessment_round, published  # noqa: F401
from tests.responsibility.assessment.test_objections import approved_round  # noqa: F401
from tests.responsibility.duties.conftest import clock, duties  # noqa: F401
from tests.responsibility.inspections.conftest import (  # noqa: F401
    committee_inspection,
    drawn,
    finding,
    finding_ticked_off,
    supervision,
)

pytestmark = pytest.mark.django_db


def _send_all() -> None:
    """What the send tasks do, run here: every delivery waiting now."""
    waiting = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True)
    webhooks_deliver_batch(delivery_ids=list(waiting))


def _sign(letter):
    return letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))


# --- Subscribing ----------------------------------------------------------------------------------


def test_the_office_subscribes_and_the_secret_is_kept_encrypted(subscribe, receiver):
    subscription, secret = subscribe(receiver.url, events=[AnnouncementKind.LETTER_SIGNED])

    stored = WebhookSubscription.objects.get(pk=subscription.pk)
    assert len(secret) == 43 and secret not in stored.secret_encrypted
    assert secret_decrypt(stored.secret_encrypted) == secret and stored.secret_prefix == secret[:8]
    assert stored.events == ["letter.signed"] and stored.url == receiver.url


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("ftp://oa.example.cn/hook", ["letter.signed"], "必须是 http 或 https 地址"),
        ("https://user:pw@oa.example.cn/hook", ["letter.signed"], "不能带用户名或密码"),
        ("https://no-such-host.invalid/hook", ["letter.signed"], "无法解析"),
        ("http://127.0.0.1:9/hook", [], "至少选择一个事件"),
        ("http://127.0.0.1:9/hook", ["letter.burned"], "未知的事件"),
    ],
)
def test_a_bad_subscription_is_refused_and_nothing_made(subscribe, url, events, message):
    with pytest.raises(ApplicationError, match=message):
        subscribe(url, events=events)
    assert not WebhookSubscription.objects.exists()


def test_an_event_the_clients_scopes_do_not_cover_is_refused(org, make_caller):
    letters_only = make_caller(scopes=[Scope.READ_LETTERS])

    with pytest.raises(ApplicationError, match="读取问题及整改情况"):
        webhook_subscribe(
            client=letters_only.client,
            url="http://127.0.0.1:9/",
            events=["letter.signed", "problem.closed"],
            created_by=org.office_admin,
        )
    assert not WebhookSubscription.objects.exists()


def test_production_requires_https_and_a_public_address(settings, subscribe):
    settings.WEBHOOK_REQUIRE_HTTPS, settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True, False

    for url, message in [
        ("http://oa.example.cn/hook", "必须使用 https"),
        ("https://127.0.0.1/hook", "不是公网地址"),
        ("https://10.1.2.3/hook", "不是公网地址"),
        ("https://169.254.169.254/latest/meta-data", "不是公网地址"),
        ("https://[::1]/hook", "不是公网地址"),
        ("https://[::ffff:192.168.1.1]/hook", "不是公网地址"),
        ("https://localhost/hook", "不是公网地址"),
    ]:
        with pytest.raises(ApplicationError, match=message):
            subscribe(url)
    assert not WebhookSubscription.objects.exists()


def test_only_the_office_subscribes_and_never_for_a_revoked_client(org, oa, subscribe, receiver):
    for user in (org.inspector, UserFactory(roles=[Role.AUDIT_ADMIN]), oa.client.account):
        with pytest.raises(PermissionDenied):
            webhook_subscribe(client=oa.client, url=receiver.url, events=["letter.signed"], created_by=user)
    api_client_revoke(client=oa.client, revoked_by=org.office_admin, reason="停用", expected_version=None)
    with pytest.raises(ApplicationError, match="已吊销"):
        subscribe(receiver.url)
    assert not WebhookSubscription.objects.exists()


def test_one_address_is_subscribed_once_per_client(subscribe, receiver):
    subscribe(receiver.url)
    with pytest.raises(ApplicationError, match="已有订阅"):
        subscribe(receiver.url)
    assert WebhookSubscription.objects.count() == 1


# --- One delivery per event and subscription ------------------------------------------------------


def test_each_letter_event_is_recorded_once_for_each_subscription_to_it(subscribe, receiver, issued_letters):
    letter = issued_letters[0]
    everything, _ = subscribe(receiver.url)
    signed_only, _ = subscribe(receiver.url + "&second", events=[AnnouncementKind.LETTER_SIGNED])

    letter = _sign(letter)
    letter = letter_countersign(
        letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
    )
    letter_void(letter=issued_letters[1], voided_by=issued_letters[1].issuer, reason="人员调整")

    rows = sorted(WebhookDelivery.objects.values_list("subscription_id", "event", "subject"))
    assert rows == sorted(
        [
            (everything.pk, "letter.signed", f"letter:{letter.pk}"),
            (everything.pk, "letter.countersigned", f"letter:{letter.pk}"),
            (everything.pk, "letter.voided", f"letter:{issued_letters[1].pk}"),
            (signed_only.pk, "letter.signed", f"letter:{letter.pk}"),
        ]
    )
    body = json.loads(WebhookDelivery.objects.filter(event="letter.signed").first().body)
    assert body["type"] == "letter.signed" and body["subject"]["id"] == letter.pk
    assert body["subject"]["url"].endswith(f"/api/v1/letters/{letter.pk}/")
    # the same event id for both subscriptions: the receiver de-duplicates by it
    assert WebhookDelivery.objects.filter(event="letter.signed").values("event_id").distinct().count() == 1


def test_an_event_announced_again_records_nothing_more(subscribe, receiver):
    subscribe(receiver.url)
    moment = site_clock.now()
    for _ in range(3):  # e.g. a sealed PDF's attach task delivered three times
        announce(
            kind=AnnouncementKind.LETTER_SEALED, subject="letter:7", occasion="ab" * 32, occurred_at=moment
        )

    assert WebhookDelivery.objects.count() == 1


def test_a_stopped_subscription_records_nothing(org, subscribe, receiver, issued_letters):
    stopped, _ = subscribe(receiver.url)
    webhook_stop(subscription=stopped, stopped_by=org.office_admin, reason="系统迁移", expected_version=None)
    _sign(issued_letters[0])
    assert not WebhookDelivery.objects.exists()


def test_an_event_costs_two_queries_for_the_subscriptions(subscribe, receiver, issued_letters):
    for number in range(4):
        subscribe(f"{receiver.url}&n={number}")
    moment = site_clock.now()

    with CaptureQueriesContext(connection) as queries:
        announce(kind=AnnouncementKind.LETTER_SIGNED, subject="letter:1", occasion="x", occurred_at=moment)

    assert len(queries) == 2 and WebhookDelivery.objects.count() == 4  # read the subscriptions, one insert


def test_problem_closed_and_results_published_are_announced(subscribe, receiver, finding, org):  # noqa: F811
    subscribe(receiver.url)

    finding_ticked_off(finding, by=finding.inspection.inspectors.first())

    delivery = WebhookDelivery.objects.get(event="problem.closed")
    assert delivery.subject == f"problem:{finding.pk}"
    assert json.loads(delivery.body)["subject"]["url"].endswith(f"/api/v1/problems/{finding.pk}/")


@pytest.fixture
def results_subscription(subscribe, receiver, clock):  # noqa: F811 (the assessment's moved clock)
    """Subscribed before the round is approved, on the clock the assessment's fixtures move."""
    return subscribe(receiver.url, events=[AnnouncementKind.ASSESSMENT_PUBLISHED])


def test_published_results_are_announced(results_subscription, approved_round):  # noqa: F811
    approved = approved_round

    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.subject) == ("assessment.published", f"round:{approved.pk}")
    assert json.loads(delivery.body)["subject"]["url"].endswith(f"/api/v1/assessment-rounds/{approved.pk}/")


# --- Sending --------------------------------------------------------------------------------------


def test_a_delivery_is_signed_and_delivered_with_its_event_id(subscribe, receiver, issued_letters):
    subscription, secret = subscribe(receiver.url)
    _sign(issued_letters[0])

    _send_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.response_code == 200
    assert delivery.attempts == 1 and delivery.delivered_at is not None
    [received] = receiver.received
    assert received.path == "/hooks/letters?from=test" and received.body == delivery.body.encode()
    assert received.headers["x-event-id"] == str(delivery.event_id)
    assert received.headers["x-event-type"] == "letter.signed"
    assert received.headers["content-type"] == "application/json; charset=utf-8"
    assert signature_valid(secret=secret, header=received.headers["x-signature"], body=received.body)
    assert not signature_valid(
        secret=secret, header=received.headers["x-signature"], body=received.body + b" "
    )
    assert not signature_valid(secret="another", header=received.headers["x-signature"], body=received.body)
    [attempt] = WebhookAttempt.objects.filter(delivery=delivery)
    assert attempt.response_code == 200 and attempt.number == 1


def test_a_failing_receiver_is_tried_again_after_a_doubling_delay(subscribe, receiver, issued_letters):
    subscribe(receiver.url)
    _sign(issued_letters[0])
    receiver.answers.extend([500, 503])
    start = site_clock.now()

    with time_machine.travel(start, tick=False) as traveller:
        _send_all()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.response_code == 500
        assert delivery.retry_at == start + datetime.timedelta(minutes=1) and "500" in delivery.last_error
        _send_all()  # before its delay: not claimed, not sent
        assert len(receiver.received) == 1
        traveller.shift(datetime.timedelta(seconds=61))
        _send_all()
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and delivery.response_code == 503
        assert delivery.retry_at == site_clock.now() + datetime.timedelta(minutes=2)
        traveller.shift(datetime.timedelta(minutes=2, seconds=1))
        _send_all()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(receiver.received) == 3
    assert list(WebhookAttempt.objects.order_by("number").values_list("response_code", flat=True)) == [
        500,
        503,
        200,
    ]
    assert len({r.headers["x-event-id"] for r in receiver.received}) == 1


def test_a_refusal_fails_at_once_and_a_rate_limit_is_tried_again(subscribe, receiver, issued_letters):
    subscribe(receiver.url)
    _sign(issued_letters[0])
    _sign(issued_letters[1])
    receiver.answers.extend([400, 429])

    _send_all()

    first, second = WebhookDelivery.objects.order_by("pk")
    assert (first.status, first.response_code) == (DeliveryStatus.FAILED, 400)
    assert (second.status, second.response_code) == (DeliveryStatus.PENDING, 429)
    assert "400" in first.last_error


def test_an_unreachable_receiver_is_tried_again_with_a_clear_error(subscribe, issued_letters):
    subscribe("http://127.0.0.1:9/closed")  # the discard port: nothing listens
    _sign(issued_letters[0])

    _send_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.response_code is None
    assert "无法连接接收方" in delivery.last_error


def test_a_slow_receiver_times_out(settings, subscribe, receiver, issued_letters):
    """About 1 s: the receiver waits longer than the read timeout, lowered to 0.5 s."""
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    receiver.delay = 1.0
    subscribe(receiver.url)
    _sign(issued_letters[0])

    _send_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "没有及时应答" in delivery.last_error


def test_after_the_last_attempt_a_delivery_fails(settings, subscribe, receiver, issued_letters):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    subscribe(receiver.url)
    _sign(issued_letters[0])
    receiver.answers.extend([500, 500])

    with time_machine.travel(site_clock.now(), tick=False) as traveller:
        _send_all()
        traveller.shift(datetime.timedelta(minutes=2))
        _send_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2


def test_an_address_that_became_private_is_refused_at_sending(settings, subscribe, receiver, issued_letters):
    subscribe(receiver.url)
    _sign(issued_letters[0])
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # e.g. its name now resolves to an inside address

    _send_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "不是公网地址" in delivery.last_error
    assert receiver.received == []


def test_a_secret_unreadable_after_a_key_change_fails_with_its_reason(
    settings, subscribe, receiver, issued_letters
):
    subscribe(receiver.url)
    _sign(issued_letters[0])
    settings.WEBHOOK_SECRET_KEY = "k" * 43 + "="

    _send_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "生成新密钥" in delivery.last_error


def test_a_revoked_client_or_stopped_subscription_is_sent_nothing_more(
    org, oa, subscribe, receiver, issued_letters
):
    subscription, _ = subscribe(receiver.url)
    _sign(issued_letters[0])
    api_client_revoke(client=oa.client, revoked_by=org.office_admin, reason="停用", expected_version=None)

    _send_all()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.CANCELLED and receiver.received == []
    assert "已吊销" in delivery.last_error


def test_stopping_cancels_what_waits_and_is_for_good(org, subscribe, receiver, issued_letters):
    subscription, _ = subscribe(receiver.url)
    _sign(issued_letters[0])

    stopped = webhook_stop(
        subscription=subscription, stopped_by=org.office_admin, reason="对接结束", expected_version=1
    )

    assert WebhookDelivery.objects.get().status == DeliveryStatus.CANCELLED
    for call in (
        lambda: webhook_stop(
            subscription=stopped, stopped_by=org.office_admin, reason="再停", expected_version=None
        ),
        lambda: webhook_secret_renew(
            subscription=stopped, renewed_by=org.office_admin, expected_version=None
        ),
    ):
        with pytest.raises(ApplicationError):
            call()


def test_a_stop_needs_its_reason_and_a_current_page(org, subscribe, receiver):
    subscription, _ = subscribe(receiver.url)
    for reason, version, message in [("  ", 1, "停用原因"), ("迁移", 7, "其他人修改了该订阅")]:
        with pytest.raises(ApplicationError, match=message):
            webhook_stop(
                subscription=subscription,
                stopped_by=org.office_admin,
                reason=reason,
                expected_version=version,
            )
    assert not WebhookSubscription.objects.get().is_stopped


def test_a_new_secret_signs_the_next_deliveries(org, subscribe, receiver, issued_letters):
    subscription, old = subscribe(receiver.url)
    new = webhook_secret_renew(subscription=subscription, renewed_by=org.office_admin, expected_version=1)
    _sign(issued_letters[0])

    _send_all()

    header, body = receiver.received[0].headers["x-signature"], receiver.received[0].body
    assert new != old and signature_valid(secret=new, header=header, body=body)
    assert not signature_valid(secret=old, header=header, body=body)


# --- The office's re-send -------------------------------------------------------------------------


def test_the_office_resends_a_delivery_with_the_same_event_id(org, subscribe, receiver, issued_letters):
    subscribe(receiver.url)
    _sign(issued_letters[0])
    _send_all()
    delivery = WebhookDelivery.objects.get()

    webhook_delivery_resend(delivery=delivery, resent_by=org.office_admin)
    with pytest.raises(ApplicationError, match="已在等待发送"):  # a double click
        webhook_delivery_resend(delivery=delivery, resent_by=org.office_admin)
    _send_all()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.resend_count == 1
    assert delivery.resent_by == org.office_admin
    assert [r.headers["x-event-id"] for r in receiver.received] == [str(delivery.event_id)] * 2
    with pytest.raises(PermissionDenied):
        webhook_delivery_resend(delivery=delivery, resent_by=UserFactory(roles=[Role.AUDIT_ADMIN]))


def test_an_attempt_on_record_never_changes(subscribe, receiver, issued_letters):
    subscribe(receiver.url)
    _sign(issued_letters[0])
    _send_all()
    attempt = WebhookAttempt.objects.get()

    with pytest.raises(FrozenRecordError):
        WebhookAttempt.objects.filter(pk=attempt.pk).update(response_code=500)
    with pytest.raises(FrozenRecordError):
        attempt.delete()


# --- Send tasks: one waits per subscription --------------------------------------------------------


def test_a_burst_of_events_queues_one_send_task_per_subscription(
    subscribe, receiver, queued, django_capture_on_commit_callbacks
):
    first, _ = subscribe(receiver.url)
    second, _ = subscribe(receiver.url + "&second", events=[AnnouncementKind.LETTER_SIGNED])
    moment = site_clock.now()

    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            announce(
                kind=AnnouncementKind.LETTER_SIGNED,
                subject=f"letter:{number}",
                occasion="x",
                occurred_at=moment,
            )

    assert sorted(queued) == [(first.pk, 0), (second.pk, 0)]
    assert webhooks_send_due(subscription_id=first.pk) == 5  # the task sends the whole burst
    assert len(receiver.received) == 5
    with django_capture_on_commit_callbacks(execute=True):  # its ticket is gone: a new event queues anew
        announce(kind=AnnouncementKind.LETTER_SIGNED, subject="letter:9", occasion="x", occurred_at=moment)
    assert queued[-1] == (first.pk, 0) and len(queued) == 3  # the second's ticket still waits


def test_a_ticket_whose_task_was_lost_is_replaced(subscribe, receiver, queued):
    subscription, _ = subscribe(receiver.url)
    later = site_clock.now() + datetime.timedelta(minutes=3)

    assert webhook_sends_queue(subscription_ids=[subscription.pk]) == 1
    assert webhook_sends_queue(subscription_ids=[subscription.pk]) == 0  # one waits
    with time_machine.travel(later, tick=False):
        assert webhook_sends_queue(subscription_ids=[subscription.pk]) == 1  # it waited too long: lost
    assert len(queued) == 2


def test_a_send_task_sends_its_batch_and_queues_the_rest_and_the_retries(
    settings, subscribe, receiver, issued_letters, queued
):
    settings.WEBHOOK_SEND_BATCH = 1
    subscription, _ = subscribe(receiver.url)
    _sign(issued_letters[0])
    _sign(issued_letters[1])
    receiver.answers.extend([500])

    assert webhooks_send_due(subscription_id=subscription.pk) == 0  # the first failed for now
    assert queued[-1] == (subscription.pk, 0)  # the second waits for the next task
    assert webhooks_send_due(subscription_id=subscription.pk) == 1
    assert queued[-1] == (subscription.pk, 60)  # then the first again, after its delay


# --- Lost tasks, and overdue problems -------------------------------------------------------------


def test_a_delivery_whose_task_was_lost_is_queued_again(subscribe, receiver, issued_letters):
    subscribe(receiver.url)
    _sign(issued_letters[0])
    delivery = WebhookDelivery.objects.get()
    later = site_clock.now() + datetime.timedelta(minutes=3)

    assert (
        webhook_deliveries_requeue_lost(
            cutoff=site_clock.now() - datetime.timedelta(minutes=2), now=site_clock.now()
        )
        == 0
    )
    assert webhook_deliveries_requeue_lost(cutoff=later - datetime.timedelta(minutes=2), now=later) == 1
    delivery.refresh_from_db()
    assert delivery.enqueued_at == later
    # a send that died holding its claim: claimed again once the claim timed out
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, claimed_at=later)
    assert webhook_deliveries_requeue_lost(cutoff=later, now=later + datetime.timedelta(minutes=1)) == 0
    assert webhook_deliveries_requeue_lost(cutoff=later, now=later + datetime.timedelta(minutes=3)) == 1
    with time_machine.travel(later + datetime.timedelta(minutes=3), tick=False):
        _send_all()
        webhooks_deliver_batch(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(receiver.received) == 1


def test_an_overdue_problem_is_announced_once(subscribe, receiver, finding):  # noqa: F811
    subscribe(receiver.url, events=[AnnouncementKind.PROBLEM_OVERDUE])
    deadline = finding.rectification.deadline

    assert webhooks_overdue_announce(today=deadline) == 0  # on its last day it is not overdue
    assert webhooks_overdue_announce(today=deadline + datetime.timedelta(days=1)) == 1
    assert webhooks_overdue_announce(today=deadline + datetime.timedelta(days=2)) == 1  # the same event

    delivery = WebhookDelivery.objects.get()
    assert delivery.subject == f"problem:{finding.pk}" and delivery.event == "problem.overdue"
    assert delivery.event_id != uuid.UUID(int=0)
    assert timezone.localtime(delivery.occurred_at).date() == deadline + datetime.timedelta(days=1)


def test_the_trial_receiver_prints_each_delivery_and_checks_its_signature(tmp_path):
    """About 2 s: the command runs as a process of its own, as a person trying webhooks starts it."""
    import os
    import socket
    import subprocess
    import sys
    import time

    from responsibility.webhooks.addresses import Sender, webhook_target
    from responsibility.webhooks.signing import signature_header

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "receiver.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "webhook_receiver", "--port", str(port), "--secret", "s3cret"],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        )
    try:
        deadline = time.monotonic() + 30
        while "接收事件推送" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        body = b'{"id":"e1","type":"letter.signed"}'
        sender = Sender()
        target = webhook_target(f"http://127.0.0.1:{port}/hooks")
        good = signature_header(secret="s3cret", timestamp=int(time.time()), body=body)
        bad = signature_header(secret="other", timestamp=int(time.time()), body=body)
        for header in (good, bad):
            headers = {"X-Signature": header, "X-Event-Type": "letter.signed", "X-Event-Id": "e1"}
            assert sender.post(target, body=body, headers=headers) == 200
        sender.close()
        time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=10)
    printed = log.read_text()
    assert "letter.signed e1" in printed and "签名正确" in printed and "签名不符" in printed
