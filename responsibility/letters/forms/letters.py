"""Forms for signing, countersigning, returning, voiding, revising and issuing letters to staff."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from accounts.reauth_form import IdentityConfirmationForm
from core.errors import ApplicationError
from responsibility.letters.models.letters import ClauseCategory, SignatureMethod
from responsibility.letters.services.letters import MAX_REASON_LENGTH
from responsibility.letters.signing import (
    CONSENT_TEXT,
    MAX_DRAWING_BYTES,
    SignatureMark,
    consent_check,
    signature_mark_from_drawing,
    signature_mark_from_typed_name,
)


class SignatureForm(IdentityConfirmationForm):
    """Consent and the signature mark (drawn or typed), then the identity check (IdentityConfirmationForm).

    The checks that need no password (the mark, the consent) come first. A drawing that fails its check is
    not sent back to the page; any other failure keeps the drawing, the typed name and the consent for the
    next try."""

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

    def checks_before_identity(self, cleaned: dict) -> None:
        self._mark_clean(cleaned)
        try:
            consent_check(self.consent_text)
        except ApplicationError as error:
            self.add_error("consent", str(error))

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
