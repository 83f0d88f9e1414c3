"""Reminders through the messaging channels (企业微信, 钉钉, SMS): each channel's ledger, its sending, and
where people receive them (docs/adr/0021-messaging-channels.md).

A reminder's channel deliveries are made when the reminder is claimed for sending (its source said it is
still needed; its in-app message exists): one row per channel its recipient receives on, unique per
(reminder, channel, round), queued after commit. Each is sent like the email, and apart from it:

1. claim (SKIP LOCKED): waiting and past its retry delay, or claimed by a send silent for
   REMINDERS_CLAIM_TIMEOUT (its worker died); ask the reminder's source again (the work done meanwhile:
   cancelled); mark it sending; commit.
2. call the channel outside any transaction (each step bounded by CHANNEL_CONNECT_TIMEOUT and
   CHANNEL_READ_TIMEOUT).
3. mark it sent if this send still holds the claim.

A channel that fails leaves its rows waiting with back-off (the email's delays, at least the wait a rate
limit asks) and touches neither the email nor the other channels: an outage loses nothing. A message goes
out twice only if a worker dies between the service accepting it and (3); 企业微信's duplicate check, 钉钉's
once-a-day rule and the SMS gateway's `out_id` drop that second copy.
"""

import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.security.notify import notice_time, security_notice_send
from core import clock
from core.errors import ApplicationError
from responsibility.reminders.attempts import (
    MAX_ATTEMPTS,
    BatchRetry,
    SendOutcome,
    attempt_failed,
    attempt_sent,
    batch_retry,
    claimable,
    task_lost,
)
from responsibility.reminders.channels import (
    ChannelError,
    ChannelMessage,
    channel_adapter,
    configured_channels,
)
from responsibility.reminders.models import (
    Channel,
    ChannelAddress,
    ChannelDelivery,
    Reminder,
    ReminderStatus,
)
from responsibility.reminders.permissions import channel_addresses_user_can_change
from responsibility.reminders.registry import reminder_message_now, site_link
from responsibility.reminders.rendering import reminder_render
from responsibility.reminders.tasks import reminders_channel_send as reminders_channel_send_task

logger = logging.getLogger(__name__)

SEND_CHUNK = 100  # deliveries per send task
REQUEUE_BATCH = 2000  # deliveries queued again per minute at most

# 企业微信 and 钉钉 account names (userid): letters, digits and _ . @ -; a mainland mobile number for SMS.
ACCOUNT_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")


# --- Where people receive reminders ---------------------------------------------------------------


def channel_address_check(*, channel: str, address: str) -> str:
    """The address cleaned, or ApplicationError saying what is wrong with it, in the user's language."""
    address = address.strip().replace(" ", "")
    if channel == Channel.SMS:
        address = address.removeprefix("+86").removeprefix("0086")
        if not MOBILE_PATTERN.match(address):
            raise ApplicationError(_("Enter a mainland mobile number of 11 digits, such as 13800000000."))
    elif not ACCOUNT_PATTERN.match(address):
        raise ApplicationError(
            _("Enter the account as %(channel)s shows it: letters, digits and _ . @ - only, at most 64.")
            % {"channel": Channel(channel).label}
        )
    return address


@transaction.atomic
def channel_address_set(
    *, user, channel: str, address: str, enabled: bool, changed_by
) -> ChannelAddress | None:
    """Set where `user` receives reminders on `channel` (an empty address removes it). Reminders already
    claimed keep the address they were made with. A change by somebody else (the office) is told to the
    person, in the app and by email, as a change to their account is: nobody redirects another's reminders
    unnoticed. Returns the address, or None when removed."""
    if not channel_addresses_user_can_change(user=changed_by, person=user):
        raise PermissionDenied(_("Only the person or the office may change where reminders go."))
    if channel not in Channel.values:
        raise ApplicationError(_("Unknown channel."))
    kept = ChannelAddress.objects.select_for_update().filter(user=user, channel=channel).first()
    if not address.strip():
        if kept:
            kept.delete()
            _change_tell(user=user, channel=channel, address="", enabled=False, changed_by=changed_by)
        return None
    cleaned = channel_address_check(channel=channel, address=address)
    if kept and (kept.address, kept.enabled) == (cleaned, enabled):
        return kept  # unchanged: who changed it last stays
    # update_or_create, not a save: a double click's two first saves meet the unique constraint, and the
    # second then updates the first's row instead of failing.
    kept, _created = ChannelAddress.objects.update_or_create(
        user=user,
        channel=channel,
        defaults={
            "address": cleaned,
            "enabled": enabled,
            "changed_by": changed_by,
            "changed_at": clock.now(),
        },
    )
    _change_tell(user=user, channel=channel, address=cleaned, enabled=enabled, changed_by=changed_by)
    return kept


def _change_tell(*, user, channel: str, address: str, enabled: bool, changed_by) -> None:
    """Tell the person when somebody else changed where their reminders go."""
    if changed_by.pk == user.pk:
        return
    values = {
        "name": changed_by.get_full_name(),
        "channel": Channel(channel).label,
        "address": address,
        "time": notice_time(),
    }
    if not address:
        body = _("%(name)s removed your %(channel)s account for reminders at %(time)s.")
    elif enabled:
        body = _("%(name)s set reminders to reach you on %(channel)s at %(address)s, at %(time)s.")
    else:
        body = _("%(name)s set your %(channel)s account to %(address)s, not used for reminders, at %(time)s.")
    body %= values
    security_notice_send(recipient=user, title=_("Where your reminders go was changed"), body=body)


@transaction.atomic
def channel_addresses_set(*, user, addresses: dict[str, tuple[str, bool]], changed_by) -> None:
    """Set several channels at once (the page's form): all or nothing. `addresses`: channel → (address,
    enabled)."""
    for channel, (address, enabled) in addresses.items():
        channel_address_set(
            user=user, channel=channel, address=address, enabled=enabled, changed_by=changed_by
        )


# --- The ledger -----------------------------------------------------------------------------------


def channel_deliveries_open(*, reminder: Reminder, now: datetime.datetime) -> list[int]:
    """Make the reminder's deliveries of this round on the channels its recipient receives on, and queue
    them after commit. Called in the reminder's claim, which holds its row: a claim again (the email's
    retry) makes nothing new. Costs nothing when no channel is configured, one query when the recipient
    has none."""
    channels = configured_channels()
    if not channels:
        return []
    addresses = list(
        ChannelAddress.objects.filter(
            user_id=reminder.recipient_id, enabled=True, channel__in=channels
        ).values_list("channel", "address")
    )
    if not addresses:
        return []
    made = set(
        ChannelDelivery.objects.filter(reminder=reminder, round=reminder.resend_count).values_list(
            "channel", flat=True
        )
    )
    new = ChannelDelivery.objects.bulk_create(
        [
            ChannelDelivery(
                reminder=reminder,
                channel=channel,
                round=reminder.resend_count,
                address=address,
                enqueued_at=now,
            )
            for channel, address in addresses
            if channel not in made
        ]
    )
    ids = [delivery.pk for delivery in new]
    if ids:
        reminders_channel_send_task.delay_on_commit(delivery_ids=ids)
    return ids


def channel_delivery_send(*, delivery: ChannelDelivery) -> SendOutcome:
    """Claim, check, call the channel, mark sent (see the module's docstring for the order)."""
    claimed = _channel_delivery_claim(delivery=delivery)
    if not isinstance(claimed, tuple):
        return claimed
    claimed, message = claimed
    try:
        provider_id = channel_adapter(claimed.channel).send(address=claimed.address, message=message)
    except ChannelError as error:
        permanent = error.permanent or claimed.attempts >= MAX_ATTEMPTS
        wait = datetime.timedelta(seconds=error.retry_after) if error.retry_after else None
        attempt_failed(claimed, error=str(error), permanent=permanent, wait=wait)
        logger.warning(
            "Channel delivery %s (%s) failed (%s): %s", claimed.pk, claimed.channel, claimed.attempts, error
        )
        if permanent:
            return SendOutcome.FAILED
        return SendOutcome.HELD if error.retry_after else SendOutcome.RETRY
    if not attempt_sent(claimed, provider_message_id=provider_id[:128]):
        logger.warning(
            "Channel delivery %s was claimed again while this send ran; it was sent twice.", claimed.pk
        )
    return SendOutcome.SENT


def _channel_delivery_claim(
    *, delivery: ChannelDelivery
) -> tuple[ChannelDelivery, ChannelMessage] | SendOutcome:
    now = clock.now()
    with transaction.atomic():
        claimed = (
            ChannelDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("reminder__recipient")
            .filter(pk=delivery.pk)
            .filter(claimable(now=now))
            .first()
        )
        if claimed is None:
            return SendOutcome.SKIPPED
        reminder = claimed.reminder
        # The email's rule: a reminder whose work was done meanwhile is not sent on any channel.
        cancelled = reminder.status == ReminderStatus.CANCELLED
        message = None if cancelled else reminder_message_now(reminder=reminder)
        if message is None:
            claimed.status = ReminderStatus.CANCELLED
            claimed.save(update_fields=["status"])
            return SendOutcome.CANCELLED
        rendered = reminder_render(reminder=reminder, message=message)
        claimed.status = ReminderStatus.SENDING
        claimed.claimed_at = now
        claimed.attempts += 1
        claimed.save(update_fields=["status", "claimed_at", "attempts"])
    text = rendered.summary
    if claimed.round:
        # Not the same content as the first send: 企业微信 and 钉钉 would not show it again.
        text += " " + _("(sent again by the office, time %(number)d)") % {"number": claimed.round}
    return claimed, ChannelMessage(
        kind=reminder.kind,
        title=rendered.subject,
        text=text,
        url=site_link(rendered.url),
        key=f"reminder-{reminder.pk}.{claimed.round}.{claimed.channel}",
    )


def channel_deliveries_send_batch(*, delivery_ids: list[int]) -> BatchRetry:
    """Send some deliveries. Once a channel asks to wait (a rate limit), the batch's other rows of that
    channel are not tried now: they are retried with the failed ones. Returns what to try again, and when."""
    deliveries = list(
        ChannelDelivery.objects.filter(
            pk__in=delivery_ids, status__in=(ReminderStatus.PENDING, ReminderStatus.SENDING)
        )
        .order_by("pk")
        .only("pk", "channel")
    )
    retry: list[int] = []
    held: set[str] = set()
    for delivery in deliveries:
        if delivery.channel in held:
            retry.append(delivery.pk)
            continue
        outcome = channel_delivery_send(delivery=delivery)
        if outcome in (SendOutcome.RETRY, SendOutcome.HELD):
            retry.append(delivery.pk)
        if outcome == SendOutcome.HELD:
            held.add(delivery.channel)
    rate_limit = settings.CHANNEL_RATE_LIMIT_DELAY.total_seconds() if held else 0
    return batch_retry(ChannelDelivery.objects, ids=retry, wait_at_least=rate_limit)


def channel_deliveries_requeue_lost(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """Queue again the deliveries whose send task was lost, once per wait (core.requeue, every minute): the
    waiting ones queued before `cutoff` whose retry delay, if any, ended before it; and those claimed by a
    send that died. Safe however often it runs: the claim decides who sends."""
    ids = list(
        ChannelDelivery.objects.filter(task_lost(cutoff=cutoff, now=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    if not ids:
        return 0
    with transaction.atomic():
        ChannelDelivery.objects.filter(pk__in=ids).update(enqueued_at=now)
        for start in range(0, len(ids), SEND_CHUNK):
            reminders_channel_send_task.delay_on_commit(delivery_ids=ids[start : start + SEND_CHUNK])
    return len(ids)
