"""Forms of the 回头看 pages: they parse input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import _DATE_INPUT
from responsibility.supervision.draws import MAX_PUBLIC_VALUE_LENGTH
from responsibility.supervision.models import RecheckOutcome
from responsibility.supervision.services.rechecks import MAX_TITLE_LENGTH, RecheckFinding, RecheckInput
from responsibility.supervision.services.rectifications import MAX_REASON_LENGTH


class BatchChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, batch) -> str:
        return _("%(title)s (%(count)d ticked off)") % {"title": batch.title, "count": batch.closed_count}


class RecheckForm(forms.Form):
    """Which closed problems to draw from, how many, and the public value read out."""

    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH)
    batches = BatchChoiceField(
        label=_("Problem lists"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the problem lists to draw from.")},
    )
    closed_from = forms.DateField(label=_("Ticked off from"), required=False, widget=_DATE_INPUT)
    closed_to = forms.DateField(label=_("Ticked off until"), required=False, widget=_DATE_INPUT)
    requested = forms.IntegerField(
        label=_("How many to re-check"),
        min_value=1,
        max_value=10000,
        help_text=_("Drawn at random among the problems ticked off in the lists and days chosen."),
    )
    public_value = forms.CharField(
        label=_("Public value"),
        required=False,  # the service refuses a missing one with its own message
        max_length=MAX_PUBLIC_VALUE_LENGTH,
        help_text=_(
            "A number nobody can know beforehand, read out when the re-check is drawn, for example that "
            "day's lottery result. It is part of the seed, so anyone can redo the draw."
        ),
    )
    last_recheck = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batches"].queryset = batches

    def recheck_input(self) -> RecheckInput:
        data = self.cleaned_data
        return RecheckInput(
            title=data["title"],
            batches=list(data["batches"]),
            closed_from=data["closed_from"],
            closed_to=data["closed_to"],
            requested=data["requested"],
            public_value=data["public_value"],
            expected_last=data["last_recheck"],
        )


class RecheckResultForm(forms.Form):
    """What the re-check of one drawn problem found."""

    outcome = forms.ChoiceField(
        label=_("What the re-check found"), choices=RecheckOutcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Findings of the re-check"),
        required=False,  # required by the service when the problem is opened again
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the rectification is not enough or false: its owner reads it."),
    )
    deadline = forms.DateField(
        label=_("New rectification deadline"),
        required=False,
        widget=_DATE_INPUT,
        help_text=_("Needed when the problem is opened again."),
    )

    def recheck_finding(self) -> RecheckFinding:
        data = self.cleaned_data
        return RecheckFinding(outcome=data["outcome"], reason=data["reason"], deadline=data["deadline"])
