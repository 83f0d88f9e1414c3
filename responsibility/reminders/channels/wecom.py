"""企业微信 (and 政务微信, at its own base URL): an application message (textcard) to one member.

The calls, as documented by 企业微信's server API:
- GET  {base}/cgi-bin/gettoken?corpid=…&corpsecret=… → {"errcode": 0, "access_token": …, "expires_in": 7200}
- POST {base}/cgi-bin/message/send?access_token=… with {"touser", "msgtype": "textcard", "agentid",
  "textcard": {"title", "description", "url", "btntxt"}, "enable_duplicate_check": 1,
  "duplicate_check_interval": 14400} → {"errcode": 0, "msgid": …, "invaliduser": ""}

Error codes handled: 40014 (invalid token) and 42001 (expired token): a new token, once; 45009 and 45033
(rate limits): tried again after CHANNEL_RATE_LIMIT_DELAY; 81013 and 40031 (no such member, or not in
the application's visible range) and a non-empty `invaliduser`: permanent; -1 (busy) and any other code:
transient. The duplicate check makes 企业微信 drop the same message sent again within 4 hours (a send whose
"sent" was never recorded), which the ledger's key makes identical.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from responsibility.reminders.channels.base import (
    AccessTokens,
    ChannelError,
    ChannelMessage,
    ErrorCodes,
    access_token_fetch,
    errcode_check,
    http_call,
)
from responsibility.reminders.models import Channel

SERVICE = "企业微信"
ERROR_CODES = ErrorCodes(
    token=frozenset({40014, 42001}), rate_limit=frozenset({45009, 45033}), recipient=frozenset({81013, 40031})
)
DUPLICATE_CHECK_SECONDS = 4 * 3600  # the longest 企业微信 allows


class WeComAdapter:
    channel = Channel.WECOM

    @staticmethod
    def configured() -> bool:
        return bool(settings.WECOM_CORP_ID and settings.WECOM_SECRET and settings.WECOM_AGENT_ID)

    def __init__(self) -> None:
        self.base = settings.WECOM_BASE_URL.rstrip("/")
        self.tokens = AccessTokens(
            f"channels:wecom:{settings.WECOM_CORP_ID}:{settings.WECOM_AGENT_ID}", self._token
        )

    def _token(self) -> tuple[str, int]:
        query = urlencode({"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_SECRET})
        return access_token_fetch(f"{self.base}/cgi-bin/gettoken?{query}", service=SERVICE)

    def send(self, *, address: str, message: ChannelMessage) -> str:
        body = {
            "touser": address,
            "msgtype": "textcard",
            "agentid": int(settings.WECOM_AGENT_ID),
            "textcard": {
                "title": message.title[:128],
                "description": message.text[:512],
                "url": message.url,
                "btntxt": _("View details"),
            },
            "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
        }

        def send(token: str) -> str:
            answer = http_call(
                "POST",
                f"{self.base}/cgi-bin/message/send?{urlencode({'access_token': token})}",
                service=SERVICE,
                body=body,
            )
            data = answer.data
            errcode_check(data, service=SERVICE, codes=ERROR_CODES)
            invalid = {user.lower() for user in str(data.get("invaliduser") or "").split("|") if user}
            if address.lower() in invalid:
                raise ChannelError(
                    _("%(service)s does not know the account %(account)s.")
                    % {"service": SERVICE, "account": address},
                    permanent=True,
                )
            return str(data.get("msgid") or "")

        return self.tokens.call(send)
