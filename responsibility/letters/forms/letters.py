"""Forms for signing, countersigning, returning, voiding, revising and issuing letters to staff."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from accounts.reauth import reauthenticated_at, reauthentication_first_factor_at
from accounts.security.lockout import LockedOut, password_confirm
from accounts.sso.oidc_reauth import oidc_reauthentication_offered
from accounts.two_factor.selectors import second_factor_enrolled
from accounts.two_factor.services import second_factor_verify
from core.errors import ApplicationError
from responsibility.letters.models.letters import ClauseCategory, SignatureMethod
from responsibility.letters.services.letters import MAX_REASON_LENGTH
from responsibility.letters.signing import (
    CONSENT_TEXT,
    MAX_DRAWING_BYTES,
    SignatureMark,
    reauthentication_is_fresh,
    signature_mark_from_drawing,
    signature_mark_from_typed_name,
)


class SignatureForm(forms.Form):
    """Identity (the password, and the second factor's code where the signer has one), consent, and the
    signature mark (drawn or typed). Wrong passwords and codes count towards lockout.

    Someone with no password to confirm (accounts.sso.oidc_reauth) has no password field: they confirm
    their identity at the identity platform before submitting, and give the code here where they have one."""

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
    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)
    method = forms.ChoiceField(
        label=_("Signature"), choices=SignatureMethod.choices, initial=SignatureMethod.DRAWN
    )
    drawing = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_DRAWING_BYTES * 2)
    typed_name = forms.CharField(label=_("Type your full name"), required=False, max_length=64)

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
        # The identity check is complete: the password, and the second factor where the signer has one.
        self.identity_confirmed = False

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if password:
            try:
                confirmed = password_confirm(request=self.request, user=self.user, password=password)
            except LockedOut as locked:
                self.add_error(None, str(locked))
                return ""
            if not confirmed:
                raise forms.ValidationError(_("The password is not correct."), code="password_wrong")
            self.password_confirmed = True
            self.identity_confirmed = not self.asks_second_factor
        return ""  # never kept beyond the check

    def clean_second_factor_code(self) -> str:
        code = self.cleaned_data["second_factor_code"]
        if self.confirms_at_provider:
            if not self._confirmed_at_provider():
                return ""  # nothing to complete yet (clean() says to confirm at the platform first)
            if not code.strip() and reauthentication_is_fresh(reauthenticated_at(self.request)):
                return ""  # the code completed this confirmation a moment ago
        elif not self.password_confirmed:
            return ""  # nothing to complete (a code is never spent on a wrong or missing password)
        if not code.strip():
            raise forms.ValidationError(
                _("Enter the code from your authenticator app as well."), code="second_factor_missing"
            )
        try:
            device = second_factor_verify(user=self.user, code=code, request=self.request)
        except LockedOut as locked:
            self.add_error(None, str(locked))
            return ""
        if device is None:
            raise forms.ValidationError(_("The code is not correct."), code="second_factor_wrong")
        self.identity_confirmed = True
        return ""

    @property
    def session_ended(self) -> bool:
        """Whether a wrong password or code reached the lockout limit, which ends the session."""
        return not self.request.user.is_authenticated

    def _confirmed_at_provider(self) -> bool:
        return reauthentication_is_fresh(reauthentication_first_factor_at(self.request))

    def clean(self):
        cleaned = super().clean()
        if self.confirms_at_provider and not self._confirmed_at_provider():
            self.add_error(
                None,
                _(
                    "Please confirm your identity at unified identity authentication first (the button "
                    "above). The confirmation lasts 5 minutes."
                ),
            )
        method = cleaned.get("method")
        try:
            if method == SignatureMethod.DRAWN:
                cleaned["mark"] = signature_mark_from_drawing(cleaned.get("drawing", ""))
            elif method == SignatureMethod.TYPED:
                cleaned["mark"] = signature_mark_from_typed_name(
                    cleaned.get("typed_name", ""), user=self.user
                )
        except ApplicationError as error:
            self.add_error("drawing" if method == SignatureMethod.DRAWN else "typed_name", str(error))
        return cleaned

    @property
    def consent_text(self) -> str:
        return CONSENT_TEXT if self.cleaned_data.get("consent") else ""

    @property
    def mark(self) -> SignatureMark:
        return self.cleaned_data["mark"]


class SignForm(SignatureForm):
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CountersignBatchForm(SignatureForm):
    """One identity check for many letters; each chosen letter carries the hash the issuer was shown."""

    letters = forms.TypedMultipleChoiceField(label=_("Letters"), coerce=int, choices=())

    def __init__(self, *args, letters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letters"].choices = [(letter.pk, letter.reference) for letter in letters]
        self.letters_by_pk = {letter.pk: letter for letter in letters}
        self.fields["letters"].error_messages["required"] = _("Choose at least one letter to countersign.")

    def content_hashes_shown(self) -> dict[int, str]:
        return {pk: str(self.data.get(f"hash_{pk}", ""))[:64] for pk in self.cleaned_data.get("letters", [])}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a reason.")},
    )


class ClauseForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=ClauseCategory.choices)
    text = forms.CharField(label=_("Clause"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


ClauseFormSet = formset_factory(ClauseForm, extra=1, can_delete=True, max_num=60, validate_max=True)


class ReviseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    preamble = forms.CharField(label=_("Preamble"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    closing = forms.CharField(
        label=_("Closing"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class IssueToStaffForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=None, empty_label=None)
    posts = forms.ModelMultipleChoiceField(
        label=_("Staff"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person to issue a letter to.")},
    )

    def __init__(self, *args, templates, posts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["posts"].queryset = posts
        self.fields["posts"].label_from_instance = lambda post: f"{post.unit.name} {post.title} {post.holder}"
