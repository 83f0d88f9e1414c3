"""Campaigns: one year's round of letters."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from responsibility.letters.models.letters import Campaign, CampaignStatus, LetterTemplate, TemplateLevel
from responsibility.letters.models.reminder_policy import ReminderPolicy
from responsibility.letters.permissions import CampaignAction, campaign_check_permission


def _campaign_check_fields(*, year: int, template: LetterTemplate, deadline: datetime.date) -> None:
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("The year must be between 2000 and 2100."))
    if template.level != TemplateLevel.ORGAN or not template.is_published:
        raise ApplicationError(_("A campaign uses a published organ-level template."))
    if deadline.year not in (year, year + 1):
        raise ApplicationError(_("The deadline must fall in the campaign's year."))


@transaction.atomic
def campaign_create(
    *,
    year: int,
    title: str,
    template: LetterTemplate,
    deadline: datetime.date,
    reference_prefix: str,
    created_by,
) -> Campaign:
    """Open a year's round of letters."""
    campaign_check_permission(user=created_by, action=CampaignAction.CREATE)
    _campaign_check_fields(year=year, template=template, deadline=deadline)
    campaign = Campaign(
        year=year,
        title=title.strip(),
        template=template,
        deadline=deadline,
        reference_prefix=reference_prefix.strip(),
        created_by=created_by,
    )
    campaign.full_clean()
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise ApplicationError(_("A campaign with this year and title already exists.")) from None
    reminder_policy_ensure(campaign=campaign)  # the default reminder rules; the office may edit them
    return campaign


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, title: str, deadline: datetime.date, template: LetterTemplate, updated_by
) -> Campaign:
    """Change the title, deadline or template. The template stays fixed once letters exist."""
    campaign_check_permission(user=updated_by, action=CampaignAction.MANAGE, campaign=campaign)
    locked = row_lock(Campaign, pk=campaign.pk)
    _campaign_check_fields(year=locked.year, template=template, deadline=deadline)
    if template.pk != locked.template_id and locked.letters.exists():
        raise ApplicationError(
            _("Letters have been issued from this campaign's template; it can no longer change.")
        )
    locked.title, locked.deadline, locked.template = title.strip(), deadline, template
    locked.full_clean()
    try:
        with transaction.atomic():
            locked.save(update_fields=["title", "deadline", "template"])
    except IntegrityError:
        raise ApplicationError(_("A campaign with this year and title already exists.")) from None
    return locked


@transaction.atomic
def campaign_close(*, campaign: Campaign, closed_by) -> Campaign:
    """End the round: nothing more is issued in it. Signing of letters already issued goes on."""
    campaign_check_permission(user=closed_by, action=CampaignAction.MANAGE, campaign=campaign)
    locked = row_lock(Campaign, pk=campaign.pk)
    if locked.status == CampaignStatus.CLOSED:
        raise ApplicationError(_("The campaign is already closed."))
    locked.status = CampaignStatus.CLOSED
    locked.save(update_fields=["status"])
    return locked


# --- The campaign's reminder rules (提醒规则) ---------------------------------------------------------


def reminder_policy_ensure(*, campaign: Campaign) -> ReminderPolicy:
    """The campaign's reminder rules, created with the defaults if it has none yet."""
    policy, _created = ReminderPolicy.objects.get_or_create(campaign=campaign)
    return policy


@transaction.atomic
def reminder_policy_update(
    *,
    campaign: Campaign,
    days_before: list[int],
    overdue_every_days: int,
    skip_weekends: bool,
    updated_by,
) -> ReminderPolicy:
    """Change when a campaign's reminders go out. Takes effect at the next sweep."""
    campaign_check_permission(user=updated_by, action=CampaignAction.MANAGE, campaign=campaign)
    if not isinstance(overdue_every_days, int) or not 1 <= overdue_every_days <= 90:
        raise ApplicationError(_("The overdue interval must be between 1 and 90 days."))
    policy = reminder_policy_ensure(campaign=campaign)
    policy = row_lock(ReminderPolicy, pk=policy.pk)
    policy.days_before = sorted(days_before, reverse=True) if isinstance(days_before, list) else days_before
    policy.overdue_every_days = overdue_every_days
    policy.skip_weekends = bool(skip_weekends)
    policy.updated_by = updated_by
    policy.updated_at = clock.now()
    try:
        policy.full_clean(exclude=["campaign"])
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from None
    policy.save(
        update_fields=["days_before", "overdue_every_days", "skip_weekends", "updated_by", "updated_at"]
    )
    return policy
