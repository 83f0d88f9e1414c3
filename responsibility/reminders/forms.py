"""Forms of the reminder pages. They parse input only; the services decide what is allowed."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from responsibility.letters.models.reminder_policy import (
    MAX_DAYS_BEFORE,
    MAX_DAYS_BEFORE_ENTRIES,
    MAX_OVERDUE_EVERY_DAYS,
)
from responsibility.reminders.channel_services import channel_address_check
from responsibility.reminders.models import Channel, ReminderKind, ReminderStatus

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


class ChannelAddressesForm(forms.Form):
    """Where a person receives reminders on each configured channel: the account or number, and whether
    they receive them there. The rule of a valid address is the service's (channel_address_check)."""

    HELP = {
        Channel.WECOM: _("The account in 企业微信's address book, e.g. zhangsan."),
        Channel.DINGTALK: _("The account in 钉钉's address book, e.g. manager4521."),
        Channel.SMS: _("A mainland mobile number of 11 digits."),
    }

    def __init__(self, *args, channels: list[Channel], addresses: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = channels
        for channel in channels:
            kept = addresses.get(channel)
            self.fields[f"{channel}_address"] = forms.CharField(
                label=channel.label,
                required=False,
                max_length=64,
                initial=kept.address if kept else "",
                help_text=self.HELP[channel],
                widget=forms.TextInput(attrs={"inputmode": "tel"} if channel == Channel.SMS else {}),
            )
            self.fields[f"{channel}_enabled"] = forms.BooleanField(
                label=_("Send reminders here"), required=False, initial=kept.enabled if kept else True
            )

    def clean(self):
        cleaned = super().clean()
        for channel in self.channels:
            address = cleaned.get(f"{channel}_address", "")
            if address.strip():
                try:
                    cleaned[f"{channel}_address"] = channel_address_check(channel=channel, address=address)
                except ApplicationError as error:
                    self.add_error(f"{channel}_address", str(error))
        return cleaned

    def addresses(self) -> dict[str, tuple[str, bool]]:
        """channel → (address, enabled), for channel_addresses_set."""
        return {
            channel: (self.cleaned_data[f"{channel}_address"], self.cleaned_data[f"{channel}_enabled"])
            for channel in self.channels
        }
