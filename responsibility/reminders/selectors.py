"""Reminder reads: the notification centre, the office's reminder log and a campaign's rules, filtered by
who may see them."""

from django.contrib.auth import get_user_model
from django.db.models import Case, Prefetch, Q, QuerySet, When

from responsibility.reminders.models import Channel, ChannelAddress, Notification, Reminder
from responsibility.reminders.permissions import ReminderAction, reminder_user_can

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


def reminder_list_filtered(
    *, reminders: QuerySet[Reminder], campaign=None, kind="", status=""
) -> QuerySet[Reminder]:
    """The reminders of a campaign (id), a kind and a status; each filter only when given."""
    if campaign:
        reminders = reminders.filter(campaign_id=campaign)
    if kind:
        reminders = reminders.filter(kind=kind)
    if status:
        reminders = reminders.filter(status=status)
    return reminders


# --- Where people receive reminders ---------------------------------------------------------------


def channel_people_visible_to(*, user, search: str = "") -> QuerySet:
    """The people whose channels the office sets (active, not API clients), by name; nothing for anybody
    else. `search` matches the name or the account name."""
    if not reminder_user_can(user=user, action=ReminderAction.MANAGE_CHANNELS):
        return get_user_model().objects.none()
    people = get_user_model().objects.filter(is_active=True, is_machine=False)
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(username__icontains=search))
    return people.order_by("full_name", "pk").prefetch_related(
        Prefetch("channel_addresses", queryset=ChannelAddress.objects.order_by(channel_order(), "pk"))
    )


def channel_order() -> Case:
    """The channels in the order of `Channel` (企业微信, 钉钉, SMS), for ordering their rows."""
    return Case(*(When(channel=channel, then=index) for index, channel in enumerate(Channel)), default=99)


def channel_addresses_of(*, person) -> dict[str, ChannelAddress]:
    """A person's addresses by channel."""
    return {address.channel: address for address in ChannelAddress.objects.filter(user=person)}
