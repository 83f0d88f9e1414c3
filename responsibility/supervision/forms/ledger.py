"""Filters of the rectification ledger and its dashboard. They parse input only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.deadlines import TrafficLight
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.ledger import LedgerFilters
from responsibility.supervision.models import RectificationStatus, Severity

ALL = ("", _("All"))


class LedgerFilterForm(forms.Form):
    """Source, problem list, unit (words in its name, or the one a count table links to), state, traffic
    light, severity, clause category, words in the title.

    An invalid value is reported on its field and ignored. The unit is looked for by name: a list of
    every unit would be thousands of options on every page.
    """

    source = forms.ModelChoiceField(label=_("Source"), queryset=None, required=False, empty_label=_("All"))
    batch = forms.ModelChoiceField(
        label=_("Problem list"), queryset=None, required=False, empty_label=_("All")
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, widget=forms.HiddenInput)
    unit_words = forms.CharField(
        label=_("Unit"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words in the unit's name")}),
    )
    state = forms.ChoiceField(
        label=_("Rectification status"), choices=[ALL, *RectificationStatus.choices], required=False
    )
    light = forms.ChoiceField(label=_("Traffic light"), choices=[ALL, *TrafficLight.choices], required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=[ALL, *Severity.choices], required=False)
    category = forms.ChoiceField(
        label=_("Clause category"), choices=[ALL, *ClauseCategory.choices], required=False
    )
    q = forms.CharField(
        label=_("Problem"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words in the title")}),
    )

    def __init__(self, *args, sources, batches, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["batch"].queryset = batches
        if units is None:
            del self.fields["unit"]
            del self.fields["unit_words"]
        else:
            self.fields["unit"].queryset = units

    def filters(self) -> LedgerFilters:
        """The valid filters; invalid fields are left out (and shown as errors)."""
        if not self.is_bound:
            return LedgerFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        source, batch, unit = data.get("source"), data.get("batch"), data.get("unit")
        return LedgerFilters(
            source_id=source.pk if source else None,
            batch_id=batch.pk if batch else None,
            unit_id=unit.pk if unit else None,
            unit_words=(data.get("unit_words") or "").strip(),
            state=data.get("state") or "",
            light=data.get("light") or "",
            severity=data.get("severity") or "",
            category=data.get("category") or "",
            q=(data.get("q") or "").strip(),
        )

    @property
    def unit_chosen(self):
        """The unit a count table's link chose, shown beside the name search."""
        if not self.is_bound or "unit" not in self.fields:
            return None
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("unit")

    def applied(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in force, for the export's heading."""
        if not self.is_bound:
            return []
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        shown = []
        for name, field in self.fields.items():
            value = data.get(name)
            if not value:
                continue
            if isinstance(field, forms.ModelChoiceField):
                text = str(value)
            elif isinstance(field, forms.ChoiceField):
                text = str(dict(field.choices).get(value, value))
            else:
                text = str(value).strip()
            if text:
                shown.append((str(field.label), text))
        return shown


class LedgerDashboardFilterForm(LedgerFilterForm):
    """The dashboard is narrowed by source and problem list only."""

    def __init__(self, *args, sources, batches, **kwargs):
        super().__init__(*args, sources=sources, batches=batches, units=None, **kwargs)
        for name in ("state", "light", "severity", "category", "q"):
            del self.fields[name]
