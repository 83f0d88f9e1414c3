"""Form pieces every subdomain uses: dates as the browser's date input, a person chooser, the version field
that refuses an edit from a stale page."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
