"""Telling a person what was done to their account: by email and in the app.

Every reset, role change and second-factor change is told to the person concerned, so that an act in
their name that was not theirs is noticed by the one person who knows. The email goes when the change
is committed; the in-app notice is written with the change, by the channels registered here (the
notification centre registers itself: accounts knows nothing of the domain above it).
"""

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.dates import datetime_text

logger = logging.getLogger(__name__)

# In-app channels: each is called as channel(recipient=, title=, body=) inside the change's transaction.
SECURITY_NOTICE_CHANNELS: list[Callable[..., None]] = []


def security_notice_channel_register(channel: Callable[..., None]) -> Callable[..., None]:
    if channel not in SECURITY_NOTICE_CHANNELS:
        SECURITY_NOTICE_CHANNELS.append(channel)
    return channel


def security_notice_send(*, recipient, title: str, body: str, emails: list[str] | None = None) -> None:
    """Tell `recipient`: in the app, and once committed by email to each of `emails` (their own address
    unless given; an email change tells the old and the new address alike)."""
    for channel in SECURITY_NOTICE_CHANNELS:
        channel(recipient=recipient, title=title, body=body)
    footer = _("If this was not you or not done at your request, tell the security administrator at once.")
    for address in dict.fromkeys(emails if emails is not None else [recipient.email]):
        if address:
            transaction.on_commit(
                functools.partial(
                    _email, recipient=recipient, address=address, title=title, text=f"{body}\n\n{footer}"
                )
            )


def _email(*, recipient, address: str, title: str, text: str) -> None:
    try:
        send_mail(
            subject=title,
            message=f"{recipient}：\n\n{text}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    except Exception:  # the change stands; the in-app notice already tells them
        logger.exception("The security notice to user %s could not be emailed.", recipient.pk)


def notice_time() -> str:
    """Now, as a notice says when something was done (local time, to the minute; core.dates' format)."""
    return datetime_text(clock.now())
