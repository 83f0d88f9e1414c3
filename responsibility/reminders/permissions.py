"""Who may read the reminder log, resend a reminder, and set where a person's reminders go. The only place
these rules are written."""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class ReminderAction(StrEnum):
    VIEW = "view_reminder"  # the office's reminder log
    RESEND = "resend_reminder"
    MANAGE_CHANNELS = "change_channeladdress"  # anybody's 企业微信, 钉钉 and SMS addresses


# --- Reminders -----------------------------------------------------------------------------------


def reminder_user_can(*, user, action: ReminderAction) -> bool:
    """The reminder log and resending are the office administrator's (a role grant).

    Each user's own notifications need no grant: the selectors only ever return the user's own.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(f"responsibility.{action}")


def reminder_check_permission(*, user, action: ReminderAction) -> None:
    if not reminder_user_can(user=user, action=action):
        raise PermissionDenied(_("Only the office administrator may do this."))


def channel_addresses_user_can_change(*, user, person) -> bool:
    """Where reminders reach a person (企业微信, 钉钉, SMS) is set by the person or by the office."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.pk == person.pk or reminder_user_can(user=user, action=ReminderAction.MANAGE_CHANNELS)
