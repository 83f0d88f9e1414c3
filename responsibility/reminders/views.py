"""Reminder pages: the notification centre (everyone's own), the office's reminder log, a campaign's rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.http import query_without_page, search_words
from responsibility.letters.permissions import CampaignAction, campaign_check_permission
from responsibility.letters.selectors import campaign_list_visible_to, reminder_policy_for
from responsibility.letters.services.campaigns import reminder_policy_update
from responsibility.reminders.channel_services import channel_addresses_set
from responsibility.reminders.channels import configured_channels
from responsibility.reminders.forms import ChannelAddressesForm, ReminderFilterForm, ReminderPolicyForm
from responsibility.reminders.models import ChannelDelivery
from responsibility.reminders.permissions import ReminderAction, reminder_check_permission, reminder_user_can
from responsibility.reminders.registry import reminder_subjects_attach
from responsibility.reminders.selectors import (
    channel_addresses_of,
    channel_order,
    channel_people_visible_to,
    notification_list_for,
    reminder_list_filtered,
    reminder_list_visible_to,
)
from responsibility.reminders.services import (
    notification_mark_read,
    notifications_mark_all_read,
    reminder_resend,
)

NOTIFICATIONS_PER_PAGE = 25
REMINDERS_PER_PAGE = 50
CHANNEL_PEOPLE_PER_PAGE = 50


@login_required
def notification_list_view(request):
    page_obj = Paginator(notification_list_for(user=request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "responsibility/notifications/list.html",
        {"page_obj": page_obj, "notifications": page_obj.object_list},
    )


@login_required
@require_POST
def notification_read_view(request, pk: int):
    """Mark a message read; with `open`, go on to what it is about."""
    notification = get_object_or_404(notification_list_for(user=request.user), pk=pk)
    notification_mark_read(notification=notification, read_by=request.user)
    target = notification.url
    if "open" in request.POST and target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect(_notifications_page(request))


@login_required
@require_POST
def notification_read_all_view(request):
    count = notifications_mark_all_read(read_by=request.user)
    if count:
        messages.success(
            request,
            ngettext("%(count)d message marked as read.", "%(count)d messages marked as read.", count)
            % {"count": count},
        )
    return redirect(_notifications_page(request))


def _notifications_page(request) -> str:
    """Back to the page of the list the user came from."""
    page = request.POST.get("page", "")
    return reverse("responsibility:notification-list") + (f"?page={page}" if page.isdigit() else "")


@login_required
def reminder_list_view(request):
    """The office's log of every reminder: waiting, sent, failed or not needed; filterable; resend."""
    reminder_check_permission(user=request.user, action=ReminderAction.VIEW)
    campaigns = list(campaign_list_visible_to(user=request.user))
    form = ReminderFilterForm(request.GET or None, campaigns=campaigns)
    reminders = reminder_list_visible_to(user=request.user)
    if form.is_bound and form.is_valid():
        reminders = reminder_list_filtered(reminders=reminders, **form.cleaned_data)
    page_obj = Paginator(reminders, REMINDERS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page_obj.object_list)
    reminder_subjects_attach(user=request.user, reminders=shown)  # what each is about, for its link
    # Each channel's state (企业微信, 钉钉, SMS): one query for the page.
    prefetch_related_objects(
        shown, Prefetch("channel_deliveries", ChannelDelivery.objects.order_by("round", channel_order()))
    )
    return render(
        request,
        "responsibility/reminders/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "reminders": shown,
            "query_without_page": query_without_page(request),
            "can_resend": reminder_user_can(user=request.user, action=ReminderAction.RESEND),
            "can_manage_channels": reminder_user_can(
                user=request.user, action=ReminderAction.MANAGE_CHANNELS
            ),
        },
    )


@login_required
@require_POST
def reminder_resend_view(request, pk: int):
    reminder_check_permission(user=request.user, action=ReminderAction.RESEND)
    reminder = get_object_or_404(reminder_list_visible_to(user=request.user), pk=pk)
    try:
        reminder_resend(reminder=reminder, resent_by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The reminder to %(name)s will be sent again.") % {"name": reminder.recipient}
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("responsibility:reminder-list")


@login_required
def campaign_reminders_view(request, pk: int):
    """The campaign's reminder rules: days before the deadline, the overdue interval, weekends."""
    campaign = get_object_or_404(campaign_list_visible_to(user=request.user), pk=pk)
    campaign_check_permission(user=request.user, action=CampaignAction.MANAGE, campaign=campaign)
    policy = reminder_policy_for(campaign=campaign)
    if request.method == "POST":
        form = ReminderPolicyForm(request.POST)
        if form.is_valid():
            try:
                reminder_policy_update(campaign=campaign, **form.cleaned_data, updated_by=request.user)
            except ApplicationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Reminder rules saved."))
                return redirect("responsibility:campaign-detail", pk=campaign.pk)
    else:
        form = ReminderPolicyForm(
            initial={
                "days_before": ", ".join(str(day) for day in policy.days_before),
                "overdue_every_days": policy.overdue_every_days,
                "skip_weekends": policy.skip_weekends,
            }
        )
    return render(request, "responsibility/campaigns/reminders.html", {"campaign": campaign, "form": form})


# --- Where people receive reminders ---------------------------------------------------------------


@login_required
def channel_settings_view(request):
    """The user's own: where reminders reach them besides email and the bell (企业微信, 钉钉, SMS)."""
    return _channel_addresses_page(request, person=request.user)


@login_required
def channel_people_view(request):
    """The office's list of people and where their reminders go; 404 for anybody else."""
    if not reminder_user_can(user=request.user, action=ReminderAction.MANAGE_CHANNELS):
        raise Http404
    search = search_words(request, max_length=64)
    page_obj = Paginator(
        channel_people_visible_to(user=request.user, search=search), CHANNEL_PEOPLE_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "responsibility/reminders/channel_people.html",
        {
            "page_obj": page_obj,
            "people": page_obj.object_list,
            "search": search,
            "channels": configured_channels(),
            "query_without_page": query_without_page(request),
        },
    )


@login_required
def channel_person_view(request, pk: int):
    """The office sets where one person's reminders go."""
    person = get_object_or_404(channel_people_visible_to(user=request.user), pk=pk)
    return _channel_addresses_page(request, person=person)


def _channel_addresses_page(request, *, person):
    channels = configured_channels()
    addresses = channel_addresses_of(person=person)
    form = ChannelAddressesForm(request.POST or None, channels=channels, addresses=addresses)
    if request.method == "POST" and channels and form.is_valid():
        try:
            channel_addresses_set(user=person, addresses=form.addresses(), changed_by=request.user)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved: reminders go where you said from the next one."))
            return redirect(request.path)
    return render(
        request,
        "responsibility/reminders/channels.html",
        {"person": person, "own": person.pk == request.user.pk, "form": form, "addresses": addresses},
    )
