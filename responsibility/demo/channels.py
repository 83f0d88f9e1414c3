"""Where some demo people receive reminders besides email and 消息, set by themselves (消息接收方式):
何文静 (研究室, a letter awaiting her signature) on 企业微信 and by SMS, 杨丽萍 (社会建设委) on 钉钉. They are
used once the channels are configured (`manage.py channel_fake_server` prints the settings)."""

from accounts.models import User
from responsibility.reminders.channel_services import channel_address_set
from responsibility.reminders.models import Channel

DEMO_CHANNEL_ADDRESSES = [
    ("yjs_zhuren", Channel.WECOM, "hewenjing"),
    ("yjs_zhuren", Channel.SMS, "13800138001"),
    ("sjw_zhuren", Channel.DINGTALK, "yangliping"),
]


def demo_channels_create(*, users: dict[str, User]) -> None:
    for username, channel, address in DEMO_CHANNEL_ADDRESSES:
        person = users[username]
        channel_address_set(user=person, channel=channel, address=address, enabled=True, changed_by=person)
