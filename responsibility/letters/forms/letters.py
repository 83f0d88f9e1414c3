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
from core.forms import form_problems
from responsibility.letters.models.letters import ClauseCategory, SignatureMethod
from responsibility.letters.services.letters import MAX_REASON_LENGTH
from responsibility.letters.signing import (
    CONSENT_TEXT,
    MAX_DRAWING_BYTES,
    SignatureMark,
    consent_check,
    reauthentication_check,
    reauthentication_is_fresh,
    signature_mark_from_drawing,
    signature_mark_from_typed_name,
)


class SignatureForm(forms.Form):
    """Identity (the password, and the second factor's code where the signer has one), consent, and the
    signature mark (drawn or typed). Wrong passwords and codes count towards lockout.

    The checks that need no password (the mark, the consent) come first: while one of them fails, the
    password is neither hashed nor counted, and no code is spent. Within the re-authentication window the
    password is not asked for. A drawing that fails its check is not sent back to the page; any other
    failure keeps the drawing, the typed name and the consent for the next try.

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
    drawing = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        max_length=MAX_DRAWING_BYTES * 2,
        error_messages={"max_length": _("The signature drawing is too large.")},
    )
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

    @property
    def reauth_fresh(self) -> bool:
        """Whether the identity was confirmed recently enough to sign without entering it again."""
        return reauthentication_is_fresh(reauthenticated_at(self.request))

    @property
    def session_ended(self) -> bool:
        """Whether a wrong password or code reached the lockout limit, which ends the session."""
        return not self.request.user.is_authenticated

    @property
    def confirmed_at_provider(self) -> bool:
        """Whether the signer confirmed their identity at the identity platform within the window."""
        return reauthentication_is_fresh(reauthentication_first_factor_at(self.request))

    @property
    def problems(self) -> list[str]:
        return form_problems(self)

    def clean(self):
        cleaned = super().clean()
        password = cleaned.pop("password", "")  # never kept beyond the check
        self._mark_clean(cleaned)
        try:
            consent_check(self.consent_text)
        except ApplicationError as error:
            self.add_error("consent", str(error))
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

    def _mark_clean(self, cleaned) -> None:
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
        if "drawing" in self._errors:  # an unusable drawing is not drawn again on the page
            self.data = self.data.copy()
            self.data[self.add_prefix("drawing")] = ""

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
        self.fields["posts"].label_from_instance = lambda post: f"{post.full_title} {post.holder}"
