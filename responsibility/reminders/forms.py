"""Forms of the reminder pages. They parse input only; the services decide what is allowed."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from responsibility.letters.models.reminder_policy import (
    MAX_DAYS_BEFORE,
    MAX_DAYS_BEFORE_ENTRIES,
    MAX_OVERDUE_EVERY_DAYS,
)
from responsibility.reminders.models import ReminderKind, ReminderStatus

# Numbers may be separated by commas (also the Chinese ，、), semicolons or spaces.
_SEPARATORS = re.compile(r"[\s,，、;；]+")


class DaysBeforeField(forms.CharField):
    """ "7, 3, 1" → [7, 3, 1], with a clear message for anything else."""

    def to_python(self, value):
        text = super().to_python(value)
        parts = [part for part in _SEPARATORS.split(text) if part]
        if not parts:
            raise forms.ValidationError(_("Give at least one number of days before the deadline."))
        if len(parts) > MAX_DAYS_BEFORE_ENTRIES:
            raise forms.ValidationError(
                _("Give at most %(max)d numbers of days before the deadline."),
                params={"max": MAX_DAYS_BEFORE_ENTRIES},
            )
        days = []
        for part in parts:
            if not re.fullmatch(r"[+-]?\d+", part):
                raise forms.ValidationError(
                    _("“%(value)s” is not a whole number of days."), params={"value": part[:20]}
                )
            day = int(part)
            if not 0 <= day <= MAX_DAYS_BEFORE:
                raise forms.ValidationError(
                    _("Days before the deadline must be between 0 and %(max)d."),
                    params={"max": MAX_DAYS_BEFORE},
                )
            days.append(day)
        if len(set(days)) != len(days):
            raise forms.ValidationError(_("Each number of days may appear only once."))
        return sorted(days, reverse=True)


class ReminderPolicyForm(forms.Form):
    days_before = DaysBeforeField(
        label=_("Remind this many days before the deadline"),
        max_length=100,
        help_text=_("Whole numbers separated by commas, e.g. 7, 3, 1 (0 is the deadline itself)."),
    )
    overdue_every_days = forms.IntegerField(
        label=_("Then, while overdue, remind every (days)"),
        min_value=1,
        max_value=MAX_OVERDUE_EVERY_DAYS,
    )
    skip_weekends = forms.BooleanField(
        label=_("Skip weekends (a reminder due on Saturday or Sunday goes out on Monday)"),
        required=False,
    )


class ReminderFilterForm(forms.Form):
    """The office's reminder log filter; a bad value is ignored rather than refused."""

    campaign = forms.TypedChoiceField(label=_("Campaign"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ReminderKind.choices]
    )
    status = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *ReminderStatus.choices]
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", _("All campaigns"))] + [(c.pk, str(c)) for c in campaigns]
