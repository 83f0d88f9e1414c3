"""Form pieces every subdomain uses: dates as the browser's date input, a person chooser, the version field
that refuses an edit from a stale page."""

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
