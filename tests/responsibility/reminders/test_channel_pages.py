"""The pages where reminders' channels are set: each person's own (消息接收方式), the office's list of people
and its page for one person; who may open which (404 for the rest), bad input, and the reminder log's
per-channel states."""

import pytest
from django.urls import reverse

from responsibility.reminders.channel_services import channel_address_set
from responsibility.reminders.models import Channel, ChannelAddress, ChannelDelivery, Reminder, ReminderKind
from responsibility.reminders.services import reminder_send, reminders_sweep
from tests.responsibility.reminders.conftest import SEVEN_DAYS_BEFORE, at

pytestmark = pytest.mark.django_db

ROLES = ["office_admin", "secretary", "inspector", "outsider"]


@pytest.fixture
def channels_on(settings):
    """企业微信 and SMS configured (nothing is sent in these tests)."""
    settings.WECOM_CORP_ID, settings.WECOM_SECRET, settings.WECOM_AGENT_ID = "corp", "secret", "1000002"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "http://127.0.0.1:9/sms/send", "token"


def person(org, role: str):
    return org.office_admin if role == "office_admin" else getattr(org, role)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sets_their_own_channels(client, org, channels_on, role):
    user = person(org, role)
    client.force_login(user)
    url = reverse("responsibility:channel-settings")

    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "消息接收方式" in text
        and "企业微信" in text
        and "短信" in text
        and "钉钉" not in text.split("<form")[1]
    )

    response = client.post(
        url, {"wecom_address": "zhangsan", "wecom_enabled": "on", "sms_address": "138 0013 8000"}
    )
    assert response.status_code == 302
    kept = {a.channel: (a.address, a.enabled) for a in ChannelAddress.objects.filter(user=user)}
    assert kept == {Channel.WECOM: ("zhangsan", True), Channel.SMS: ("13800138000", False)}


def test_a_bad_number_is_refused_in_chinese_and_nothing_is_saved(client, org, channels_on):
    client.force_login(org.secretary)

    response = client.post(
        reverse("responsibility:channel-settings"),
        {"wecom_address": "zhangsan", "wecom_enabled": "on", "sms_address": "12345", "sms_enabled": "on"},
    )

    assert response.status_code == 200
    assert "请填写 11 位手机号码" in response.content.decode()
    assert not ChannelAddress.objects.exists()


def test_without_configured_channels_the_page_says_so(client, org):
    client.force_login(org.secretary)

    page = client.get(reverse("responsibility:channel-settings")).content.decode()
    response = client.post(reverse("responsibility:channel-settings"), {"wecom_address": "zhangsan"})

    assert "服务器未配置这些渠道" in page
    assert response.status_code == 200 and not ChannelAddress.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_sees_and_sets_other_peoples_channels(client, org, channels_on, role):
    client.force_login(person(org, role))
    head = org.heads[0]

    listing = client.get(reverse("responsibility:channel-people"), {"q": head.full_name})
    one = client.get(reverse("responsibility:channel-person", args=[head.pk]))
    posted = client.post(
        reverse("responsibility:channel-person", args=[head.pk]),
        {"wecom_address": "zhangsan", "wecom_enabled": "on"},
    )

    if role == "office_admin":
        assert listing.status_code == 200 and head.full_name in listing.content.decode()
        assert one.status_code == 200 and posted.status_code == 302
        address = ChannelAddress.objects.get(user=head)
        assert (address.address, address.changed_by) == ("zhangsan", org.office_admin)
        # the person sees who set it
        client.force_login(head)
        assert "由李管理于" in client.get(reverse("responsibility:channel-settings")).content.decode()
    else:
        assert (listing.status_code, one.status_code, posted.status_code) == (404, 404, 404)
        assert not ChannelAddress.objects.exists()


def test_the_office_list_pages_and_searches_in_a_fixed_number_of_queries(
    client, org, channels_on, django_assert_max_num_queries
):
    for number, head in enumerate(org.heads):
        channel_address_set(
            user=head, channel=Channel.WECOM, address=f"head{number}", enabled=True, changed_by=head
        )
    client.force_login(org.office_admin)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("responsibility:channel-people")).content.decode()

    assert '企业微信：<span translate="no">head0<' in page and ">head1<" in page
    assert "仅电子邮件和站内消息" in page  # the others
    assert (
        org.outsider.full_name
        not in client.get(
            reverse("responsibility:channel-people"), {"q": org.heads[0].full_name}
        ).content.decode()
    )


def test_the_reminder_log_shows_each_channels_state(
    client, org, channels_on, clock, issued_letters, monkeypatch
):
    from responsibility.reminders import channel_services

    monkeypatch.setattr(
        channel_services.reminders_channel_send_task, "delay_on_commit", lambda **kwargs: None
    )
    signer = issued_letters[0].signer
    channel_address_set(
        user=signer, channel=Channel.WECOM, address="zhangsan", enabled=True, changed_by=signer
    )
    clock.move_to(at(SEVEN_DAYS_BEFORE), tick=False)
    reminders_sweep(today=SEVEN_DAYS_BEFORE)
    reminder_send(reminder=Reminder.objects.get(kind=ReminderKind.LETTER_UNSIGNED, recipient=signer))
    assert ChannelDelivery.objects.count() == 1
    client.force_login(org.office_admin)

    page = client.get(reverse("responsibility:reminder-list")).content.decode()

    assert "等待中" in page.split("企业微信：")[1][:80]
    assert "人员消息接收方式" in page


def test_the_office_search_takes_a_nul_character_as_nothing(client, org, channels_on):
    """PostgreSQL refuses NUL in text: the words are searched for without it (core.http.search_words)."""
    client.force_login(org.office_admin)
    head = org.heads[0]

    response = client.get(reverse("responsibility:channel-people"), {"q": "\x00" + head.full_name})

    assert response.status_code == 200 and head.full_name in response.content.decode()
