"""SMS through the organ's gateway: one generic HTTP call, documented in docs/adr/0021-messaging-channels.md,
which an SMS platform or a small relay in front of one (阿里云, 腾讯云, a carrier's 短信平台) implements.

POST {DJANGO_SMS_GATEWAY_URL}, `Authorization: Bearer {DJANGO_SMS_GATEWAY_TOKEN}`, JSON:
    {"phone": "13800000000", "sign_name": "…", "template_code": "…",
     "template_params": {"title": "…", "link": "…"}, "content": "【sign】…", "out_id": "reminder-12.0.sms"}
answered 200 {"code": "OK", "message_id": "…"}. `out_id` is the same for every attempt of one message: the
gateway drops a second request with an `out_id` it has accepted (answering OK).

Refusals: {"code": "RATE_LIMITED"} or HTTP 429 (Retry-After): tried again after it; {"code":
"INVALID_PHONE"} or "BLOCKED_PHONE": permanent; 401 or 403 (the token): transient, until the token is put
right; 5xx and any other code: transient.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from responsibility.reminders.channels.base import ChannelError, ChannelMessage, http_call, refusal
from responsibility.reminders.models import Channel
from responsibility.reminders.rendering import render_plain

SERVICE = gettext_lazy("the SMS gateway")
RECIPIENT_CODES = {"INVALID_PHONE", "BLOCKED_PHONE"}


class SmsAdapter:
    channel = Channel.SMS

    @staticmethod
    def configured() -> bool:
        return bool(settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_TOKEN)

    def send(self, *, address: str, message: ChannelMessage) -> str:
        params = {"title": message.title, "link": message.url}
        body = {
            "phone": address,
            "sign_name": settings.SMS_SIGN_NAME,
            "template_code": settings.SMS_TEMPLATE_CODE,
            "template_params": params,
            "content": " ".join(
                render_plain(
                    "responsibility/reminders/sms.txt", {**params, "sign_name": settings.SMS_SIGN_NAME}
                ).split()
            ),
            "out_id": message.key,
        }
        service = str(SERVICE)
        answer = http_call(
            "POST",
            settings.SMS_GATEWAY_URL,
            service=service,
            body=body,
            headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
        )
        code = str(answer.data.get("code") or "")
        if answer.status == 429 or code == "RATE_LIMITED":
            raise ChannelError(
                refusal(service, _("%(service)s asks to send more slowly"), answer.data),
                retry_after=max(answer.retry_after or 0, settings.CHANNEL_RATE_LIMIT_DELAY.total_seconds()),
            )
        if answer.status in (401, 403):
            raise ChannelError(refusal(service, _("%(service)s refused the credentials"), answer.data))
        if code in RECIPIENT_CODES:
            raise ChannelError(
                refusal(service, _("%(service)s refused this number"), answer.data), permanent=True
            )
        if answer.status != 200 or code != "OK":
            raise ChannelError(refusal(service, _("%(service)s refused the message"), answer.data))
        return str(answer.data.get("message_id") or "")
