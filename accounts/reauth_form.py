"""The identity check before an attestation (signing a letter, confirming a talk record): the password, or
a fresh sign-in at the identity platform (accounts.sso.oidc_reauth), and the second factor's code where
the person has one. Wrong passwords and codes count towards lockout; within the window nothing is asked
again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.reauth import (
    reauthenticated_at,
    reauthentication_check,
    reauthentication_first_factor_at,
    reauthentication_is_fresh,
    reauthentication_record,
    reauthentication_second_factor_record,
)
from accounts.security.lockout import LockedOut, password_confirm
from accounts.sso.oidc_reauth import oidc_reauthentication_offered
from accounts.two_factor.selectors import second_factor_enrolled
from accounts.two_factor.services import second_factor_verify
from core.errors import ApplicationError
from core.forms import form_problems


class IdentityConfirmationForm(forms.Form):
    """The password (or a confirmation at the identity platform) and the second factor's code.

    A subclass adds its own fields and checks them in `checks_before_identity`: while one of them fails,
    the password is neither hashed nor counted, and no code is spent. Someone with no password to confirm
    has no password field: they confirm at the identity platform before submitting, and give the code here
    where they have one."""

    password = forms.CharField(
        label=_("Login password"),
        required=False,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Re-enter your password to confirm it is you. It stays valid for 5 minutes."),
    )
    second_factor_code = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}),
        help_text=_(
            "With the password: the 6-digit code your authenticator app shows now, or a recovery code."
        ),
    )

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.asks_second_factor = second_factor_enrolled(user=user)
        if not self.asks_second_factor:
            del self.fields["second_factor_code"]
        self.confirms_at_provider = oidc_reauthentication_offered(user)
        if self.confirms_at_provider:
            del self.fields["password"]
            if self.asks_second_factor:
                self.fields["second_factor_code"].help_text = _(
                    "After confirming your identity at unified identity authentication: the 6-digit code "
                    "your authenticator app shows now, or a recovery code."
                )
        self.password_confirmed = False
        # The identity check is complete: the password, and the second factor where the person has one.
        self.identity_confirmed = False

    @property
    def reauth_fresh(self) -> bool:
        """Whether the identity was confirmed recently enough to attest without entering it again."""
        return reauthentication_is_fresh(reauthenticated_at(self.request))

    @property
    def session_ended(self) -> bool:
        """Whether a wrong password or code reached the lockout limit, which ends the session."""
        return not self.request.user.is_authenticated

    @property
    def confirmed_at_provider(self) -> bool:
        """Whether the person confirmed their identity at the identity platform within the window."""
        return reauthentication_is_fresh(reauthentication_first_factor_at(self.request))

    @property
    def problems(self) -> list[str]:
        return form_problems(self)

    def checks_before_identity(self, cleaned: dict) -> None:
        """The subclass's own checks, which need no password (errors added with add_error)."""

    def clean(self):
        cleaned = super().clean()
        password = cleaned.pop("password", "")  # never kept beyond the check
        self.checks_before_identity(cleaned)
        if self.confirms_at_provider and not self.confirmed_at_provider:
            self.add_error(
                None,
                _(
                    "Please confirm your identity at unified identity authentication first (the button "
                    "above). The confirmation lasts 5 minutes."
                ),
            )
        if not self._errors:
            self._identity_clean(password, cleaned.get("second_factor_code", ""))
        return cleaned

    def _identity_clean(self, password: str, code: str) -> None:
        """The password (when given, or when the window has passed), then the second factor's code."""
        if not self.confirms_at_provider:
            if password:
                try:
                    confirmed = password_confirm(request=self.request, user=self.user, password=password)
                except LockedOut as locked:
                    self.add_error(None, str(locked))
                    return
                if not confirmed:
                    self.add_error("password", _("The password is not correct."))
                    return
                self.password_confirmed = True
                self.identity_confirmed = not self.asks_second_factor
            else:
                try:
                    reauthentication_check(reauthenticated_at(self.request))
                except ApplicationError as error:
                    self.add_error("password", str(error))
                    return
        if self.asks_second_factor:
            self._second_factor_clean(code)

    def _second_factor_clean(self, code: str) -> None:
        if not self.confirms_at_provider and not self.password_confirmed:
            return  # within the window: the code completed that confirmation with the password
        if self.confirms_at_provider and not code.strip() and self.reauth_fresh:
            return  # the code completed this confirmation a moment ago
        if not code.strip():
            self.add_error("second_factor_code", _("Enter the code from your authenticator app as well."))
            return
        try:
            device = second_factor_verify(user=self.user, code=code, request=self.request)
        except LockedOut as locked:
            self.add_error(None, str(locked))
            return
        if device is None:
            self.add_error("second_factor_code", _("The code is not correct."))
            return
        self.identity_confirmed = True


def reauthentication_remember(request, form: IdentityConfirmationForm) -> None:
    """Remember a confirmed identity even when the rest of the form is refused: a code from the
    authenticator app is spent once accepted, and the person should not wait for the next one."""
    if not form.identity_confirmed:  # the password, and the second factor's code where they have one
        return
    if form.password_confirmed:
        reauthentication_record(request, second_factor=form.asks_second_factor)
    else:  # the code completed a confirmation at the identity platform, whose window it keeps
        reauthentication_second_factor_record(request)
