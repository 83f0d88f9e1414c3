"""A campaign's reminder rules (提醒规则): how many days before the deadline, how often once overdue,
whether weekends are skipped. The reminders subdomain reads them; the campaign owns them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from responsibility.letters.models.letters import Campaign

# The defaults of a campaign's reminder rules (the issue: a week, three days and one day before the
# deadline, then every two days while overdue, weekends skipped).
DEFAULT_DAYS_BEFORE = (7, 3, 1)
DEFAULT_OVERDUE_EVERY_DAYS = 2
MAX_DAYS_BEFORE_ENTRIES = 10
MAX_DAYS_BEFORE = 365
MAX_OVERDUE_EVERY_DAYS = 90


def default_days_before() -> list[int]:
    return list(DEFAULT_DAYS_BEFORE)


def days_before_validate(value) -> None:
    """A list of 1 to 10 different whole numbers of days, 0 (the deadline itself) to 365."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one number of days before the deadline."), code="empty")
    if len(value) > MAX_DAYS_BEFORE_ENTRIES:
        raise ValidationError(
            _("Give at most %(max)d numbers of days before the deadline."),
            code="too_many",
            params={"max": MAX_DAYS_BEFORE_ENTRIES},
        )
    if any(isinstance(day, bool) or not isinstance(day, int) for day in value):
        raise ValidationError(_("Days before the deadline must be whole numbers."), code="not_int")
    if any(not 0 <= day <= MAX_DAYS_BEFORE for day in value):
        raise ValidationError(
            _("Days before the deadline must be between 0 and %(max)d."),
            code="out_of_range",
            params={"max": MAX_DAYS_BEFORE},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each number of days may appear only once."), code="duplicate")


class ReminderPolicy(models.Model):
    """A campaign's reminder rules; the office edits them on the campaign page."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="reminder_policy"
    )
    # Remind this many days before the deadline, e.g. [7, 3, 1]; kept sorted, largest first.
    days_before = models.JSONField(
        _("days before the deadline"), default=default_days_before, validators=[days_before_validate]
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("overdue reminder every (days)"), default=DEFAULT_OVERDUE_EVERY_DAYS
    )
    skip_weekends = models.BooleanField(_("skip weekends"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reminder rules")
        verbose_name_plural = _("reminder rules")
        constraints = [
            models.CheckConstraint(
                name="reminderpolicy_overdue_interval_valid",
                condition=Q(overdue_every_days__gte=1, overdue_every_days__lte=MAX_OVERDUE_EVERY_DAYS),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.days_before} / {self.overdue_every_days}"
