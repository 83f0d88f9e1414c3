"""Reminders: the rules of a campaign, the sweep that fills the ledger, sending, resending, read marks.

The order of a send, and why (docs/adr/0004-reminders.md):

1. claim: in a short transaction, lock the row (SKIP LOCKED) if it is waiting (and its retry delay, if
   any, is over), or if a send that claimed it has been silent for longer than REMINDERS_CLAIM_TIMEOUT
   (its worker died); check the item still needs the reminder (else the row is cancelled); create the
   in-app notification (unique per reminder: a second send can never make a second one); mark the row
   SENDING; commit. Attachments are read from storage after this commit, and the claim renewed after
   them, so that it times out only on a send that is silent itself.
2. send the email, outside any transaction, with the row's stable Message-ID.
3. mark the row SENT (only if this send still holds the claim); commit.

A worker that dies between the mail server accepting the email (2) and the commit (3) leaves the row
SENDING; after the claim timeout it is claimed again and the email goes out a second time, with the
same Message-ID. That window is the only way an email is sent twice: a send cannot outlast the claim
timeout while it is alive (EMAIL_TIMEOUT bounds each step of it).

A send task whose message was lost (a worker killed, a broker restarted without its data) is queued again
by core.requeue (`reminders_requeue_lost`, every minute): nothing waits more than STUCK_WORK_AFTER, or
REMINDERS_CLAIM_TIMEOUT, and the beat's minute.
"""

import datetime
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
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
from responsibility.reminders.channel_services import channel_deliveries_open
from responsibility.reminders.models import Notification, Reminder, ReminderStatus
from responsibility.reminders.permissions import ReminderAction, reminder_check_permission
from responsibility.reminders.registry import (
    SOURCES,
    DueRow,
    reminder_items_still_due,
    reminder_message_now,
)
from responsibility.reminders.rendering import RenderedReminder, reminder_message_id, reminder_render
from responsibility.reminders.tasks import reminders_send as reminders_send_task

logger = logging.getLogger(__name__)

SEND_CHUNK = 100  # reminders per send task: one SMTP connection each
DRY_RUN_LISTED = 200  # rows a dry run lists (the counts are always complete)


# --- The sweep ------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    today: datetime.date
    dry_run: bool
    created: dict[str, int] = field(default_factory=dict)  # new ledger rows per kind (or would be)
    scheduled: int = 0  # reminders handed to send tasks (or that would be)
    listed: list[DueRow] = field(default_factory=list)  # dry run: the first new rows

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


def reminders_sweep(*, today: datetime.date, dry_run: bool = False, now: datetime.datetime | None = None):
    """Create the ledger rows due on `today`, then hand every reminder waiting to be sent to send tasks.

    Idempotent: the rows exist once (unique in the database), so a second run creates nothing, and a
    reminder already queued recently is not queued again. A dry run writes nothing.
    """
    now = now or clock.now()
    result = SweepResult(today=today, dry_run=dry_run)
    for kind, source in SOURCES.items():
        result.created[kind] = 0
        for batch in source.due_rows(today=today):
            new = _rows_not_in_ledger(batch)
            result.created[kind] += len(new)
            if dry_run:
                result.listed.extend(new[: max(DRY_RUN_LISTED - len(result.listed), 0)])
            elif new:
                # A concurrent sweep may insert the same rows meanwhile: the unique constraint decides.
                Reminder.objects.bulk_create(
                    [row.as_reminder() for row in new], ignore_conflicts=True, batch_size=len(new)
                )
    result.scheduled = _reminders_never_queued(now=now).count() if dry_run else reminders_enqueue_due(now=now)
    return result


def reminders_add(*, rows: list[DueRow], now: datetime.datetime | None = None) -> list[int]:
    """Put rows of one kind in the ledger now, without waiting for the sweep, and queue them once committed.

    For messages due the moment something happens (a letter sealed). Idempotent: a row already in the
    ledger is not added again, and one already queued or sent is not queued again; a lost queue message
    is queued again by `reminders_requeue_lost`, like any other. Returns the ids queued.
    """
    if not rows:
        return []
    now = now or clock.now()
    with transaction.atomic():
        new = _rows_not_in_ledger(rows)
        if new:
            Reminder.objects.bulk_create([row.as_reminder() for row in new], ignore_conflicts=True)
        wanted = {(row.object_key, row.recipient_id, row.due_period) for row in rows}
        waiting = [
            pk
            for pk, *row in Reminder.objects.filter(
                kind=rows[0].kind,
                object_key__in={row.object_key for row in rows},
                status=ReminderStatus.PENDING,
                enqueued_at__isnull=True,
            ).values_list("pk", "object_key", "recipient_id", "due_period")
            if tuple(row) in wanted
        ]
        if waiting:
            _enqueue(waiting, now=now)
    return waiting


def _rows_not_in_ledger(batch: list[DueRow]) -> list[DueRow]:
    """The rows of a batch the ledger does not hold yet (one query; a batch has one kind)."""
    existing = set(
        Reminder.objects.filter(
            kind=batch[0].kind,
            object_key__in={row.object_key for row in batch},
            due_period__in={row.due_period for row in batch},
        ).values_list("object_key", "recipient_id", "due_period")
    )
    return [row for row in batch if (row.object_key, row.recipient_id, row.due_period) not in existing]


def _reminders_never_queued(*, now: datetime.datetime) -> QuerySet[Reminder]:
    """Due reminders no send task was queued for yet: the sweep's new rows."""
    return Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now, enqueued_at__isnull=True)


def _reminders_lost(*, cutoff: datetime.datetime, now: datetime.datetime) -> QuerySet[Reminder]:
    """Reminders whose send task was lost (attempts.task_lost), among those due."""
    return Reminder.objects.filter(task_lost(cutoff=cutoff, now=now)).exclude(
        status=ReminderStatus.PENDING, due_at__gt=now
    )


def reminders_enqueue_due(*, now: datetime.datetime) -> int:
    """Queue send tasks (SEND_CHUNK each) for the due reminders never queued, after commit; how many."""
    return _enqueue_all(_reminders_never_queued(now=now), now=now)


def reminders_requeue_lost(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """Queue again the reminders whose send task was lost (see `_reminders_lost`), once per wait: each is
    marked queued at `now`. Run every minute by core.requeue with `cutoff` = now - STUCK_WORK_AFTER.

    Safe however often it runs: the claim decides who sends, and a pending row is claimed only once its
    retry delay is over. A message whose reminders are done costs one query (`reminders_send_batch`)."""
    return _enqueue_all(_reminders_lost(cutoff=cutoff, now=now), now=now)


def _enqueue_all(reminders: QuerySet[Reminder], *, now: datetime.datetime) -> int:
    count = 0
    with transaction.atomic():
        ids = reminders.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000)
        chunk: list[int] = []
        for pk in ids:
            chunk.append(pk)
            if len(chunk) == SEND_CHUNK:
                count += _enqueue(chunk, now=now)
                chunk = []
        if chunk:
            count += _enqueue(chunk, now=now)
    return count


def _enqueue(ids: list[int], *, now: datetime.datetime) -> int:
    Reminder.objects.filter(pk__in=ids).update(enqueued_at=now)
    reminders_send_task.delay_on_commit(reminder_ids=list(ids))
    return len(ids)


# --- Sending --------------------------------------------------------------------------------------


def reminder_send(*, reminder: Reminder, connection=None) -> SendOutcome:
    """Claim, check, notify in the app, email, mark sent (see the module's docstring for the order)."""
    claim = _reminder_claim(reminder=reminder)
    if not isinstance(claim, tuple):
        return claim
    claimed, rendered = claim
    recipient = claimed.recipient
    if not recipient.email:
        attempt_failed(claimed, error=_("The recipient has no email address."), permanent=True)
        return SendOutcome.FAILED
    email = mail.EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[recipient.email],
        headers={"Message-ID": claimed.message_id},
        connection=connection,
    )
    email.attach_alternative(rendered.html, "text/html")
    try:
        if rendered.attachments:
            for attachment in rendered.attachments:  # read from storage here: outside any transaction
                email.attach(attachment.filename, attachment.read(), attachment.mimetype)
            claimed = _reminder_claim_renew(claimed)
            if claimed is None:  # the read outlasted the claim: another send has it now
                return SendOutcome.SKIPPED
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        if connection is not None:
            _connection_reset(connection)
        permanent = _is_permanent(error) or claimed.attempts >= MAX_ATTEMPTS
        attempt_failed(claimed, error=f"{type(error).__name__}: {error}", permanent=permanent)
        logger.warning("Reminder %s: sending failed (%s): %s", claimed.pk, claimed.attempts, error)
        return SendOutcome.FAILED if permanent else SendOutcome.RETRY
    if not attempt_sent(claimed):
        logger.warning("Reminder %s was claimed again while this send ran; it was sent twice.", claimed.pk)
    return SendOutcome.SENT


def _reminder_claim(*, reminder: Reminder) -> tuple[Reminder, RenderedReminder] | SendOutcome:
    now = clock.now()
    with transaction.atomic():
        claimed = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=reminder.pk)
            .filter(claimable(now=now))
            .first()
        )
        if claimed is None:
            return SendOutcome.SKIPPED
        message = reminder_message_now(reminder=claimed)
        if message is None:
            claimed.status = ReminderStatus.CANCELLED
            claimed.save(update_fields=["status"])
            # A resent reminder's message, unread again, is closed with it: the work is done.
            Notification.objects.filter(reminder=claimed, read_at__isnull=True).update(read_at=now)
            return SendOutcome.CANCELLED
        rendered = reminder_render(reminder=claimed, message=message)
        notification, created = Notification.objects.get_or_create(
            reminder=claimed,
            defaults={
                "recipient": claimed.recipient,
                "title": rendered.subject[:200],
                "body": rendered.summary[:4000],
                "url": rendered.url[:500],
                "kind": claimed.kind,
                "object_key": claimed.object_key,
            },
        )
        if created:
            # "3 days left" replaces "7 days left": the bell shows the latest message about an item.
            Notification.objects.filter(
                recipient=claimed.recipient,
                kind=claimed.kind,
                object_key=claimed.object_key,
                read_at__isnull=True,
            ).exclude(pk=notification.pk).update(read_at=now)
        # The channels the recipient receives on send the same message, each on its own (channel_services).
        channel_deliveries_open(reminder=claimed, now=now)
        claimed.status = ReminderStatus.SENDING
        claimed.claimed_at = now
        claimed.attempts += 1
        claimed.message_id = reminder_message_id(claimed)
        claimed.save(update_fields=["status", "claimed_at", "attempts", "message_id"])
    return claimed, rendered


def _reminder_claim_renew(claimed: Reminder) -> Reminder | None:
    """Move the claim to now, if this send still holds it; None if another send took it over."""
    now = clock.now()
    with transaction.atomic():
        renewed = Reminder.objects.filter(
            pk=claimed.pk, status=ReminderStatus.SENDING, claimed_at=claimed.claimed_at
        ).update(claimed_at=now)
    if not renewed:
        return None
    claimed.claimed_at = now
    return claimed


def _is_permanent(error: Exception) -> bool:
    """A refusal that another attempt will not change: the server answered 5xx, or refused the address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def _connection_reset(connection) -> None:
    """Drop a connection that failed; the next message opens a new one."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail in any way
        logger.debug("closing the mail connection failed", exc_info=True)


def reminders_send_batch(*, reminder_ids: list[int]) -> BatchRetry:
    """Send some reminders over one mail connection. Returns those to try again later, and when."""
    # Only those still to do: a message queued again whose reminders went out meanwhile costs one query.
    reminders = list(
        Reminder.objects.filter(
            pk__in=reminder_ids, status__in=(ReminderStatus.PENDING, ReminderStatus.SENDING)
        )
        .order_by("pk")
        .only("pk")
    )
    if not reminders:
        return BatchRetry()
    retry: list[int] = []
    connection = mail.get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        # Each send below tries to connect again and counts its own failure.
        logger.warning("Mail server unreachable: %s", error)
    try:
        for reminder in reminders:
            if reminder_send(reminder=reminder, connection=connection) == SendOutcome.RETRY:
                retry.append(reminder.pk)
    finally:
        _connection_reset(connection)
    return batch_retry(Reminder.objects, ids=retry)


# --- Closing what is done -------------------------------------------------------------------------


def reminders_close_done(*, object_keys: Iterable[str]) -> int:
    """The work is done: what reminded people of it is closed. Returns how many messages were closed.

    Called by the service that did the work, in its transaction, with the items it touched ("letter:12",
    "campaign:4", "rectification:9"). For each reminder waiting to go out and each unread message about
    those items, the rule of its kind (its source: `reminder_items_still_due`) decides whether the
    recipient is still needed; if not, the reminder is cancelled and the message marked read, so the bell
    shows only what still needs the user. Messages that ask nothing (no kind) are left alone.
    """
    keys = set(object_keys)
    if not keys:
        return 0
    waiting = list(
        Reminder.objects.filter(
            kind__in=list(SOURCES), object_key__in=keys, status=ReminderStatus.PENDING
        ).values_list("pk", "kind", "object_key", "recipient_id")
    )
    unread = list(
        Notification.objects.filter(read_at__isnull=True, object_key__in=keys)
        .exclude(kind="")
        .values_list("pk", "kind", "object_key", "recipient_id")
    )
    if not waiting and not unread:
        return 0
    asked: dict[str, set[tuple[str, int]]] = {}
    for _pk, kind, object_key, recipient_id in waiting + unread:
        asked.setdefault(kind, set()).add((object_key, recipient_id))
    still_due = {
        (kind, *item)
        for kind, items in asked.items()
        for item in reminder_items_still_due(kind=kind, items=items)
    }
    cancel = [pk for pk, *about in waiting if tuple(about) not in still_due]
    close = [pk for pk, *about in unread if tuple(about) not in still_due]
    if cancel:
        # Only while still waiting: a send that claimed it meanwhile goes ahead and is answered by the rule.
        Reminder.objects.filter(pk__in=cancel, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.CANCELLED
        )
    if close:
        Notification.objects.filter(pk__in=close, read_at__isnull=True).update(read_at=clock.now())
    return len(close)


# --- The office's resend --------------------------------------------------------------------------


@transaction.atomic
def reminder_resend(*, reminder: Reminder, resent_by) -> Reminder:
    """Send a sent or failed reminder again: a new email (new Message-ID); the message shows as unread."""
    reminder_check_permission(user=resent_by, action=ReminderAction.RESEND)
    locked = row_lock(Reminder, pk=reminder.pk)
    if locked.status == ReminderStatus.CANCELLED:
        raise ApplicationError(_("This reminder is no longer needed: the item was done before it went out."))
    if not locked.is_resendable:  # waiting or being sent
        raise ApplicationError(_("This reminder is already waiting to be sent."))
    now = clock.now()
    locked.status = ReminderStatus.PENDING
    locked.attempts = 0
    locked.last_error = ""
    locked.resend_count += 1
    locked.resent_by = resent_by
    locked.resent_at = now
    locked.enqueued_at = now
    locked.retry_at = None
    locked.save(
        update_fields=[
            "status",
            "attempts",
            "last_error",
            "resend_count",
            "resent_by",
            "resent_at",
            "enqueued_at",
            "retry_at",
        ]
    )
    Notification.objects.filter(reminder=locked).update(read_at=None)
    reminders_send_task.delay_on_commit(reminder_ids=[locked.pk])
    return locked


# --- The notification centre ----------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, read_by) -> Notification:
    """Mark one of the user's own messages as read (a second mark changes nothing)."""
    if notification.recipient_id != read_by.pk:
        raise PermissionDenied(_("This message is not yours."))
    if notification.read_at is None:
        notification.read_at = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, read_by) -> int:
    """Mark every unread message of the user as read. Returns how many."""
    return Notification.objects.filter(recipient=read_by, read_at__isnull=True).update(read_at=clock.now())
