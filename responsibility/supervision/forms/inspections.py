"""Forms of the supervision pages: plans, checkpoints, draws and check results.

They parse input only; the services decide what is allowed (an empty scope, N larger than the
population, a missing public value, a forbidden file …) and their message is shown on the form.
"""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnitKind
from responsibility.evidence.rules import MAX_FILES_PER_UPLOAD, allowed_types_label
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.draws import MAX_PUBLIC_VALUE_LENGTH
from responsibility.supervision.models import CheckOutcome, DrawMode, InspectionPlan
from responsibility.supervision.services.draws import MAX_REASON_LENGTH, DrawInput
from responsibility.supervision.services.inspections import ResultInput
from responsibility.supervision.services.plans import CheckpointInput, PlanInput

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _version_field() -> forms.IntegerField:
    """The record's version when the page was loaded (optimistic locking: passed as expected_version)."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit) -> str:
        return f"{unit.parent.name} · {unit.name}" if unit.parent_id else unit.name


class TeamChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name()


class PlanForm(forms.Form):
    """A plan's year, text, period, scope (checkboxes grouped by unit kind) and team.

    Scope and team may be left empty here: the service refuses that with its own message.
    """

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=InspectionPlan._meta.get_field("title").max_length)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=InspectionPlan._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    period_start = forms.DateField(label=_("Checks start"), widget=_DATE_INPUT)
    period_end = forms.DateField(label=_("Checks end"), widget=_DATE_INPUT)
    scope = UnitChoiceField(
        label=_("Units in scope"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The units a spot-check draw picks from."),
    )
    team = TeamChoiceField(
        label=_("Team members"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the discipline inspection team who carry out this round."),
    )
    version = _version_field()

    # Where a refusal of the service belongs on the form (ApplicationError.code → field).
    ERROR_FIELDS = {
        "empty_scope": "scope",
        "empty_team": "team",
        "team": "team",
        "team_self": "team",
        "period": "period_end",
        "duplicate": "title",
    }

    def __init__(self, *args, units, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = units
        self.fields["team"].queryset = candidates

    def scope_groups(self) -> list[dict]:
        """The scope checkboxes by unit kind, in the order of the kinds, for the grouped layout."""
        labels = dict(OrgUnitKind.choices)
        groups: dict[str, list] = {}
        for checkbox in self["scope"]:
            groups.setdefault(checkbox.data["value"].instance.kind, []).append(checkbox)
        order = list(labels)
        return [
            {"kind": kind, "label": labels.get(kind, kind), "checkboxes": checkboxes}
            for kind, checkboxes in sorted(
                groups.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)
            )
        ]

    def plan_input(self) -> PlanInput:
        data = self.cleaned_data
        return PlanInput(
            year=data["year"],
            title=data["title"],
            description=data["description"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            scope=list(data["scope"]),
            team=list(data["team"]),
        )


class CheckpointForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    criterion = forms.CharField(
        label=_("Criterion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the inspectors look for, and what counts as conforming."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Clause categories checked"),
        choices=ClauseCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The checklist of a drawn unit shows the clauses it signed in these categories."),
    )
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=10)
    evidence_required = forms.BooleanField(
        label=_("Evidence required (at least one file with the result)"), required=False
    )

    ERROR_FIELDS = {"categories": "categories", "category": "categories", "weight": "weight"}

    def checkpoint_input(self) -> CheckpointInput:
        data = self.cleaned_data
        return CheckpointInput(
            title=data["title"],
            criterion=data["criterion"],
            categories=list(data["categories"]),
            weight=data["weight"],
            evidence_required=data["evidence_required"],
        )


class DrawForm(forms.Form):
    """How many units to draw, how, by how many inspectors each, and the public value read out.

    The reason field exists only when the plan has been drawn before. `previous_draw` carries the
    number of the draw the page showed as current, so a double submit cannot draw twice.
    """

    mode = forms.ChoiceField(
        label=_("How many"), choices=DrawMode.choices, initial=DrawMode.COUNT, widget=forms.RadioSelect
    )
    requested = forms.IntegerField(
        label=_("Number of units, or percentage"),
        min_value=1,
        max_value=10000,
        help_text=_("A number of units, or a percentage from 1 to 100 of the units that can be drawn."),
    )
    by_unit_kind = forms.BooleanField(label=_("At least one unit of each kind"), required=False)
    inspectors_per_unit = forms.IntegerField(
        label=_("Inspectors per unit"), min_value=1, max_value=20, initial=2
    )
    public_value = forms.CharField(
        label=_("Public value"),
        required=False,  # the service refuses a missing one with its own message
        max_length=MAX_PUBLIC_VALUE_LENGTH,
        help_text=_(
            "A number nobody can know beforehand, read out at the meeting when the draw is made, for "
            "example that day's lottery result. It is part of the seed, so anyone can redo the draw."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for drawing again"),
        required=False,  # required by the service when the plan was drawn before
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    previous_draw = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, redraw: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not redraw:
            del self.fields["reason"]

    def draw_input(self) -> DrawInput:
        data = self.cleaned_data
        return DrawInput(
            mode=data["mode"],
            requested=data["requested"],
            by_unit_kind=data["by_unit_kind"],
            inspectors_per_unit=data["inspectors_per_unit"],
            public_value=data["public_value"],
            reason=data.get("reason", ""),
            expected_previous=data["previous_draw"],
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the evidence rules (type by content, size) are the service's."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_file_clean(item, initial) for item in data if item]
        return [single_file_clean(data, initial)] if data else []


class CheckResultForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Result"),
        choices=CheckOutcome.choices,
        required=False,  # the service refuses a missing one with its own message
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("Evidence files"), required=False)
    version = _version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "Up to %(max)d files at a time, at most %(size)s each: %(types)s. Files already attached stay."
        ) % {
            "max": MAX_FILES_PER_UPLOAD,
            "size": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            "types": allowed_types_label(),
        }

    def result_input(self) -> ResultInput:
        data = self.cleaned_data
        return ResultInput(outcome=data["outcome"], notes=data["notes"], files=data["files"])


class InspectionCompleteForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the check"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
