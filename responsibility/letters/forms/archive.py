"""Forms of the archive page: the filters and the batch print. They parse input only."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from responsibility.letters.models.documents import ExportFormat
from responsibility.letters.models.letters import LetterStatus

ARCHIVE_STATE_CHOICES = [
    ("", _("All")),
    (LetterStatus.COUNTERSIGNED, LetterStatus.COUNTERSIGNED.label),
    (LetterStatus.ARCHIVED, LetterStatus.ARCHIVED.label),
]


class _UnitOptionsMixin:
    """A select of every unit (2,000 at province scale) drawn in one pass of Python, not one template per
    option: its choices are the plain (pk, name) pairs the page read once for both of its forms."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (pk, mark_safe(" selected") if str(pk) in selected else "", label)
                for pk, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class UnitSelect(_UnitOptionsMixin, forms.Select):
    pass


class UnitSelectMultiple(_UnitOptionsMixin, forms.SelectMultiple):
    pass


def _unit_choices_use(field, unit_choices: list[tuple[int, str]] | None, *, empty_label=None) -> None:
    """Draw `field` from `unit_choices` (it still validates against its queryset)."""
    if unit_choices is not None:
        field.widget.choices = ([("", empty_label)] if empty_label else []) + unit_choices


class ArchiveFilterForm(forms.Form):
    """Year, campaign, unit, signer or number, and state. An invalid value is reported and ignored."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False, empty_label=_("All")
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("All"), widget=UnitSelect
    )
    q = forms.CharField(
        label=_("Signer or letter number"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or number")}),
    )
    state = forms.ChoiceField(label=_("State"), choices=ARCHIVE_STATE_CHOICES, required=False)

    def __init__(self, *args, years, campaigns, units, unit_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All")), *((year, year) for year in years)]
        self.fields["campaign"].queryset = campaigns
        self.fields["unit"].queryset = units
        _unit_choices_use(self.fields["unit"], unit_choices, empty_label=_("All"))

    def filters(self) -> dict:
        """The valid filters as selector arguments; invalid fields are left out (and shown as errors)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        campaign, unit = data.get("campaign"), data.get("unit")
        return {
            "year": data.get("year"),
            "campaign_id": campaign.pk if campaign else None,
            "unit_id": unit.pk if unit else None,
            "q": (data.get("q") or "").strip(),
            "state": data.get("state") or "",
        }


class ArchiveExportForm(forms.Form):
    """A batch print: one campaign, optionally some units, as one merged PDF (for double-sided printing
    or not) or a ZIP."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None)
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=None,
        required=False,
        widget=UnitSelectMultiple,
        help_text=_("Leave empty for all units. A unit includes its sections."),
    )
    export_format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.MERGED_PDF,
        widget=forms.RadioSelect,
    )
    duplex = forms.BooleanField(
        label=_("For double-sided printing"),
        required=False,
        help_text=_(
            "Merged PDF only: every letter starts on an odd page; blank pages are put in unnumbered."
        ),
    )

    def __init__(self, *args, campaigns, units, unit_choices=None, **kwargs):
        kwargs.setdefault("auto_id", "export_%s")  # the filters on the same page have a campaign field too
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["units"].queryset = units
        _unit_choices_use(self.fields["units"], unit_choices)
