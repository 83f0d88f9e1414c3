"""The letters' reminder sources: letters awaiting signature or countersignature, and the daily digest of
each unit's outstanding letters (ADR 0004). Registered with the reminder registry at start-up."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import OrgUnit, Post
from accounts.org_tree import org_tree
from accounts.roles import Role
from core import clock
from responsibility.letters.models.letters import Campaign, CampaignStatus, Letter, LetterStatus
from responsibility.letters.models.reminder_policy import ReminderPolicy
from responsibility.reminders.models import Reminder, ReminderKind
from responsibility.reminders.registry import (
    BATCH_SIZE,
    DIGEST_ITEMS_SHOWN,
    DueRow,
    ReminderMessage,
    Schedule,
    _batched,
    _key_id,
    is_weekend,
    period_current,
    reminder_source_register,
    schedule_for,
    start_of_day,
)


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
        if unit_id is not None:
            unit = OrgUnit.objects.filter(pk=unit_id).first()
            if unit is None:
                return None
            subtree = org_tree().subtrees().get(unit_id, {unit_id})
            units = [outstanding[pk] for pk in subtree if pk in outstanding]
            url = reverse("responsibility:letter-list") + f"?unit={unit_id}"
            unit_name = unit.name
        elif reminder.object_key == "office":
            units = list(outstanding.values())
            url = reverse("responsibility:campaign-list")
            unit_name = ""
        else:
            return None
        if not units:
            return None
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


for _source in (LetterUnsignedSource(), LetterAwaitingCountersignSource(), DailyDigestSource()):
    reminder_source_register(_source)
