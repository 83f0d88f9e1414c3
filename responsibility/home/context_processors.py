import functools
from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.security.permissions import SecurityAction, security_user_can
from responsibility.api.permissions import ApiClientAction, api_client_user_can
from responsibility.assessment.permissions import scheme_user_can_read_drafts
from responsibility.letters.permissions import (
    ArchiveAction,
    CampaignAction,
    archive_user_can,
    campaign_user_can,
)
from responsibility.reminders.permissions import ReminderAction, reminder_user_can
from responsibility.reminders.selectors import notification_unread_count
from responsibility.supervision.permissions import inspection_reads_everything, ledger_user_can_see_all

# The header keeps to one line at 1280 px in either language: up to this many entries stand in the bar;
# beyond it the daily ones stay there and the rest go under 「更多」.
_BAR_MAX_ENTRIES = 6
_ALWAYS_IN_THE_BAR = frozenset({"todo", "letters", "duties", "inspections", "ledger"})


@dataclass(frozen=True)
class NavLink:
    """One entry of the main menu; `current` when the page shown is in its section."""

    key: str
    label: str
    url: str
    current: bool = False


def navigation(request) -> dict:
    """Which menu entries the signed-in user has (decided by permissions.py, shown by the base template)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # The role checks below read the user's groups: once for all of them.
    prefetch_related_objects([user], "groups")
    flags = {
        "nav_can_view_campaigns": campaign_user_can(user=user, action=CampaignAction.VIEW_PROGRESS),
        "nav_can_manage_templates": campaign_user_can(user=user, action=CampaignAction.MANAGE_TEMPLATES),
        "nav_is_staff": user.is_staff,
        "nav_can_view_reminders": reminder_user_can(user=user, action=ReminderAction.VIEW),
        "nav_can_browse_archive": archive_user_can(user=user, action=ArchiveAction.BROWSE),
        "nav_can_view_plans": inspection_reads_everything(user),
        "nav_can_view_ledger": ledger_user_can_see_all(user=user),
        "nav_can_view_schemes": scheme_user_can_read_drafts(user=user),
        "nav_can_manage_accounts": security_user_can(user=user, action=SecurityAction.MANAGE_ACCOUNTS),
        "nav_can_read_security_log": security_user_can(user=user, action=SecurityAction.READ_LOG),
        "nav_can_view_api": api_client_user_can(user=user, action=ApiClientAction.VIEW),
    }
    links = _menu_links(flags, path=getattr(request, "path", ""))
    if len(links) <= _BAR_MAX_ENTRIES:
        in_bar, more = links, []
    else:
        in_bar = [link for link in links if link.key in _ALWAYS_IN_THE_BAR]
        more = [link for link in links if link.key not in _ALWAYS_IN_THE_BAR]
    return {
        **flags,
        "nav_links": in_bar,
        "nav_more": more,
        "nav_more_current": any(link.current for link in more),
    }


def _menu_links(flags: dict, *, path: str) -> list[NavLink]:
    """The main menu in its order: everyone's entries, then those of the user's roles."""
    entries = [
        ("todo", _("My to-do"), "responsibility:todo", True),
        ("letters", _("Letters"), "responsibility:letter-list", True),
        ("duties", _("Duties"), "responsibility:duty-list", True),
        ("talks", _("Integrity talks"), "responsibility:talk-list", True),
        ("integrity-reports", _("述责述廉"), "responsibility:report-round-list", True),
        ("integrity-files", _("Integrity files"), "responsibility:integrity-file-list", True),
        ("inspections", _("Inspections"), "responsibility:plan-list", flags["nav_can_view_plans"]),
        ("ledger", _("Rectification ledger"), "responsibility:ledger", flags["nav_can_view_ledger"]),
        ("problems", _("Problem lists"), "responsibility:batch-list", flags["nav_can_view_ledger"]),
        ("campaigns", _("Campaigns"), "responsibility:campaign-list", True),
        ("assessment", _("Assessment"), "responsibility:round-list", True),
        ("templates", _("Templates"), "responsibility:template-list", flags["nav_can_manage_templates"]),
        ("archive", _("Letter archive"), "responsibility:archive", flags["nav_can_browse_archive"]),
        ("reminders", _("Reminders"), "responsibility:reminder-list", flags["nav_can_view_reminders"]),
        ("accounts", _("Accounts"), "accounts:security-accounts", flags["nav_can_manage_accounts"]),
        ("security-log", _("Security log"), "accounts:security-log", flags["nav_can_read_security_log"]),
        ("api-clients", _("API clients"), "responsibility:api-client-list", flags["nav_can_view_api"]),
        ("admin", _("Administration"), "admin:index", flags["nav_is_staff"]),
    ]
    links = []
    for key, label, name, shown in entries:
        if shown:
            url = reverse(name)
            current = path == url if url == "/" else path.startswith(url)
            links.append(NavLink(key=key, label=label, url=url, current=current))
    return links


def unread_notifications_known(request, count: int) -> None:
    """A page that read the user's unread count with its own query tells the bell, which then asks nothing."""
    request._unread_notifications = count


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
