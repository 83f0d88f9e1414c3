"""Reminders (提醒) and in-app notifications (消息): the ledger that makes each reminder happen once.

The ledger (`Reminder`) has one row per (kind, object, recipient, due period), unique in the database:
the periodic sweep inserts the rows that are due and ignores the ones already there, so it may run any
number of times. A send task claims a row, sends the email, writes the in-app `Notification` (at most
one per reminder, also unique in the database) and marks the row sent. See docs/adr/0004-reminders.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core import clock
from responsibility.letters.models.letters import Campaign


class ReminderKind(models.TextChoices):
    LETTER_UNSIGNED = "letter_unsigned", _("Letter awaiting signature")  # to the signer (乙方)
    LETTER_AWAITING_COUNTERSIGN = (
        "letter_awaiting_countersign",
        _("Letters awaiting countersignature"),  # to the issuer (甲方), one per campaign
    )
    DAILY_DIGEST = "daily_digest", _("Daily digest")  # to unit heads and the office
    RECTIFICATION_DUE = "rectification_due", _("Rectification deadline")  # to the rectification's owner
    MEASURE_DUE = "measure_due", _("Rectification measure deadline")  # to a measure's owner (of several)
    DUTY_TASK_DUE = "duty_task_due", _("Duty task due")  # to the leader a task's period is due from
    TALK_PLANNED = "talk_planned", _("Planned integrity talk")  # to the talker, until the record is written
    TALK_TO_ANSWER = "talk_to_answer", _("Talk record to confirm")  # to the person talked to
    INTEGRITY_REPORT_DUE = (
        "integrity_report_due",
        _("Responsibility and integrity report due"),
    )  # to its leader
    RATING_BALLOT_OPEN = "rating_ballot_open", _("Ballot to cast")  # to a rater, until the rating closes
    # To the signer and the issuer, once each: the letter is in force, its sealed PDF attached (or linked).
    LETTER_SEALED = "letter_sealed", _("Countersigned letter with its sealed PDF")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")  # due; a send task will claim it
    SENDING = "sending", _("Sending")  # claimed by a send task (reclaimed when that task died)
    SENT = "sent", _("Sent")  # the mail server accepted the email; the in-app message exists
    FAILED = "failed", _("Failed")  # the email could not be sent; the reason is in last_error
    CANCELLED = "cancelled", _("Not needed")  # the item was done before the reminder went out


class SendState(models.Model):
    """Where a message of a ledger stands (the email's `Reminder`, each channel's `ChannelDelivery`), moved
    only by the send services under the rules of responsibility.reminders.attempts."""

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReminderStatus.choices,
        default=ReminderStatus.PENDING,
        editable=False,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    # When its send task was last queued. A waiting row queued more than STUCK_WORK_AFTER ago lost its task
    # message and is queued again (core.requeue).
    enqueued_at = models.DateTimeField(_("queued at"), null=True, blank=True, editable=False)
    # After a transient failure: not tried again before this (the retry delay, doubling per attempt).
    retry_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Reminder(SendState):
    """The ledger: one row per (kind, object, recipient, due period), whatever runs the sweep or send."""

    kind = models.CharField(_("kind"), max_length=32, choices=ReminderKind.choices)
    # What the reminder is about: "letter:123", "campaign:4" (countersignatures), "unit:7", "office"
    # or "rectification:9".
    object_key = models.CharField(_("about"), max_length=64)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    # Which reminder of the schedule: "before-7", "overdue-3" (days past the deadline), or a date.
    due_period = models.CharField(_("due period"), max_length=24)
    due_at = models.DateTimeField(_("due at"))
    # The campaign the item belongs to (for the office's filter); empty for digests and rectifications.
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    # The Message-ID header of the email: derived from the row, so a repeated send is recognisable.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, editable=False)
    resend_count = models.PositiveSmallIntegerField(_("resends"), default=0, editable=False)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    resent_at = models.DateTimeField(_("resent at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_at", "-pk"]
        default_permissions = ("view",)
        permissions = [("resend_reminder", "Can resend reminder")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_key", "recipient", "due_period"], name="reminder_once_per_period"
            ),
            models.CheckConstraint(name="reminder_kind_valid", condition=Q(kind__in=ReminderKind.values)),
            models.CheckConstraint(
                name="reminder_status_valid", condition=Q(status__in=ReminderStatus.values)
            ),
            models.CheckConstraint(
                name="reminder_sent_has_sent_at",
                condition=~Q(status=ReminderStatus.SENT) | Q(sent_at__isnull=False),
            ),
            models.CheckConstraint(
                name="reminder_sending_has_claimed_at",
                condition=~Q(status=ReminderStatus.SENDING) | Q(claimed_at__isnull=False),
            ),
        ]
        indexes = [
            # The sweep's "what is waiting to go out" and the office page's state filter.
            models.Index(fields=["status", "due_at"], name="reminder_status_due_idx"),
            models.Index(fields=["campaign", "kind", "status"], name="reminder_campaign_kind_idx"),
            models.Index(fields=["recipient", "-due_at"], name="reminder_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key} → {self.recipient_id} ({self.due_period})"

    @property
    def is_resendable(self) -> bool:
        """The office may send it again: it went out, or failed for good (reminder_resend)."""
        return self.status in (ReminderStatus.SENT, ReminderStatus.FAILED)

    @property
    def object_kind(self) -> str:
        """What `object_key` names: "letter", "campaign", "unit", "office", "rectification", "measure" or
        "occurrence"."""
        return self.object_key.partition(":")[0]

    @property
    def object_id(self) -> int | None:
        """The id in `object_key` ("letter:12" → 12), if any."""
        tail = self.object_key.partition(":")[2]
        return int(tail) if tail.isdigit() else None

    @property
    def period_label(self) -> str:
        """The due period in words: "3 days before the deadline", "5 days overdue"; "" for a date."""
        kind, _sep, number = self.due_period.partition("-")
        if not number.isdigit():
            return ""
        days = int(number)
        if kind == "before":
            if days == 0:
                return gettext("on the deadline")
            return ngettext("%(days)d day before the deadline", "%(days)d days before the deadline", days) % {
                "days": days
            }
        if kind == "overdue":
            return ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days}
        return ""


class Notification(models.Model):
    """A message in the user's notification centre (the bell in the page header)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=4000, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # What the message is about, as a reminder names it ("letter:12", "rectification:9"), and the kind of
    # reminder whose rule says whether it still needs the recipient: once the work is done the message is
    # closed (marked read, reminders_close_done). Empty for messages that ask nothing (security notices).
    kind = models.CharField(_("kind"), max_length=32, choices=ReminderKind.choices, blank=True)
    object_key = models.CharField(_("about"), max_length=64, blank=True)
    # At most one notification per reminder, whatever happens to the send task (the database says no).
    reminder = models.OneToOneField(
        Reminder,
        verbose_name=_("reminder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            # The bell's unread count: only the unread rows are indexed.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            # Closing the messages about an item once its work is done: only the unread rows are indexed.
            models.Index(
                fields=["object_key"], condition=Q(read_at__isnull=True), name="notification_open_about_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    """The messaging channels a reminder also goes through, besides email and the bell (each optional: on
    when its credentials are configured, responsibility.reminders.channels)."""

    WECOM = "wecom", _("WeCom")  # 企业微信 (or 政务微信 at its own address): an application message
    DINGTALK = "dingtalk", _("DingTalk")  # 钉钉 (or a private deployment): a work notice
    SMS = "sms", _("SMS")  # a text message through the organ's SMS gateway


class ChannelAddress(models.Model):
    """Where a person receives reminders on a channel: their 企业微信 or 钉钉 account (userid) or their mobile
    number, and whether they receive them there. Set by the person or by the office
    (`channel_address_set`), which records who changed it last."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="channel_addresses",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    address = models.CharField(_("account or number"), max_length=64)
    enabled = models.BooleanField(_("receive reminders here"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=clock.now)

    class Meta:
        verbose_name = _("channel address")
        verbose_name_plural = _("channel addresses")
        ordering = ["user", "channel"]
        default_permissions = ("view", "change")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="channel_address_once_per_channel"),
            models.CheckConstraint(
                name="channel_address_channel_valid", condition=Q(channel__in=Channel.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel} {self.address}"


class ChannelDelivery(SendState):
    """The ledger of one channel: one row per (reminder, channel, round), unique in the database, made when
    the reminder is claimed for sending; a send task claims it, sends it, marks it sent. `round` is the
    reminder's resend number: the office's resend makes a new row, a retry never does. Its states are the
    reminder's (docs/adr/0021-messaging-channels.md)."""

    reminder = models.ForeignKey(
        Reminder, verbose_name=_("reminder"), on_delete=models.CASCADE, related_name="channel_deliveries"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    # The account or number as it was when the row was made: a later change does not redirect it.
    address = models.CharField(_("account or number"), max_length=64)
    # What the channel answered for the accepted message (msgid, task_id, message_id).
    provider_message_id = models.CharField(_("message id"), max_length=128, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")
        ordering = ["reminder", "channel", "round"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel", "round"], name="channel_delivery_once_per_round"
            ),
            models.CheckConstraint(
                name="channel_delivery_channel_valid", condition=Q(channel__in=Channel.values)
            ),
            models.CheckConstraint(
                name="channel_delivery_status_valid", condition=Q(status__in=ReminderStatus.values)
            ),
            models.CheckConstraint(
                name="channel_delivery_sent_has_sent_at",
                condition=~Q(status=ReminderStatus.SENT) | Q(sent_at__isnull=False),
            ),
            models.CheckConstraint(
                name="channel_delivery_sending_has_claimed_at",
                condition=~Q(status=ReminderStatus.SENDING) | Q(claimed_at__isnull=False),
            ),
        ]
        indexes = [
            # The requeue's "what lost its task": waiting or claimed rows only.
            models.Index(
                fields=["status", "enqueued_at"],
                condition=Q(status__in=[ReminderStatus.PENDING, ReminderStatus.SENDING]),
                name="channel_delivery_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id} {self.channel} ({self.round}): {self.status}"
