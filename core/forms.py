"""Form pieces every subdomain uses: dates as the browser's date input, a person chooser, the version field
that refuses an edit from a stale page, and the rule every text field keeps (no direction controls)."""

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from core.bidi import bidi_controls_refuse
from core.errors import ApplicationError

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def text_fields_guard_install() -> None:
    """Every text field of every form refuses characters that change the direction of text.

    This is the only place: installed once at start-up (accounts.apps), it covers our forms, Django's
    (sign-in, passwords) and the admin's generated ones, so a new form cannot forget it. It extends
    `CharField.validate`, which every text field (and every subclass: e-mail, URL, slug …) runs in
    `clean()`, however and whenever the field was declared.
    """
    if getattr(forms.CharField.validate, "refuses_bidi_controls", False):
        return
    field_validate = forms.CharField.validate

    def validate(self, value):
        field_validate(self, value)
        bidi_controls_refuse(value)

    validate.refuses_bidi_controls = True
    forms.CharField.validate = validate


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name()


class VersionForm(forms.Form):
    """Carries the version of the record the page showed (optimistic locking: a stale page is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:  # a hidden field: say so above the form, where it is seen
            self.add_error(None, _("This page is out of date. Reload it and try again."))
        return cleaned


def form_error_show(form, error: ApplicationError, *, fields: Mapping[str, str] | None = None) -> None:
    """Put a service's refusal next to the field it is about, or above the form.

    The field is the error's own `form_field` when it has one (an evidence upload's), else the one its
    code names in `fields` (default: the form's ERROR_FIELDS).
    """
    fields = getattr(form, "ERROR_FIELDS", {}) if fields is None else fields
    field = getattr(error, "form_field", None) or fields.get(error.code)
    form.add_error(field if field in form.fields else None, str(error))


def form_problems(*refused) -> list[str]:
    """What is wrong with refused forms (or formsets), in the order of the page: each form's own errors,
    then each field's.

    The banner and the summary above a form say what is wrong in these words, never only that nothing
    was done; the same message is said once.
    """
    problems: list[str] = []
    for form in refused:
        if isinstance(form, forms.BaseFormSet):
            errors = [*form.non_form_errors()]
            errors += [error for member in form.forms for error in form_problems(member)]
        else:
            errors = [*form.non_field_errors(), *(error for field in form for error in field.errors)]
        for error in errors:
            if str(error) not in problems:
                problems.append(str(error))
    return problems


def form_problems_text(*refused) -> str:
    """form_problems as one line for a banner."""
    return "；".join(form_problems(*refused))
