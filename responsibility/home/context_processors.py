import functools

from accounts.security.permissions import SecurityAction, security_user_can
from responsibility.letters.permissions import (
    ArchiveAction,
    CampaignAction,
    archive_user_can,
    campaign_user_can,
)
from responsibility.reminders.permissions import ReminderAction, reminder_user_can
from responsibility.reminders.selectors import notification_unread_count
from responsibility.supervision.permissions import inspection_reads_everything, ledger_user_can_see_all


def navigation(request) -> dict:
    """Which menu entries the signed-in user has (decided by permissions.py, shown by the base template)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_view_campaigns": campaign_user_can(user=user, action=CampaignAction.VIEW_PROGRESS),
        "nav_can_manage_templates": campaign_user_can(user=user, action=CampaignAction.MANAGE_TEMPLATES),
        "nav_is_staff": user.is_staff,
        "nav_can_view_reminders": reminder_user_can(user=user, action=ReminderAction.VIEW),
        "nav_can_browse_archive": archive_user_can(user=user, action=ArchiveAction.BROWSE),
        "nav_can_view_plans": inspection_reads_everything(user),
        "nav_can_view_ledger": ledger_user_can_see_all(user=user),
        "nav_can_manage_accounts": security_user_can(user=user, action=SecurityAction.MANAGE_ACCOUNTS),
        "nav_can_read_security_log": security_user_can(user=user, action=SecurityAction.READ_LOG),
    }


def notifications(request) -> dict:
    """The bell's unread count: one query, only when a template shows it, at most once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def unread() -> int:
        if not hasattr(request, "_unread_notifications"):
            request._unread_notifications = notification_unread_count(user=user)
        return request._unread_notifications

    return {"unread_notifications": unread}
