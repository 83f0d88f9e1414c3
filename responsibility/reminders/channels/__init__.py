"""The messaging channels a reminder also goes through: 企业微信, 钉钉 and SMS
(docs/adr/0021-messaging-channels.md).

Each is optional: on when its credentials are configured (`configured_channels`). The ledger
(`ChannelDelivery`, responsibility.reminders.channel_services) decides what is sent and records it; the
adapters only call their service.
"""

from django.utils.translation import gettext as _

from responsibility.reminders.channels.base import ChannelError, ChannelMessage
from responsibility.reminders.channels.dingtalk import DingTalkAdapter
from responsibility.reminders.channels.sms import SmsAdapter
from responsibility.reminders.channels.wecom import WeComAdapter
from responsibility.reminders.models import Channel

ADAPTERS = {adapter.channel: adapter for adapter in (WeComAdapter, DingTalkAdapter, SmsAdapter)}

__all__ = ["ADAPTERS", "ChannelError", "ChannelMessage", "channel_adapter", "configured_channels"]


def configured_channels() -> list[Channel]:
    """The channels whose credentials are set, in the order of `Channel`."""
    return [channel for channel in Channel if ADAPTERS[channel].configured()]


def channel_adapter(channel: str):
    """The adapter of a configured channel; ChannelError if it is not configured (any more)."""
    adapter = ADAPTERS.get(channel)
    if adapter is None or not adapter.configured():
        raise ChannelError(_("This channel is not configured on the server."))
    return adapter()
