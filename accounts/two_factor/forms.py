"""Forms of the two-step verification pages: a code, the first code of a new app, a password to confirm."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.security.lockout import LockedOut, password_confirm
from accounts.two_factor.services import code_normalise

CODE_MAX_LENGTH = 20


class VerifyForm(forms.Form):
    """The code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=CODE_MAX_LENGTH,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Please enter the code.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


class EnrolForm(forms.Form):
    """The first code of the new app, proving it was set up with this secret."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=CODE_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
        error_messages={"required": _("Please enter the code.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits the app shows."), code="code_format")
        return code


class PasswordConfirmForm(forms.Form):
    """The password again before changing the second factor; a wrong one counts towards lockout."""

    password = forms.CharField(
        label=_("Login password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        try:
            confirmed = password_confirm(
                request=self.request, user=self.request.user, password=self.cleaned_data["password"]
            )
        except LockedOut as locked:
            raise forms.ValidationError(str(locked), code="locked_out") from None
        if not confirmed:
            raise forms.ValidationError(_("The password is not correct."), code="password_wrong")
        return ""
