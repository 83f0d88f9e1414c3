"""Reminders through 企业微信, 钉钉 and SMS: each adapter against the services as they answer on loopback
(responsibility.reminders.channels.loopback), and the channels' ledger: an outage loses nothing, a retry
sends nothing twice, the email and the other channels go on."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from core.requeue import stuck_work_requeue
from responsibility.letters.services.letters import letter_sign
from responsibility.reminders import channel_services
from responsibility.reminders.attempts import SendOutcome
from responsibility.reminders.channel_services import (
    channel_address_set,
    channel_deliveries_open,
    channel_deliveries_send_batch,
    channel_delivery_send,
)
from responsibility.reminders.channels import (
    ChannelError,
    ChannelMessage,
    channel_adapter,
    configured_channels,
)
from responsibility.reminders.channels.loopback import FakeChannels
from responsibility.reminders.models import (
    Channel,
    ChannelAddress,
    ChannelDelivery,
    Notification,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from responsibility.reminders.services import reminder_resend, reminder_send, reminders_sweep
from tests.conftest import attestation_for
from tests.responsibility.reminders.conftest import SEVEN_DAYS_BEFORE, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_queue_empty")]

MINUTE = datetime.timedelta(minutes=1)
ADDRESSES = {Channel.WECOM: "zhangsan", Channel.DINGTALK: "manager4521", Channel.SMS: "13800138000"}


@pytest.fixture
def fake(settings):
    """The three services on loopback, and the settings that point the adapters at them."""
    started = FakeChannels().start()
    credentials = started.state.credentials
    settings.WECOM_BASE_URL = f"{started.url}/wecom"
    settings.WECOM_CORP_ID, settings.WECOM_SECRET = credentials.corp_id, credentials.corp_secret
    settings.WECOM_AGENT_ID = settings.DINGTALK_AGENT_ID = credentials.agent_id
    settings.DINGTALK_BASE_URL = f"{started.url}/dingtalk"
    settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET = credentials.app_key, credentials.app_secret
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = f"{started.url}/sms/send", credentials.sms_token
    settings.SMS_SIGN_NAME, settings.SMS_TEMPLATE_CODE = "纪检监察组", "SMS_REMINDER"
    yield started
    started.stop()


@pytest.fixture
def queued(monkeypatch) -> list[list[int]]:
    """The channel send tasks queued (their delivery ids), instead of messages to a broker."""
    sent: list[list[int]] = []
    monkeypatch.setattr(
        channel_services.reminders_channel_send_task,
        "delay_on_commit",
        lambda *, delivery_ids: sent.append(list(delivery_ids)),
    )
    return sent


def message(key: str = "reminder-1.0.test") -> ChannelMessage:
    return ChannelMessage(
        kind=ReminderKind.LETTER_UNSIGNED,
        title="请签署责任书 2026-001" + ("" if key.startswith("reminder") else f"（{key}）"),
        text="距截止还有 7 天",
        url="http://127.0.0.1:8000/letters/1/",
        key=key,
    )


# --- The adapters against the services ------------------------------------------------------------


@pytest.mark.parametrize("channel", list(Channel))
def test_each_adapter_sends_the_message_as_its_service_documents(fake, channel):
    provider_id = channel_adapter(channel).send(address=ADDRESSES[channel], message=message())

    [received] = fake.received
    assert (received.channel, received.to) == (channel, ADDRESSES[channel])
    assert received.title == "请签署责任书 2026-001" and received.url == "http://127.0.0.1:8000/letters/1/"
    assert "距截止还有 7 天" in received.text or channel == Channel.SMS
    assert provider_id


def test_the_sms_text_carries_the_signature_the_title_and_the_link(fake):
    channel_adapter(Channel.SMS).send(address="13800138000", message=message())

    [received] = fake.received
    assert received.text == "【纪检监察组】请签署责任书 2026-001。详见：http://127.0.0.1:8000/letters/1/"


@pytest.mark.parametrize("channel", [Channel.WECOM, Channel.DINGTALK])
def test_an_access_token_is_fetched_once_and_kept(fake, channel):
    adapter = channel_adapter(channel)
    adapter.send(address=ADDRESSES[channel], message=message("a"))
    channel_adapter(channel).send(address=ADDRESSES[channel], message=message("b"))

    assert fake.calls(channel, "token") == 1
    assert fake.calls(channel, "send") == 2


@pytest.mark.parametrize("channel", [Channel.WECOM, Channel.DINGTALK])
def test_an_expired_token_is_fetched_again_once_and_the_message_goes_out(fake, channel):
    channel_adapter(channel).send(address=ADDRESSES[channel], message=message("a"))
    fake.tokens_expire()

    channel_adapter(channel).send(address=ADDRESSES[channel], message=message("b"))

    assert fake.calls(channel, "token") == 2
    assert fake.calls(channel, "send") == 3  # the refused one, and the one with the new token
    assert len(fake.received) == 2


def test_wrong_credentials_are_a_transient_refusal_naming_the_service(fake, settings):
    settings.WECOM_SECRET = "not-the-secret"

    with pytest.raises(ChannelError) as refused:
        channel_adapter(Channel.WECOM).send(address="zhangsan", message=message())

    assert not refused.value.permanent
    assert "企业微信" in str(refused.value) and "40001" in str(refused.value)
    assert fake.received == []


@pytest.mark.parametrize("channel", list(Channel))
def test_a_rate_limit_asks_to_wait(fake, channel):
    fake.fault_plan(channel, "rate")

    with pytest.raises(ChannelError) as refused:
        channel_adapter(channel).send(address=ADDRESSES[channel], message=message())

    assert not refused.value.permanent and refused.value.retry_after >= 30
    assert fake.received == []


@pytest.mark.parametrize("channel", list(Channel))
def test_an_outage_is_transient(fake, channel):
    fake.fault_plan(channel, "down")

    with pytest.raises(ChannelError) as refused:
        channel_adapter(channel).send(address=ADDRESSES[channel], message=message())

    assert not refused.value.permanent and refused.value.retry_after is None
    assert "503" in str(refused.value)


@pytest.mark.parametrize("channel", list(Channel))
def test_an_unknown_recipient_is_permanent(fake, channel):
    fake.state.unknown.add(ADDRESSES[channel])

    with pytest.raises(ChannelError) as refused:
        channel_adapter(channel).send(address=ADDRESSES[channel], message=message())

    assert refused.value.permanent


def test_a_closed_port_is_transient(settings, fake):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms/send"

    with pytest.raises(ChannelError) as refused:
        channel_adapter(Channel.SMS).send(address="13800138000", message=message())

    assert not refused.value.permanent


def test_only_channels_with_credentials_are_on(settings, fake):
    assert configured_channels() == [Channel.WECOM, Channel.DINGTALK, Channel.SMS]
    settings.DINGTALK_APP_SECRET = ""
    settings.SMS_GATEWAY_URL = ""

    assert configured_channels() == [Channel.WECOM]
    with pytest.raises(ChannelError):
        channel_adapter(Channel.SMS)


# --- Where people receive reminders ---------------------------------------------------------------


def test_a_person_sets_their_own_channels_and_bad_addresses_are_refused_in_chinese(org):
    head = org.head_posts[0].holder

    kept = channel_address_set(
        user=head, channel=Channel.SMS, address=" +86 138 0013 8000", enabled=True, changed_by=head
    )

    assert (kept.address, kept.enabled, kept.changed_by) == ("13800138000", True, head)
    with pytest.raises(ApplicationError, match="11 位|手机号"):
        channel_address_set(user=head, channel=Channel.SMS, address="12345", enabled=True, changed_by=head)
    with pytest.raises(ApplicationError, match="字母"):
        channel_address_set(user=head, channel=Channel.WECOM, address="张 三/", enabled=True, changed_by=head)
    assert ChannelAddress.objects.get(user=head, channel=Channel.SMS).address == "13800138000"
    assert not ChannelAddress.objects.filter(channel=Channel.WECOM).exists()
    # an empty address removes it
    assert (
        channel_address_set(user=head, channel=Channel.SMS, address="", enabled=True, changed_by=head) is None
    )
    assert not ChannelAddress.objects.exists()


def test_the_office_sets_anybodys_channels_and_nobody_else_may(org, django_capture_on_commit_callbacks):
    head, other = org.head_posts[0].holder, org.head_posts[1].holder

    with django_capture_on_commit_callbacks(execute=True):
        kept = channel_address_set(
            user=head, channel=Channel.WECOM, address="zhangsan", enabled=True, changed_by=org.office_admin
        )
    assert kept.changed_by == org.office_admin
    with pytest.raises(PermissionDenied):
        channel_address_set(user=head, channel=Channel.WECOM, address="lisi", enabled=True, changed_by=other)
    assert ChannelAddress.objects.get(user=head).address == "zhangsan"

    # the person is told, in the app and by email: nobody redirects another's reminders unnoticed
    [notice] = Notification.objects.filter(recipient=head)
    assert notice.title == "您的消息接收方式已被更改"
    assert "李管理" in notice.body and "企业微信" in notice.body and "zhangsan" in notice.body
    [email] = mail.outbox
    assert email.to == [head.email] and "zhangsan" in email.body


def test_a_change_by_the_person_or_no_change_tells_nobody(org):
    head = org.head_posts[0].holder
    channel_address_set(user=head, channel=Channel.SMS, address="13800138000", enabled=True, changed_by=head)
    channel_address_set(
        user=head, channel=Channel.SMS, address="13800138000", enabled=True, changed_by=org.office_admin
    )

    assert not Notification.objects.exists()
    assert ChannelAddress.objects.get(user=head).changed_by == head  # unchanged: who set it stays


def test_the_office_removing_an_account_is_told(org):
    head = org.head_posts[0].holder
    channel_address_set(user=head, channel=Channel.SMS, address="13800138000", enabled=True, changed_by=head)

    channel_address_set(user=head, channel=Channel.SMS, address="", enabled=True, changed_by=org.office_admin)

    assert not ChannelAddress.objects.exists()
    [notice] = Notification.objects.filter(recipient=head)
    assert "删除了您用于接收提醒的短信账号" in notice.body


# --- The ledger -----------------------------------------------------------------------------------


@pytest.fixture
def signer(org, issued_letters):
    """The first letter's signer, who receives reminders on all three channels."""
    person = issued_letters[0].signer
    for channel, address in ADDRESSES.items():
        channel_address_set(user=person, channel=channel, address=address, enabled=True, changed_by=person)
    return person


@pytest.fixture
def reminder(clock, issued_letters, signer) -> Reminder:
    """The signer's 7-day reminder, made by the sweep on its day."""
    clock.move_to(at(SEVEN_DAYS_BEFORE), tick=False)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)
    return Reminder.objects.get(kind=ReminderKind.LETTER_UNSIGNED, recipient=signer)


def test_a_reminder_goes_out_by_email_and_on_each_channel_the_person_receives_on(
    fake, queued, reminder, signer
):
    # when the reminder is sent
    assert reminder_send(reminder=reminder) == SendOutcome.SENT

    # then the email went, and one delivery per channel was made and queued
    assert len(mail.outbox) == 1
    deliveries = {d.channel: d for d in ChannelDelivery.objects.filter(reminder=reminder)}
    assert set(deliveries) == set(Channel) and {d.address for d in deliveries.values()} == set(
        ADDRESSES.values()
    )
    assert queued == [sorted(d.pk for d in deliveries.values())]

    # when the task runs, each is sent and marked sent with the service's message id
    assert channel_deliveries_send_batch(delivery_ids=queued[0]).ids == []
    assert {(r.channel, r.to) for r in fake.received} == set(ADDRESSES.items())
    subject = mail.outbox[0].subject
    assert all(r.title == subject for r in fake.received)
    for delivery in ChannelDelivery.objects.filter(reminder=reminder):
        assert (delivery.status, delivery.attempts) == (ReminderStatus.SENT, 1)
        assert delivery.provider_message_id and delivery.sent_at


def test_a_disabled_or_unconfigured_channel_gets_nothing(fake, queued, reminder, signer, settings):
    ChannelAddress.objects.filter(user=signer, channel=Channel.WECOM).update(enabled=False)
    settings.SMS_GATEWAY_TOKEN = ""

    reminder_send(reminder=reminder)

    assert list(ChannelDelivery.objects.values_list("channel", flat=True)) == [Channel.DINGTALK]


def test_opening_costs_nothing_without_channels_and_one_query_for_a_person_with_none(
    settings, reminder, queued, django_assert_num_queries, org
):
    with django_assert_num_queries(0):
        assert channel_deliveries_open(reminder=reminder, now=reminder.due_at) == []
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "http://127.0.0.1:9/sms/send", "token"
    ChannelAddress.objects.all().delete()
    with django_assert_num_queries(1):
        assert channel_deliveries_open(reminder=reminder, now=reminder.due_at) == []


def test_an_outage_of_one_channel_loses_nothing_and_holds_back_nothing_else(fake, queued, clock, reminder):
    # given 企业微信 down for two attempts
    fake.fault_plan(Channel.WECOM, "down", "down")
    reminder_send(reminder=reminder)

    # when the task runs: 钉钉 and SMS go out, 企业微信 waits its minute
    retry = channel_deliveries_send_batch(delivery_ids=queued[0])
    wecom = ChannelDelivery.objects.get(channel=Channel.WECOM)
    assert retry.ids == [wecom.pk] and 55 <= retry.countdown <= 60
    assert (wecom.status, wecom.attempts, wecom.retry_at) == (
        ReminderStatus.PENDING,
        1,
        at(SEVEN_DAYS_BEFORE) + MINUTE,
    )
    assert "503" in wecom.last_error
    assert sorted(r.channel for r in fake.received) == [Channel.DINGTALK, Channel.SMS]

    # a message arriving early claims nothing (the back-off holds)
    assert channel_delivery_send(delivery=wecom) == SendOutcome.SKIPPED
    # after one minute it fails again and waits two; after them, it goes out once
    clock.move_to(at(SEVEN_DAYS_BEFORE) + MINUTE, tick=False)
    assert channel_delivery_send(delivery=wecom) == SendOutcome.RETRY
    clock.move_to(at(SEVEN_DAYS_BEFORE) + 3 * MINUTE, tick=False)
    assert channel_delivery_send(delivery=wecom) == SendOutcome.SENT
    assert sorted(r.channel for r in fake.received) == [Channel.DINGTALK, Channel.SMS, Channel.WECOM]
    wecom.refresh_from_db()
    assert (wecom.status, wecom.attempts, wecom.last_error) == (ReminderStatus.SENT, 3, "")
    # the email was sent once, at the start
    assert len(mail.outbox) == 1


def test_the_last_attempt_failing_fails_the_delivery(fake, queued, clock, reminder, monkeypatch):
    monkeypatch.setattr(channel_services, "MAX_ATTEMPTS", 2)
    fake.fault_plan(Channel.SMS, "down", "down")
    reminder_send(reminder=reminder)
    sms = ChannelDelivery.objects.get(channel=Channel.SMS)

    channel_delivery_send(delivery=sms)
    clock.move_to(at(SEVEN_DAYS_BEFORE) + MINUTE, tick=False)
    assert channel_delivery_send(delivery=sms) == SendOutcome.FAILED

    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.retry_at) == (ReminderStatus.FAILED, 2, None)


def test_an_unknown_account_fails_at_once_and_the_others_go_out(fake, queued, reminder):
    fake.state.unknown.add(ADDRESSES[Channel.DINGTALK])
    reminder_send(reminder=reminder)

    channel_deliveries_send_batch(delivery_ids=queued[0])

    states = dict(ChannelDelivery.objects.values_list("channel", "status"))
    assert states == {
        Channel.WECOM: ReminderStatus.SENT,
        Channel.DINGTALK: ReminderStatus.FAILED,
        Channel.SMS: ReminderStatus.SENT,
    }
    assert "60121" in ChannelDelivery.objects.get(channel=Channel.DINGTALK).last_error


def test_a_rate_limit_holds_the_channels_other_messages_without_calling_it(
    fake, queued, org, issued_letters, clock
):
    # given both signers on 企业微信 only, and 企业微信 answering "too fast" once
    for number, letter in enumerate(issued_letters):
        channel_address_set(
            user=letter.signer,
            channel=Channel.WECOM,
            address=f"head{number}",
            enabled=True,
            changed_by=org.office_admin,
        )
    clock.move_to(at(SEVEN_DAYS_BEFORE), tick=False)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)
    for reminder in Reminder.objects.filter(kind=ReminderKind.LETTER_UNSIGNED):
        reminder_send(reminder=reminder)
    fake.fault_plan(Channel.WECOM, "rate")
    ids = [pk for batch in queued for pk in batch]

    # when the task runs
    retry = channel_deliveries_send_batch(delivery_ids=ids)

    # then the second was not tried, and both wait at least the minute the channel asked
    assert fake.calls(Channel.WECOM, "send") == 1
    assert sorted(retry.ids) == sorted(ids) and retry.countdown >= 60
    assert list(ChannelDelivery.objects.order_by("pk").values_list("attempts", flat=True)) == [1, 0]
    # a minute later both go out
    clock.move_to(at(SEVEN_DAYS_BEFORE) + MINUTE, tick=False)
    assert channel_deliveries_send_batch(delivery_ids=retry.ids).ids == []
    assert len(fake.received) == 2


def test_the_emails_retry_makes_no_second_delivery(fake, queued, clock, reminder, settings):
    settings.EMAIL_BACKEND = "tests.responsibility.reminders.mail_backends.ScriptedBackend"
    from tests.responsibility.reminders.mail_backends import ScriptedBackend

    ScriptedBackend.errors = [OSError("mail server down")]
    try:
        assert reminder_send(reminder=reminder) == SendOutcome.RETRY
        clock.move_to(at(SEVEN_DAYS_BEFORE) + MINUTE, tick=False)
        assert reminder_send(reminder=reminder) == SendOutcome.SENT
    finally:
        ScriptedBackend.errors = []

    assert ChannelDelivery.objects.count() == 3
    assert len(queued) == 1


class WorkerKilled(BaseException):
    """A worker process killed: nothing after it runs, not even except clauses."""


def test_a_worker_killed_after_the_service_accepted_is_sent_again_and_the_service_drops_the_copy(
    fake, queued, clock, reminder, monkeypatch
):
    # given the SMS accepted by the gateway, and the worker killed before "sent" was recorded
    reminder_send(reminder=reminder)
    sms = ChannelDelivery.objects.get(channel=Channel.SMS)
    real_send = type(channel_adapter(Channel.SMS)).send

    def send_then_die(self, **kwargs):
        real_send(self, **kwargs)
        raise WorkerKilled

    with monkeypatch.context() as patched, pytest.raises(WorkerKilled):
        patched.setattr(type(channel_adapter(Channel.SMS)), "send", send_then_die)
        channel_delivery_send(delivery=sms)
    sms.refresh_from_db()
    assert sms.status == ReminderStatus.SENDING

    # when the claim times out, the requeue queues it again, and a worker sends it
    clock.move_to(at(SEVEN_DAYS_BEFORE) + 3 * MINUTE, tick=False)
    queued.clear()
    assert stuck_work_requeue()["reminders through channels"] >= 1
    assert sms.pk in queued[0]
    assert channel_delivery_send(delivery=sms) == SendOutcome.SENT

    # then the same out_id went twice, and the person got it once
    assert [r.channel for r in fake.received] == [Channel.SMS]
    assert [r.channel for r in fake.dropped] == [Channel.SMS]
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (ReminderStatus.SENT, 2)


def test_a_lost_task_message_is_queued_again_once_per_wait(fake, queued, clock, reminder):
    reminder_send(reminder=reminder)  # its channel task's message is lost (never run)
    queued.clear()

    clock.move_to(at(SEVEN_DAYS_BEFORE) + MINUTE, tick=False)
    assert stuck_work_requeue()["reminders through channels"] == 0
    clock.move_to(at(SEVEN_DAYS_BEFORE) + 2.5 * MINUTE, tick=False)
    assert stuck_work_requeue()["reminders through channels"] == 3
    assert stuck_work_requeue()["reminders through channels"] == 0
    assert len(queued) == 1 and len(queued[0]) == 3


def test_work_done_before_the_channel_sends_cancels_it(fake, queued, reminder, issued_letters):
    reminder_send(reminder=reminder)
    letter = issued_letters[0]
    letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))

    channel_deliveries_send_batch(delivery_ids=queued[0])

    assert set(ChannelDelivery.objects.values_list("status", flat=True)) == {ReminderStatus.CANCELLED}
    assert fake.received == []


def test_the_offices_resend_makes_a_new_round_that_dingtalk_shows_again(fake, queued, reminder, org):
    reminder_send(reminder=reminder)
    channel_deliveries_send_batch(delivery_ids=queued[0])

    reminder_resend(reminder=reminder, resent_by=org.office_admin)
    reminder_send(reminder=reminder)
    channel_deliveries_send_batch(delivery_ids=queued[1])

    assert sorted(ChannelDelivery.objects.values_list("round", flat=True)) == [0, 0, 0, 1, 1, 1]
    assert len(fake.received) == 6 and fake.dropped == []
    dingtalk = [r for r in fake.received if r.channel == Channel.DINGTALK]
    assert "第 1 次" in dingtalk[1].text and "第 1 次" not in dingtalk[0].text
    wecom = [r for r in fake.received if r.channel == Channel.WECOM]
    assert "第 1 次" in wecom[1].text


def test_an_expired_token_in_the_middle_of_a_batch_is_renewed_once(fake, queued, reminder):
    reminder_send(reminder=reminder)
    channel_adapter(Channel.WECOM).tokens.token()  # a token kept from before
    fake.tokens_expire()

    channel_deliveries_send_batch(delivery_ids=queued[0])

    assert ChannelDelivery.objects.get(channel=Channel.WECOM).status == ReminderStatus.SENT
    assert fake.calls(Channel.WECOM, "token") == 2
