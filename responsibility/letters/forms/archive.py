"""Forms of the archive page: the filters and the batch print. They parse input only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from responsibility.letters.models.documents import ExportFormat
from responsibility.letters.models.letters import LetterStatus

ARCHIVE_STATE_CHOICES = [
    ("", _("All")),
    (LetterStatus.COUNTERSIGNED, LetterStatus.COUNTERSIGNED.label),
    (LetterStatus.ARCHIVED, LetterStatus.ARCHIVED.label),
]


class ArchiveFilterForm(forms.Form):
    """Year, campaign, unit, signer or number, and state. An invalid value is reported and ignored."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False, empty_label=_("All")
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=_("All"))
    q = forms.CharField(
        label=_("Signer or letter number"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or number")}),
    )
    state = forms.ChoiceField(label=_("State"), choices=ARCHIVE_STATE_CHOICES, required=False)

    def __init__(self, *args, years, campaigns, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All")), *((year, year) for year in years)]
        self.fields["campaign"].queryset = campaigns
        self.fields["unit"].queryset = units

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

    def __init__(self, *args, campaigns, units, **kwargs):
        kwargs.setdefault("auto_id", "export_%s")  # the filters on the same page have a campaign field too
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["units"].queryset = units
