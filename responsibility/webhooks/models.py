"""Webhooks (事件推送): an API client's subscriptions, and the ledger of their deliveries.

The office subscribes a client's URL to some events. Each event announced (core.announcements) becomes one
delivery per subscription, in the transaction that made it happen, unique per (subscription, event id):
the event is never lost with a failed send and never recorded twice. A delivery moves
`pending → sending → delivered | failed`, or to `cancelled` when its client or subscription stopped before
it went out; every attempt is kept (`WebhookAttempt`, append-only).
See docs/adr/0020-api-webhooks-channels.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.appendonly import AppendOnlyModel
from responsibility.api.models import ApiClient


class WebhookSubscription(models.Model):
    """A client's URL and the events it is sent; signed with a secret only the client and the system know."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("client"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    # The signing secret, encrypted with WEBHOOK_SECRET_KEY (it must be read to sign, so it is not hashed).
    secret_encrypted = models.TextField(editable=False)
    secret_prefix = models.CharField(_("secret starts"), max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True, editable=False)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stop_reason = models.CharField(_("reason for stopping"), max_length=200, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["client", "pk"]
        constraints = [
            models.CheckConstraint(
                name="webhooksubscription_stopped_whole",
                condition=(
                    Q(stopped_at__isnull=True, stopped_by__isnull=True, stop_reason="")
                    | (Q(stopped_at__isnull=False, stopped_by__isnull=False) & ~Q(stop_reason=""))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")  # to be sent (again, after a failed attempt, from retry_at)
    SENDING = "sending", _("Sending")  # claimed by a send task (claimed again when that task died)
    DELIVERED = "delivered", _("Delivered")  # the receiver answered 2xx
    FAILED = "failed", _("Failed")  # refused for good, or every attempt failed; the office may re-send
    CANCELLED = "cancelled", _("Not sent")  # its client or subscription stopped before it went out


class WebhookDelivery(models.Model):
    """One event for one subscription: the exact body signed, its state, and when it was (re)tried."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    event_id = models.UUIDField(_("event id"), editable=False)
    event = models.CharField(_("event"), max_length=40, editable=False)
    subject = models.CharField(_("about"), max_length=64, editable=False)
    occurred_at = models.DateTimeField(_("occurred at"), editable=False)
    body = models.TextField(editable=False)  # the JSON sent, byte for byte what is signed
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        editable=False,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    response_code = models.PositiveSmallIntegerField(
        _("response code"), null=True, blank=True, editable=False
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    retry_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)
    resend_count = models.PositiveSmallIntegerField(_("re-sent"), default=0, editable=False)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    resent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhookdelivery_once_per_event"
            ),
            models.CheckConstraint(
                name="webhookdelivery_status_valid", condition=Q(status__in=DeliveryStatus.values)
            ),
            models.CheckConstraint(
                name="webhookdelivery_delivered_has_time",
                condition=~Q(status=DeliveryStatus.DELIVERED) | Q(delivered_at__isnull=False),
            ),
            models.CheckConstraint(
                name="webhookdelivery_sending_has_claim",
                condition=~Q(status=DeliveryStatus.SENDING) | Q(claimed_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhookdelivery_sub_time"),
            # What waits to go out (the requeue of lost tasks); only those rows are indexed.
            models.Index(
                fields=["enqueued_at"],
                condition=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                name="webhookdelivery_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.subject} → {self.subscription_id}"

    @property
    def is_resendable(self) -> bool:
        return self.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED)


class WebhookAttempt(AppendOnlyModel):
    """One try to deliver: when, how long, what the receiver answered or what went wrong. Never changed."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.PROTECT, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "-started_at", "-pk"]
        indexes = [models.Index(fields=["delivery", "-started_at"], name="webhookattempt_delivery")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"


class WebhookSendTicket(models.Model):
    """A send task is queued for this subscription and has not started: events recorded meanwhile wait for
    it instead of queuing tasks of their own, so a burst of events is sent by a few tasks over a few
    connections. The task removes the ticket as it starts; a ticket older than STUCK_WORK_AFTER lost its
    task and is replaced (services.py)."""

    subscription = models.OneToOneField(
        WebhookSubscription, on_delete=models.CASCADE, primary_key=True, related_name="send_ticket"
    )
    queued_at = models.DateTimeField(default=clock.now)  # or, for a retry, when it is due

    class Meta:
        verbose_name = _("webhook send ticket")
        verbose_name_plural = _("webhook send tickets")

    def __str__(self) -> str:
        return f"{self.subscription_id} @ {self.queued_at}"
