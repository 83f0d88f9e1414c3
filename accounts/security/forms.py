"""Forms of the sign-in security pages: resets, one-time codes, account management, the log's filters."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts.roles import ROLE_LABELS, Role
from accounts.security.models import SecurityEventKind


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Account name or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )

    def clean_identifier(self) -> str:
        return self.cleaned_data["identifier"].strip()


class ResetCodeLoginForm(forms.Form):
    username = forms.CharField(
        label=_("Account name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    reset_code = forms.CharField(
        label=_("One-time code"),
        max_length=32,
        help_text=_("The code the security administrator gave you, for example ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}),
    )


class OwnPasswordForm(SetPasswordForm):
    """Choosing one's own password after a reset (no old password: the reset proved who it is)."""


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(role.value, ROLE_LABELS[role]) for role in Role])


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or account name"), required=False, max_length=64)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any"))] + [(r.value, ROLE_LABELS[r]) for r in Role]
    )


class SecurityLogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("Any"))] + list(SecurityEventKind.choices)
    )
    account = forms.CharField(label=_("Account name"), required=False, max_length=150)
    address = forms.GenericIPAddressField(label=_("Address"), required=False)
    date_from = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
