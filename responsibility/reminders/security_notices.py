"""Security notices (accounts.security.notify) arrive in the notification centre too, with the bell."""

from accounts.security.notify import security_notice_channel_register
from responsibility.reminders.models import Notification


@security_notice_channel_register
def security_notice_to_notification(*, recipient, title: str, body: str) -> None:
    Notification.objects.create(recipient=recipient, title=title[:200], body=body[:4000])
