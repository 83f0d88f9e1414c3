"""A reminder rendered for its recipient: the email (subject, text, HTML, attachments) and the in-app text,
from its kind's templates (templates/responsibility/emails/<kind>.*), in the organisation's language. The
email, the bell and every channel say the same thing."""

from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation

from responsibility.reminders.models import Reminder
from responsibility.reminders.registry import ReminderAttachment, ReminderMessage, site_link


@dataclass(frozen=True)
class RenderedReminder:
    subject: str
    text: str
    html: str
    summary: str
    url: str
    attachments: tuple[ReminderAttachment, ...] = ()


def reminder_message_id(reminder: Reminder) -> str:
    """A Message-ID derived from the row (and its resend number): the same for every attempt."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    suffix = f".{reminder.resend_count}" if reminder.resend_count else ""
    return f"<reminder-{reminder.pk}{suffix}@{domain}>"


def reminder_render(*, reminder: Reminder, message: ReminderMessage) -> RenderedReminder:
    """The email and the in-app text, in the organisation's language (Chinese), from the kind's templates."""
    context = {
        **message.context,
        "reminder": reminder,
        "recipient": reminder.recipient,
        "link": site_link(message.url),
        "site_url": settings.SITE_URL,
    }
    base = f"responsibility/emails/{reminder.kind}"
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_plain(f"{base}.subject.txt", context).split())
        text = render_plain(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
        summary = " ".join(render_plain(f"{base}.summary.txt", context).split())
    return RenderedReminder(
        subject=subject,
        text=text,
        html=html,
        summary=summary,
        url=message.url,
        attachments=tuple(message.attachments),
    )


def render_plain(name: str, context: dict) -> str:
    """A plain-text template: nothing HTML-escaped (the subject, the text part, the in-app message)."""
    return get_template(name).template.render(Context(context, autoescape=False))
