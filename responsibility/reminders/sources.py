"""The letters' reminder sources: letters awaiting signature or countersignature, the daily digest of
each unit's outstanding letters, and the sealed PDF sent to the parties (ADR 0004). Registered with the
reminder registry at start-up, with the letters' listeners: a letter that moves closes what asked for it,
a sealed PDF goes to its signer and issuer."""

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import OrgUnit, Post
from accounts.org_tree import OrgTree, org_tree
from accounts.roles import Role
from core import clock
from responsibility.letters.listeners import letter_moved_listener_register, letter_sealed_listener_register
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.models.letters import Campaign, CampaignStatus, Letter, LetterStatus
from responsibility.letters.models.reminder_policy import ReminderPolicy
from responsibility.letters.selectors import ARCHIVE_STATUSES
from responsibility.letters.services.documents import letter_document_download_name
from responsibility.reminders.models import Reminder, ReminderKind
from responsibility.reminders.registry import (
    BATCH_SIZE,
    DIGEST_ITEMS_SHOWN,
    DueRow,
    ReminderAttachment,
    ReminderMessage,
    Schedule,
    _batched,
    _key_id,
    is_weekend,
    period_current,
    reminder_source_register,
    schedule_for,
    site_link,
    start_of_day,
)
from responsibility.reminders.services import reminders_add, reminders_close_done

# The sweep looks this far back for sealed PDFs whose message was not queued when they were stored.
SEALED_LOOKBACK_DAYS = 2


def _campaigns_open() -> list[tuple[Campaign, Schedule]]:
    """Open campaigns with their schedules (a closed campaign sends no more reminders)."""
    campaigns = Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("pk")
    policies = {
        policy.campaign_id: policy for policy in ReminderPolicy.objects.filter(campaign__in=campaigns)
    }
    return [(campaign, schedule_for(policies.get(campaign.pk))) for campaign in campaigns]


class LetterUnsignedSource:
    """Each letter awaiting signature reminds its signer (乙方) on the campaign's schedule."""

    kind = ReminderKind.LETTER_UNSIGNED

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        for campaign, schedule in _campaigns_open():
            period = period_current(schedule=schedule, deadline=campaign.deadline, today=today)
            if period is None:
                continue
            due_at = start_of_day(period.effective)
            # Issued on or before the reminder's day: letters issued later wait for the next reminder.
            letters = (
                Letter.objects.filter(
                    campaign=campaign,
                    status=LetterStatus.ISSUED,
                    issued_at__lt=start_of_day(period.effective + datetime.timedelta(days=1)),
                )
                .order_by("pk")
                .values_list("pk", "signer_id")
                .iterator(chunk_size=BATCH_SIZE)
            )
            yield from _batched(
                DueRow(self.kind, f"letter:{pk}", signer_id, period.label, due_at, campaign.pk)
                for pk, signer_id in letters
            )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        letter_id = _key_id(reminder.object_key, "letter")
        letter = (
            Letter.objects.select_related("campaign", "signer_unit", "issuer")
            .filter(pk=letter_id, status=LetterStatus.ISSUED, signer_id=reminder.recipient_id)
            .first()
        )
        if letter is None:
            return None
        today = clock.today()
        days_left = (letter.campaign.deadline - today).days
        url = reverse("responsibility:letter-detail", args=[letter.pk])
        return ReminderMessage(
            url=url,
            context={
                "letter": letter,
                "deadline": letter.campaign.deadline,
                "days_left": max(days_left, 0),
                "days_overdue": max(-days_left, 0),
                "overdue": days_left < 0,
            },
        )


class LetterAwaitingCountersignSource:
    """An issuer (甲方) with signed letters waiting for their countersignature: one reminder per campaign."""

    kind = ReminderKind.LETTER_AWAITING_COUNTERSIGN

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        for campaign, schedule in _campaigns_open():
            period = period_current(schedule=schedule, deadline=campaign.deadline, today=today)
            if period is None:
                continue
            due_at = start_of_day(period.effective)
            issuers = (
                Letter.objects.filter(
                    campaign=campaign,
                    status=LetterStatus.SIGNED,
                    signed_at__lt=start_of_day(period.effective + datetime.timedelta(days=1)),
                )
                .order_by("issuer_id")
                .values_list("issuer_id", flat=True)
                .distinct()
                .iterator(chunk_size=BATCH_SIZE)
            )
            yield from _batched(
                DueRow(self.kind, f"campaign:{campaign.pk}", issuer_id, period.label, due_at, campaign.pk)
                for issuer_id in issuers
            )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        campaign_id = _key_id(reminder.object_key, "campaign")
        waiting = Letter.objects.filter(
            campaign_id=campaign_id, status=LetterStatus.SIGNED, issuer_id=reminder.recipient_id
        )
        letters = list(
            waiting.select_related("signer", "signer_unit", "campaign").order_by("signed_at", "pk")[
                :DIGEST_ITEMS_SHOWN
            ]
        )
        if not letters:
            return None
        total = len(letters) if len(letters) < DIGEST_ITEMS_SHOWN else waiting.count()
        campaign = letters[0].campaign
        return ReminderMessage(
            url=reverse("responsibility:letter-countersign-batch"),
            context={
                "campaign": campaign,
                "letters": letters,
                "total": total,
                "more": total - len(letters),
                "deadline": campaign.deadline,
            },
        )


@dataclass(frozen=True)
class UnitOutstanding:
    unit_id: int
    unit_name: str
    awaiting_signature: int
    awaiting_countersignature: int

    @property
    def total(self) -> int:
        return self.awaiting_signature + self.awaiting_countersignature


def outstanding_by_unit() -> dict[int, UnitOutstanding]:
    """Letters of open campaigns waiting for a signature or countersignature, per signer unit (one query)."""
    rows = (
        Letter.objects.filter(
            campaign__status=CampaignStatus.OPEN, status__in=[LetterStatus.ISSUED, LetterStatus.SIGNED]
        )
        .order_by()
        .values("signer_unit_id", "signer_unit__name")
        .annotate(
            issued=Count("pk", filter=Q(status=LetterStatus.ISSUED)),
            signed=Count("pk", filter=Q(status=LetterStatus.SIGNED)),
        )
    )
    return {
        row["signer_unit_id"]: UnitOutstanding(
            row["signer_unit_id"], row["signer_unit__name"], row["issued"], row["signed"]
        )
        for row in rows
    }


class DailyDigestSource:
    """On working days, each unit head and each office administrator get what is outstanding.

    A unit head's digest covers their unit and the sections below it; the office's covers every unit.
    Nobody gets an empty digest. The due period is the date, so there is one digest a day at most.
    """

    kind = ReminderKind.DAILY_DIGEST

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        if is_weekend(today):
            return
        outstanding = outstanding_by_unit()
        if not outstanding:
            return
        due_at, period = start_of_day(today), today.isoformat()
        subtrees = org_tree().subtrees()
        heads = (
            Post.objects.held()
            .heads()
            .order_by("unit_id", "holder_id")
            .values_list("unit_id", "holder_id")
            .iterator(chunk_size=BATCH_SIZE)
        )

        def head_rows() -> Iterator[DueRow]:
            for unit_id, holder_id in heads:
                if any(unit in outstanding for unit in subtrees.get(unit_id, {unit_id})):
                    yield DueRow(self.kind, f"unit:{unit_id}", holder_id, period, due_at)

        yield from _batched(head_rows())
        office = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.OFFICE_ADMIN)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()
        )
        yield from _batched(DueRow(self.kind, "office", user_id, period, due_at) for user_id in office)

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        outstanding = outstanding_by_unit()
        unit_id = _key_id(reminder.object_key, "unit")
        units = _digest_units(object_key=reminder.object_key, outstanding=outstanding, tree=org_tree())
        if not units:
            return None
        if unit_id is not None:
            unit = OrgUnit.objects.filter(pk=unit_id).first()
            if unit is None:
                return None
            url = reverse("responsibility:letter-list") + f"?unit={unit_id}"
            unit_name = unit.name
        else:
            url = reverse("responsibility:campaign-list")
            unit_name = ""
        units.sort(key=lambda unit: (-unit.total, unit.unit_name))
        return ReminderMessage(
            url=url,
            context={
                "unit_name": unit_name,
                "units": units[:DIGEST_ITEMS_SHOWN],
                "more_units": max(len(units) - DIGEST_ITEMS_SHOWN, 0),
                "awaiting_signature": sum(unit.awaiting_signature for unit in units),
                "awaiting_countersignature": sum(unit.awaiting_countersignature for unit in units),
                "for_office": unit_id is None,
            },
        )

    def still_due(self, *, items: set[tuple[str, int]]) -> set[tuple[str, int]]:
        """The digests that still list something: one count of what is outstanding serves them all."""
        outstanding = outstanding_by_unit()
        tree = org_tree() if any(key.startswith("unit:") for key, _recipient in items) else OrgTree.of([])
        return {
            (key, recipient)
            for key, recipient in items
            if _digest_units(object_key=key, outstanding=outstanding, tree=tree)
        }


def _digest_units(
    *, object_key: str, outstanding: dict[int, UnitOutstanding], tree: OrgTree
) -> list[UnitOutstanding]:
    """What a digest lists: its unit's and the sections' below ("unit:7"), or every unit's ("office")."""
    unit_id = _key_id(object_key, "unit")
    if unit_id is not None:
        return [outstanding[pk] for pk in tree.subtree(unit_id) if pk in outstanding]
    if object_key == "office":
        return list(outstanding.values())
    return []


class LetterSealedSource:
    """A countersigned letter's sealed PDF goes to its signer (乙方) and its issuer (甲方), once each: one
    message in the app and one email with the PDF attached, or a link to it when the PDF is larger than
    LETTER_EMAIL_ATTACHMENT_MAX_BYTES.

    Put in the ledger the moment the PDF is stored (`letter_sealed_heard`); the sweep adds what that
    missed, for PDFs stored in the last SEALED_LOOKBACK_DAYS days. The due period is always "sealed": a
    second announcement or a second seal of the letter never sends again. A letter voided before its
    message went out is not sent.
    """

    kind = ReminderKind.LETTER_SEALED
    due_period = "sealed"

    def rows_for(
        self, *, letter_id: int, signer_id: int, issuer_id: int, campaign_id: int | None, due_at
    ) -> list[DueRow]:
        return [
            DueRow(self.kind, f"letter:{letter_id}", recipient_id, self.due_period, due_at, campaign_id)
            for recipient_id in dict.fromkeys((signer_id, issuer_id))
        ]

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        documents = (
            LetterDocument.objects.filter(
                status=DocumentStatus.READY,
                rendered_at__gte=start_of_day(today - datetime.timedelta(days=SEALED_LOOKBACK_DAYS)),
                rendered_at__lt=start_of_day(today + datetime.timedelta(days=1)),
                letter__status__in=ARCHIVE_STATUSES,
            )
            .order_by("pk")
            .values_list(
                "letter_id", "letter__signer_id", "letter__issuer_id", "letter__campaign_id", "rendered_at"
            )
            .iterator(chunk_size=BATCH_SIZE)
        )
        yield from _batched(
            row
            for letter_id, signer_id, issuer_id, campaign_id, rendered_at in documents
            for row in self.rows_for(
                letter_id=letter_id,
                signer_id=signer_id,
                issuer_id=issuer_id,
                campaign_id=campaign_id,
                due_at=rendered_at,
            )
        )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        document = (
            LetterDocument.objects.select_related(
                "letter__campaign", "letter__signer", "letter__issuer", "letter__signer_unit"
            )
            .filter(
                letter_id=_key_id(reminder.object_key, "letter"),
                status=DocumentStatus.READY,
                letter__status__in=ARCHIVE_STATUSES,
            )
            .first()
        )
        if document is None:
            return None
        letter = document.letter
        if reminder.recipient_id not in (letter.signer_id, letter.issuer_id):
            return None
        attached = document.size is not None and document.size <= settings.LETTER_EMAIL_ATTACHMENT_MAX_BYTES
        attachments = []
        if attached:
            attachments.append(
                ReminderAttachment(
                    filename=letter_document_download_name(letter=letter),
                    mimetype="application/pdf",
                    read=functools.partial(_stored_bytes, document.file),
                )
            )
        return ReminderMessage(
            url=reverse("responsibility:letter-detail", args=[letter.pk]),
            context={
                "letter": letter,
                "attached": attached,
                "pdf_link": site_link(reverse("responsibility:letter-pdf", args=[letter.pk])),
                "verification_code": document.verification_code,
                "verify_link": site_link(
                    reverse("responsibility:verify-code", args=[document.verification_code])
                ),
                "countersigned_at": letter.countersigned_at,
                "to_signer": reminder.recipient_id == letter.signer_id,
            },
            attachments=attachments,
        )


def _stored_bytes(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as stored:
        return stored.read()


LETTER_SEALED_SOURCE = LetterSealedSource()


@letter_sealed_listener_register
def letter_sealed_heard(*, document: LetterDocument) -> list[int]:
    """A sealed PDF was stored: its message to each party goes in the ledger and out at once."""
    letter = Letter.objects.filter(pk=document.letter_id, status__in=ARCHIVE_STATUSES).first()
    if letter is None:
        return []
    return reminders_add(
        rows=LETTER_SEALED_SOURCE.rows_for(
            letter_id=letter.pk,
            signer_id=letter.signer_id,
            issuer_id=letter.issuer_id,
            campaign_id=letter.campaign_id,
            due_at=document.rendered_at or clock.now(),
        )
    )


@letter_moved_listener_register
def letter_moved_heard(*, letter: Letter, from_status: str) -> None:
    """A letter moved (signed, countersigned, returned, voided, archived): close what asked for it.

    The items it may settle: the letter itself (its signer's reminders), its campaign (the issuer's
    countersignature reminder) and the digests of its unit, the units above it and the office. Each
    kind's own rule decides (reminders_close_done).
    """
    units = org_tree().ancestors(letter.signer_unit_id)
    reminders_close_done(
        object_keys=[
            f"letter:{letter.pk}",
            f"campaign:{letter.campaign_id}",
            *(f"unit:{unit_id}" for unit_id in sorted(units)),
            "office",
        ]
    )


for _source in (
    LetterUnsignedSource(),
    LetterAwaitingCountersignSource(),
    DailyDigestSource(),
    LETTER_SEALED_SOURCE,
):
    reminder_source_register(_source)
