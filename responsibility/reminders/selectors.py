"""Reminder reads: the notification centre, the office's reminder log and a campaign's rules, filtered by
who may see them."""

from django.db.models import QuerySet

from responsibility.duties.models import TaskOccurrence
from responsibility.duties.selectors import duty_assignment_list_visible_to
from responsibility.letters.models.letters import (
    Campaign,
)
from responsibility.reminders.models import Notification, Reminder, ReminderPolicy
from responsibility.reminders.permissions import ReminderAction, reminder_user_can
from responsibility.supervision.models import (
    Finding,
)
from responsibility.supervision.selectors import finding_list_visible_to

# --- Reminders and notifications ---------------------------------------------------------------


def notification_list_for(*, user) -> QuerySet[Notification]:
    """The user's own messages, newest first (nobody sees anybody else's)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user) -> int:
    """The bell's number: one query."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def reminder_list_visible_to(*, user) -> QuerySet[Reminder]:
    """The reminder log: the office administrator's; nothing for anybody else."""
    if not reminder_user_can(user=user, action=ReminderAction.VIEW):
        return Reminder.objects.none()
    return Reminder.objects.select_related("recipient", "campaign", "resent_by").order_by("-due_at", "-pk")


def reminder_findings_of(*, user, reminders) -> dict[int, Finding]:
    """The findings that rectification reminders are about, by rectification id (one query, or none)."""
    ids = {reminder.object_id for reminder in reminders if reminder.object_kind == "rectification"}
    ids.discard(None)
    if not ids:
        return {}
    findings = finding_list_visible_to(user=user).filter(rectification__pk__in=ids)
    return {finding.rectification.pk: finding for finding in findings}


def reminder_occurrences_of(*, user, reminders) -> dict[int, TaskOccurrence]:
    """The duty task periods that duty reminders are about, by occurrence id, among the assignments the
    user may open (one query, or none)."""
    ids = {reminder.object_id for reminder in reminders if reminder.object_kind == "occurrence"}
    ids.discard(None)
    if not ids:
        return {}
    occurrences = TaskOccurrence.objects.filter(
        pk__in=ids, task__assignment__in=duty_assignment_list_visible_to(user=user).values("pk")
    ).select_related("task__assignment__post__unit")
    return {occurrence.pk: occurrence for occurrence in occurrences}


def reminder_policy_for(*, campaign: Campaign) -> ReminderPolicy:
    """The campaign's reminder rules; the defaults (unsaved) if it has none of its own."""
    return ReminderPolicy.objects.filter(campaign=campaign).first() or ReminderPolicy(campaign=campaign)
