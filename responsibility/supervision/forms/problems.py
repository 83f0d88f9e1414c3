"""Forms of the problem lists (问题清单) of other sources and their problems: they parse input; the services
decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from core import clock
from core.forms import _DATE_INPUT, VersionForm
from responsibility.evidence.forms import EvidenceFilesField
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.forms.findings import FindingTermsForm, MeasureForm
from responsibility.supervision.models import ProblemBatch, ProblemSource, ProblemSourceCode, Severity
from responsibility.supervision.services.measures import MAX_MEASURES, MeasureInput
from responsibility.supervision.services.problems import BatchInput, ProblemInput

# Measure rows a new problem's form offers; more are added on the problem's page.
MEASURE_ROWS = 3


class BatchForm(forms.Form):
    """A problem list's terms and documents (opened, or corrected with `version`)."""

    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=ProblemSource.objects.exclude(code=ProblemSourceCode.SUPERVISION),
        error_messages={"required": _("Choose where the problems come from.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=ProblemBatch._meta.get_field("title").max_length,
        help_text=_("As the list is called, e.g. 2026年度党组民主生活会查摆问题."),
        error_messages={"required": _("Give the problem list a title.")},
    )
    year = forms.IntegerField(
        label=_("Year"), error_messages={"required": _("Give the year the list is for.")}
    )
    raised_on = forms.DateField(
        label=_("Raised on"),
        widget=_DATE_INPUT,
        help_text=_("The day of the meeting, the feedback or the audit report."),
        error_messages={"required": _("Give the day the problems were raised.")},
    )
    raised_by = forms.CharField(
        label=_("Raised by"),
        max_length=ProblemBatch._meta.get_field("raised_by").max_length,
        required=False,
        help_text=_("The body that raised them, e.g. 市委第三巡察组; empty for the Party Group's own."),
    )
    files = EvidenceFilesField(label=_("Documents"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "The feedback, the meeting's list or the report the problems come from (PDF, Word, Excel or "
            "pictures)."
        )

    def batch_input(self) -> BatchInput:
        data = self.cleaned_data
        return BatchInput(
            source=data["source"],
            title=data["title"],
            year=data["year"],
            raised_on=data["raised_on"],
            raised_by=data["raised_by"],
            files=data["files"],
        )

    @staticmethod
    def initial_for_new() -> dict:
        today = clock.today()
        return {"year": today.year, "raised_on": today}


class BatchUpdateForm(VersionForm, BatchForm):
    pass


class UnitChoiceForm(forms.Form):
    """The first step of recording a problem: the unit it is in (its people answer for it)."""

    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.filter(is_active=True).order_by("sort_order", "code"),
        error_messages={"required": _("Choose the unit the problem is in.")},
    )


class MeasureRowForm(MeasureForm):
    """One measure of a new problem; a row left empty is skipped."""

    version = None  # a new problem: nothing to be stale against


class BaseMeasureRows(forms.BaseFormSet):
    def __init__(self, *args, people, **kwargs):
        self.people = people
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"people": self.people}

    def clean(self):
        if any(self.errors):
            return
        if not any(form.cleaned_data for form in self.forms):
            raise forms.ValidationError(_("Give the problem at least one measure."))

    def measure_inputs(self) -> list[MeasureInput]:
        return [form.measure_input() for form in self.forms if form.cleaned_data]


MeasureRows = forms.formset_factory(
    MeasureRowForm,
    formset=BaseMeasureRows,
    extra=MEASURE_ROWS,
    max_num=MAX_MEASURES,
    validate_max=True,
)


class ProblemForm(FindingTermsForm):
    """A problem of a list: what it is, what it concerns, who answers for it, its rectification's aim."""

    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MINOR)
    category = forms.ChoiceField(
        label=_("Clause category"),
        choices=ClauseCategory.choices,
        help_text=_("The kind of duty the problem concerns."),
    )
    evidence_required = forms.BooleanField(
        label=_("Each measure's owner must attach evidence"), required=False, initial=True
    )
    files = EvidenceFilesField(label=_("Documents about the problem"))

    field_order = [
        "title",
        "description",
        "category",
        "severity",
        "responsible",
        "owner",
        "requirement",
        "evidence_required",
        "files",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["deadline"]  # the latest measure's
        self.fields["responsible"].label = _("Responsible leader")
        self.fields["owner"].help_text = _("Who sees the whole rectification through.")
        self.fields["requirement"].label = _("Aim of the rectification")

    def problem_input(self, *, unit, measures: list[MeasureInput]) -> ProblemInput:
        data = self.cleaned_data
        return ProblemInput(
            unit=unit,
            title=data["title"],
            description=data["description"],
            category=data["category"],
            severity=data["severity"],
            responsible=data["responsible"],
            owner=data["owner"],
            requirement=data["requirement"],
            measures=measures,
            evidence_required=data["evidence_required"],
            files=data["files"],
        )


class BatchSourceFilterForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=ProblemSource.objects.all(), required=False, empty_label=_("All")
    )


class ProblemImportForm(forms.Form):
    workbook = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_(
            "The office's template filled in: the sheet 问题清单, one row per measure, at most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("Choose the spreadsheet to import.")},
    )


class CarryOverForm(VersionForm):
    """结转 one problem; `version` is its rectification's."""

    reason = forms.CharField(
        label=_("Why it is carried over"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason the problem is carried over.")},
    )
    deadline = forms.DateField(
        label=_("New deadline"), widget=_DATE_INPUT, error_messages={"required": _("Give the new deadline.")}
    )


class ReconcileForm(VersionForm):
    """对账销号 of the list; `version` is the list's."""
