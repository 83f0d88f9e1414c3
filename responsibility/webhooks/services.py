"""Webhooks: subscribing, recording each event once per subscription, sending, re-sending.

The order of a send (the reminders' ledger, docs/adr/0004-reminders.md, applied to HTTP):

1. claim: one conditional UPDATE marks the delivery `sending` if it is waiting and past its retry delay, or
   if a send that claimed it has been silent for WEBHOOK_CLAIM_TIMEOUT (its worker died).
2. POST it, outside any transaction, to the address checked at this send (addresses.py), signed with a
   fresh timestamp; each step fails after its timeout, so a live send never outlasts the claim.
3. record the attempt (append-only) and the outcome, if this send still holds the claim: `delivered` on a
   2xx answer; `failed` at once when the receiver refused for good (a 4xx other than 408 and 429, an address
   the rules refuse); otherwise waiting again, not before its delay (doubling, WEBHOOK_RETRY_DELAY up to
   WEBHOOK_RETRY_MAX_DELAY), until WEBHOOK_MAX_ATTEMPTS.

A worker that dies between the receiver's answer and step 3 leaves the delivery `sending`; it is claimed
again after the claim timeout and sent a second time with the same event id, which the receiver uses to
de-duplicate (the README says so). Lost task messages are queued again by core.requeue within 3 minutes.
"""

import datetime
import math
import time
from dataclasses import dataclass

import urllib3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.announcements import Announcement, AnnouncementKind, announce, announcement_listener_register
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.api.models import ApiClient
from responsibility.supervision.selectors import rectifications_overdue_between
from responsibility.webhooks.addresses import AddressRefused, Sender, webhook_target, webhook_url_check
from responsibility.webhooks.events import EVENT_SCOPES, event_body
from responsibility.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSendTicket,
    WebhookSubscription,
)
from responsibility.webhooks.permissions import WebhookAction, webhook_check_permission
from responsibility.webhooks.signing import (
    SECRET_PREFIX_LENGTH,
    SecretUnreadable,
    secret_decrypt,
    secret_encrypt,
    secret_new,
    signature_header,
)
from responsibility.webhooks.tasks import webhooks_send as webhooks_send_task

ERROR_TEXT_MAX = 500
MAX_REASON_LENGTH = 200
USER_AGENT = "responsibility-letters-webhooks/1"


# --- Subscribing ----------------------------------------------------------------------------------


def _events_check(*, client: ApiClient, events: list[str]) -> list[str]:
    if not events:
        raise ApplicationError(_("Choose at least one event."), code="events")
    unknown = [event for event in events if event not in EVENT_SCOPES]
    if unknown:
        raise ApplicationError(_("Unknown event: %(event)s.") % {"event": unknown[0]}, code="events")
    missing = [event for event in events if EVENT_SCOPES[event] not in client.scopes]
    if missing:
        scope = EVENT_SCOPES[missing[0]]
        raise ApplicationError(
            _("The client lacks the scope “%(scope)s” that this event needs: %(event)s.")
            % {"scope": scope.label, "event": missing[0]},
            code="scope_missing",
        )
    return [kind.value for kind in AnnouncementKind if kind.value in events]


def _client_usable_check(client: ApiClient) -> None:
    if client.is_revoked:
        raise ApplicationError(_("The client is revoked: it can no longer be sent events."), code="revoked")
    if client.is_expired:
        raise ApplicationError(_("The client's token has expired: make a new token first."), code="expired")


@transaction.atomic
def webhook_subscribe(
    *, client: ApiClient, url: str, events: list[str], created_by
) -> tuple[WebhookSubscription, str]:
    """Subscribe a client's URL to events; returns it with its signing secret (shown once)."""
    webhook_check_permission(user=created_by, action=WebhookAction.MANAGE)
    client = row_lock(ApiClient, pk=client.pk)
    _client_usable_check(client)
    url = (url or "").strip()
    webhook_url_check(url)
    events = _events_check(client=client, events=list(events))
    if client.subscriptions.filter(url=url, stopped_at__isnull=True).exists():
        raise ApplicationError(
            _("This client already has a subscription for this address."), code="duplicate"
        )
    secret = secret_new()
    subscription = WebhookSubscription.objects.create(
        client=client,
        url=url,
        events=events,
        secret_encrypted=secret_encrypt(secret),
        secret_prefix=secret[:SECRET_PREFIX_LENGTH],
        created_by=created_by,
    )
    return subscription, secret


@transaction.atomic
def webhook_secret_renew(
    *, subscription: WebhookSubscription, renewed_by, expected_version: int | None
) -> str:
    """A new signing secret (shown once); deliveries signed from now on use it."""
    webhook_check_permission(user=renewed_by, action=WebhookAction.MANAGE)
    locked = row_lock(WebhookSubscription, pk=subscription.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("subscription"))
    if locked.is_stopped:
        raise ApplicationError(_("The subscription is stopped."), code="stopped")
    secret = secret_new()
    locked.secret_encrypted = secret_encrypt(secret)
    locked.secret_prefix = secret[:SECRET_PREFIX_LENGTH]
    locked.version += 1
    locked.save(update_fields=["secret_encrypted", "secret_prefix", "version"])
    return secret


@transaction.atomic
def webhook_stop(*, subscription: WebhookSubscription, stopped_by, reason: str, expected_version: int | None):
    """Stop for good: nothing more is sent; what waits is cancelled; the record stays."""
    webhook_check_permission(user=stopped_by, action=WebhookAction.MANAGE)
    locked = row_lock(WebhookSubscription, pk=subscription.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("subscription"))
    if locked.is_stopped:
        raise ApplicationError(_("The subscription is already stopped."), code="stopped")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(_("Give the reason for stopping."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason is at most %(count)d characters.") % {"count": MAX_REASON_LENGTH}, code="reason"
        )
    locked.stopped_at, locked.stopped_by, locked.stop_reason = clock.now(), stopped_by, reason
    locked.version += 1
    locked.save(update_fields=["stopped_at", "stopped_by", "stop_reason", "version"])
    locked.deliveries.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, last_error=_("The subscription was stopped.")
    )
    return locked


# --- Recording each event, once per subscription --------------------------------------------------


@announcement_listener_register
def webhook_deliveries_record(announcement: Announcement) -> int:
    """An event happened: one delivery for each live subscription to it, in the same transaction (unique per
    subscription and event id: an event announced again records nothing more). Returns how many are new."""
    today = clock.today()
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.select_related("client").filter(
            stopped_at__isnull=True,
            client__revoked_at__isnull=True,
            client__expires_on__gte=today,
            created_at__lte=announcement.occurred_at,
        )
        if announcement.kind.value in subscription.events
        and EVENT_SCOPES[announcement.kind] in subscription.client.scopes
    ]
    if not subscriptions:
        return 0
    body, now = event_body(announcement), clock.now()
    made = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=subscription,
                event_id=announcement.event_id,
                event=announcement.kind.value,
                subject=announcement.subject,
                occurred_at=announcement.occurred_at,
                body=body,
                enqueued_at=now,  # its task is queued on commit; if that fails, core.requeue queues it
            )
            for subscription in subscriptions
        ],
        ignore_conflicts=True,
    )
    subscription_ids = [subscription.pk for subscription in subscriptions]
    transaction.on_commit(lambda: webhook_sends_queue(subscription_ids=subscription_ids))
    return len(made)


def webhook_sends_queue(
    *, subscription_ids: list[int], due_at: datetime.datetime | None = None, replace_before=None
) -> int:
    """Queue a send task for each subscription that has none waiting (its ticket); returns how many.

    Called after the commit that recorded deliveries: a task that has not started yet will read them; one
    that started removed its ticket first, so a new one is queued. A ticket queued before
    `replace_before` (default: STUCK_WORK_AFTER ago) lost its task and is replaced. `due_at`: a retry's
    task, queued with its countdown.
    """
    now = clock.now()
    replace_before = replace_before or now - settings.STUCK_WORK_AFTER
    queued = 0
    for subscription_id in subscription_ids:
        try:
            with transaction.atomic():
                WebhookSendTicket.objects.create(subscription_id=subscription_id, queued_at=due_at or now)
        except IntegrityError:
            # One waits: unless it lost its task, it will send these too.
            if not WebhookSendTicket.objects.filter(
                subscription_id=subscription_id, queued_at__lt=replace_before
            ).update(queued_at=due_at or now):
                continue
        countdown = max(math.ceil((due_at - now).total_seconds()), 0) if due_at else 0
        webhooks_send_task.apply_async(kwargs={"subscription_id": subscription_id}, countdown=countdown)
        queued += 1
    return queued


def _claim_abandoned(*, now: datetime.datetime) -> Q:
    return Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - settings.WEBHOOK_CLAIM_TIMEOUT)


def webhook_deliveries_requeue_lost(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """Deliveries whose send task was lost (the commit's hook or the broker failed, a worker died): waiting,
    queued before the cutoff and past their retry delay, or claimed by a send silent past the claim
    timeout. Their subscriptions get a send task again (a ticket from before the cutoff is replaced); the
    deliveries count as queued now. Returns how many deliveries."""
    lost = WebhookDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, enqueued_at__lt=cutoff)
        & (Q(retry_at__isnull=True) | Q(retry_at__lt=cutoff))
        | _claim_abandoned(now=now)
    )
    found = list(lost.order_by("pk").values_list("pk", "subscription_id")[: settings.WEBHOOK_REQUEUE_BATCH])
    if not found:
        return 0
    WebhookDelivery.objects.filter(pk__in=[pk for pk, _subscription in found]).update(enqueued_at=now)
    webhook_sends_queue(
        subscription_ids=sorted({subscription for _pk, subscription in found}), replace_before=cutoff
    )
    return len(found)


# --- Sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchOutcome:
    sent: int = 0  # delivered, failed for good or cancelled (those failed for now wait for their retry_at)
    unsent: int = 0  # not tried: the batch's time was up


def webhook_retry_delay(*, attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed try: WEBHOOK_RETRY_DELAY doubling, at most the maximum."""
    return min(settings.WEBHOOK_RETRY_DELAY * 2 ** max(attempts - 1, 0), settings.WEBHOOK_RETRY_MAX_DELAY)


def webhooks_send_due(*, subscription_id: int) -> int:
    """The send task of a subscription: remove its ticket (events recorded from now on queue a new task),
    then send what is due, oldest first, up to WEBHOOK_SEND_BATCH; queue the next task for what remains or
    for the earliest retry. Returns how many were sent (delivered or failed for good)."""
    WebhookSendTicket.objects.filter(subscription_id=subscription_id).delete()
    now = clock.now()
    due = list(
        WebhookDelivery.objects.filter(subscription_id=subscription_id)
        .filter(
            Q(status=DeliveryStatus.PENDING) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            | _claim_abandoned(now=now)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[: settings.WEBHOOK_SEND_BATCH + 1]
    )
    batch = webhooks_deliver_batch(
        delivery_ids=due[: settings.WEBHOOK_SEND_BATCH],
        deadline=time.monotonic() + settings.WEBHOOK_SEND_SECONDS,
    )
    if len(due) > settings.WEBHOOK_SEND_BATCH or batch.unsent:
        webhook_sends_queue(subscription_ids=[subscription_id])  # the rest, by the next task
    else:
        retry_at = WebhookDelivery.objects.filter(
            subscription_id=subscription_id, status=DeliveryStatus.PENDING, retry_at__isnull=False
        ).aggregate(first=Min("retry_at"))["first"]
        if retry_at is not None:
            webhook_sends_queue(subscription_ids=[subscription_id], due_at=retry_at)
    return batch.sent


def webhooks_deliver_batch(*, delivery_ids: list[int], deadline: float | None = None) -> BatchOutcome:
    """Send these deliveries (one connection per receiver), none started after `deadline` (monotonic
    seconds); returns how many were sent and how many the deadline left untried."""
    deliveries = list(
        WebhookDelivery.objects.select_related("subscription__client")
        .filter(pk__in=delivery_ids, status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING))
        .order_by("pk")
    )
    sender = Sender()
    sent = unsent = 0
    try:
        for delivery in deliveries:
            if deadline is not None and time.monotonic() > deadline:
                unsent += 1
            elif webhook_deliver(delivery=delivery, sender=sender) not in (None, DeliveryStatus.PENDING):
                sent += 1
    finally:
        sender.close()
    return BatchOutcome(sent=sent, unsent=unsent)


def webhook_deliver(*, delivery: WebhookDelivery, sender: Sender) -> str | None:
    """Claim, send, record (see the module). Returns the state it left, or None if another send has it."""
    now = clock.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .filter(
            Q(status=DeliveryStatus.PENDING) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            | _claim_abandoned(now=now)
        )
        .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    delivery.status, delivery.claimed_at, delivery.attempts = (
        DeliveryStatus.SENDING,
        now,
        delivery.attempts + 1,
    )
    subscription, client = delivery.subscription, delivery.subscription.client
    stopped = _why_not_sent(subscription, client)
    if stopped:
        return _finish(delivery, started=now, status=DeliveryStatus.CANCELLED, error=stopped, duration_ms=0)
    started = time.monotonic()
    code, error, permanent = None, "", False
    try:
        secret = secret_decrypt(subscription.secret_encrypted)
        target = webhook_target(subscription.url)
        body = delivery.body.encode()
        code = sender.post(
            target,
            body=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                "X-Event-Id": str(delivery.event_id),
                "X-Event-Type": delivery.event,
                "X-Delivery-Attempt": str(delivery.attempts),
                "X-Signature": signature_header(secret=secret, timestamp=int(time.time()), body=body),
            },
        )
    except SecretUnreadable:
        error, permanent = _("The signing secret cannot be read (the key changed): make a new secret."), True
    except AddressRefused as refused:
        error, permanent = str(refused), True
    except (urllib3.exceptions.HTTPError, OSError) as failure:
        error = _sending_error(failure)
    duration_ms = round((time.monotonic() - started) * 1000)
    if code is not None:
        if 200 <= code < 300:
            return _finish(
                delivery, started=now, status=DeliveryStatus.DELIVERED, code=code, duration_ms=duration_ms
            )
        error = _("The receiver answered %(code)d.") % {"code": code}
        permanent = 400 <= code < 500 and code not in (408, 429)
    if permanent or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.PENDING
    return _finish(delivery, started=now, status=status, code=code, error=error, duration_ms=duration_ms)


def _why_not_sent(subscription: WebhookSubscription, client: ApiClient) -> str:
    if subscription.is_stopped:
        return _("The subscription was stopped.")
    if client.is_revoked:
        return _("The client was revoked.")
    if client.is_expired:
        return _("The client's token has expired.")
    return ""


def _sending_error(failure: Exception) -> str:
    # A refused connection (NewConnectionError) is a subclass of urllib3's timeout, yet not a timeout.
    if isinstance(failure, urllib3.exceptions.TimeoutError) and not isinstance(
        failure, urllib3.exceptions.NewConnectionError
    ):
        return _("The receiver did not answer in time.")
    if isinstance(failure, urllib3.exceptions.SSLError):
        return _("The receiver's certificate was not accepted: %(error)s") % {"error": failure}
    return _("The receiver could not be reached: %(error)s") % {"error": failure}


def _finish(
    delivery: WebhookDelivery,
    *,
    started: datetime.datetime,
    status: str,
    duration_ms: int,
    code: int | None = None,
    error: str = "",
) -> str | None:
    """Record the attempt and the outcome, if this send still holds the claim."""
    now = clock.now()
    changes = {"status": status, "response_code": code, "last_error": error[:ERROR_TEXT_MAX]}
    if status == DeliveryStatus.DELIVERED:
        changes.update(delivered_at=now, retry_at=None)
    elif status == DeliveryStatus.PENDING:
        changes.update(retry_at=now + webhook_retry_delay(attempts=delivery.attempts), enqueued_at=now)
    with transaction.atomic():
        held = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
        ).update(**changes)
        if not held:
            return None
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=duration_ms,
            response_code=code,
            error=error[:ERROR_TEXT_MAX],
        )
    return status


# --- The office's re-send -------------------------------------------------------------------------


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, resent_by) -> WebhookDelivery:
    """Send a delivered, failed or cancelled delivery again, with the same event id and body."""
    webhook_check_permission(user=resent_by, action=WebhookAction.MANAGE)
    locked = row_lock(WebhookDelivery.objects.select_related("subscription__client"), pk=delivery.pk)
    if not locked.is_resendable:
        raise ApplicationError(_("This delivery is already waiting to be sent."), code="waiting")
    stopped = _why_not_sent(locked.subscription, locked.subscription.client)
    if stopped:
        raise ApplicationError(stopped, code="stopped")
    now = clock.now()
    WebhookDelivery.objects.filter(pk=locked.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        response_code=None,
        last_error="",
        retry_at=None,
        enqueued_at=now,
        resend_count=F("resend_count") + 1,
        resent_by=resent_by,
        resent_at=now,
    )
    subscription_id = locked.subscription_id
    transaction.on_commit(lambda: webhook_sends_queue(subscription_ids=[subscription_id]))
    locked.refresh_from_db()
    return locked


# --- Problems overdue -----------------------------------------------------------------------------

OVERDUE_LOOKBACK_DAYS = 7  # a sweep missed for up to a week still announces what became overdue


def webhooks_overdue_announce(*, today: datetime.date) -> int:
    """Announce `problem.overdue` for each problem whose rectification passed its deadline unfinished in the
    last week (daily, by beat; idempotent: the event's id is the problem and its deadline). Returns how many
    problems were announced (deliveries are recorded once however often)."""
    subscribed = any(
        AnnouncementKind.PROBLEM_OVERDUE.value in events
        for events in WebhookSubscription.objects.filter(stopped_at__isnull=True).values_list(
            "events", flat=True
        )
    )
    if not subscribed:
        return 0
    overdue = rectifications_overdue_between(
        first=today - datetime.timedelta(days=OVERDUE_LOOKBACK_DAYS), last=today - datetime.timedelta(days=1)
    )
    count = 0
    for finding_id, deadline in overdue:
        day_after = timezone.make_aware(
            datetime.datetime.combine(deadline + datetime.timedelta(days=1), datetime.time())
        )
        with transaction.atomic():
            announce(
                kind=AnnouncementKind.PROBLEM_OVERDUE,
                subject=f"problem:{finding_id}",
                occasion=deadline.isoformat(),
                occurred_at=day_after,
            )
        count += 1
    return count
