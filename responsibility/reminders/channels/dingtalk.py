"""钉钉 (and a private deployment at its own base URL): a work notice (工作通知, action_card) to one member.

The calls, as documented by 钉钉's server API:
- GET  {base}/gettoken?appkey=…&appsecret=… → {"errcode": 0, "access_token": …, "expires_in": 7200}
- POST {base}/topapi/message/corpconversation/asyncsend_v2?access_token=… with {"agent_id",
  "userid_list", "msg": {"msgtype": "action_card", "action_card": {"title", "markdown", "single_title",
  "single_url"}}} → {"errcode": 0, "task_id": …, "request_id": …}

Error codes handled: 40014 (invalid token) and 42001 (expired token): a new token, once; 88, 90005,
90006, 90018, 41047 and 41048 (rate limits): tried again after CHANNEL_RATE_LIMIT_DELAY; 60121 and 33012
(no such member): permanent; -1 (busy) and any other code: transient. 钉钉 shows a member the same
content from one application once a day, which drops a send whose "sent" was never recorded (an office's
resend says which it is: the ledger's text, so that it is shown).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from responsibility.reminders.channels.base import (
    AccessTokens,
    ChannelMessage,
    ErrorCodes,
    access_token_fetch,
    errcode_check,
    http_call,
)
from responsibility.reminders.models import Channel

SERVICE = "钉钉"
ERROR_CODES = ErrorCodes(
    token=frozenset({40014, 42001}),
    rate_limit=frozenset({88, 90005, 90006, 90018, 41047, 41048}),
    recipient=frozenset({60121, 33012}),
)


class DingTalkAdapter:
    channel = Channel.DINGTALK

    @staticmethod
    def configured() -> bool:
        return bool(settings.DINGTALK_APP_KEY and settings.DINGTALK_APP_SECRET and settings.DINGTALK_AGENT_ID)

    def __init__(self) -> None:
        self.base = settings.DINGTALK_BASE_URL.rstrip("/")
        self.tokens = AccessTokens(f"channels:dingtalk:{settings.DINGTALK_APP_KEY}", self._token)

    def _token(self) -> tuple[str, int]:
        query = urlencode({"appkey": settings.DINGTALK_APP_KEY, "appsecret": settings.DINGTALK_APP_SECRET})
        return access_token_fetch(f"{self.base}/gettoken?{query}", service=SERVICE)

    def send(self, *, address: str, message: ChannelMessage) -> str:
        markdown = f"**{message.title}**\n\n{message.text}"
        body = {
            "agent_id": int(settings.DINGTALK_AGENT_ID),
            "userid_list": address,
            "msg": {
                "msgtype": "action_card",
                "action_card": {
                    "title": message.title[:64],
                    "markdown": markdown[:1500],
                    "single_title": _("View details"),
                    "single_url": message.url,
                },
            },
        }

        def send(token: str) -> str:
            query = urlencode({"access_token": token})
            url = f"{self.base}/topapi/message/corpconversation/asyncsend_v2?{query}"
            data = http_call("POST", url, service=SERVICE, body=body).data
            errcode_check(data, service=SERVICE, codes=ERROR_CODES)
            return str(data.get("task_id") or "")

        return self.tokens.call(send)
