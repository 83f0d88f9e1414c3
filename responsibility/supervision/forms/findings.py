"""Forms of the finding and rectification pages: they parse input; the services decide what is allowed."""

import datetime
from collections import OrderedDict

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core import clock
from core.forms import _DATE_INPUT, PersonField, VersionForm
from responsibility.evidence.forms import EvidenceFilesField
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models import Finding, Measure, Rectification, Severity
from responsibility.supervision.services.measures import (
    MeasureInput,
    MeasureReport,
)
from responsibility.supervision.services.rectifications import (
    MAX_REASON_LENGTH,
    FindingChange,
    FindingInput,
    SubmissionInput,
)

# A new rectification is due this many days after the finding, unless the inspector says otherwise.
DEFAULT_DEADLINE_DAYS = 30


CLAUSE_LABEL_CHARS = 48


class CheckResultField(forms.ModelChoiceField):
    def label_from_instance(self, result) -> str:
        return f"{result.checkpoint.number}. {result.checkpoint.title} · {result.get_outcome_display()}"


def _clause_label(clause) -> str:
    text = (
        clause.text if len(clause.text) <= CLAUSE_LABEL_CHARS else clause.text[: CLAUSE_LABEL_CHARS - 1] + "…"
    )
    return f"{clause.number}. {text}（{clause.get_category_display()}）"


def clause_choices(clauses) -> list:
    """The signed clauses grouped by letter, for a select with one group per letter."""
    groups: OrderedDict[int, tuple[str, list]] = OrderedDict()
    for clause in clauses:
        letter = clause.letter
        label = f"{letter.reference} {letter.title}"
        groups.setdefault(letter.pk, (label, []))[1].append((clause.pk, _clause_label(clause)))
    return [("", "---------"), *groups.values()]


class FindingTermsForm(forms.Form):
    """What every finding form asks: the problem, who answers for it, and the terms of its rectification."""

    title = forms.CharField(label=_("Problem"), max_length=Finding._meta.get_field("title").max_length)
    description = forms.CharField(
        label=_("Details"),
        max_length=Finding._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    responsible = PersonField(
        label=_("Responsible person"),
        queryset=None,
        help_text=_("Who answers for the problem: a holder of a post in the unit."),
    )
    owner = PersonField(
        label=_("Rectification owner"),
        queryset=None,
        help_text=_("Who carries out the rectification and reports it."),
    )
    requirement = forms.CharField(
        label=_("What must be rectified"),
        max_length=Rectification._meta.get_field("requirement").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deadline = forms.DateField(label=_("Rectification deadline"), widget=_DATE_INPUT)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people
        self.fields["owner"].queryset = people


class FindingCreateForm(FindingTermsForm):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MODERATE)
    clause = forms.ModelChoiceField(
        label=_("Signed clause breached"),
        queryset=None,
        required=False,
        help_text=_("The clauses of the letters this unit signed, by letter."),
    )
    category = forms.ChoiceField(
        label=_("Clause category"),
        choices=ClauseCategory.choices,
        required=False,
        help_text=_("This unit has no signed letter: choose the kind of duty the problem concerns."),
    )
    check_result = CheckResultField(
        label=_("Checkpoint result"),
        queryset=None,
        required=False,
        empty_label=_("— not linked to a checkpoint —"),
    )
    evidence_required = forms.BooleanField(
        label=_("The owner must attach evidence of the fix"), required=False, initial=True
    )
    files = EvidenceFilesField(label=_("Evidence of the problem"))

    field_order = [
        "title",
        "description",
        "severity",
        "clause",
        "category",
        "check_result",
        "responsible",
        "owner",
        "requirement",
        "deadline",
        "evidence_required",
        "files",
    ]

    def __init__(self, *args, clauses, results, **kwargs):
        super().__init__(*args, **kwargs)
        clause_list = list(clauses)
        if clause_list:
            del self.fields["category"]
            field = self.fields["clause"]
            field.queryset = clauses  # checks the choice
            field.required = True
            field.choices = clause_choices(clause_list)  # shows them grouped by letter, from one read
        else:
            del self.fields["clause"]
            self.fields["category"].required = True
        self.fields["check_result"].queryset = results

    def finding_input(self) -> FindingInput:
        data = self.cleaned_data
        clause = data.get("clause")
        return FindingInput(
            title=data["title"],
            description=data["description"],
            severity=data["severity"],
            clause=clause,
            category=clause.category if clause else data.get("category", ""),
            responsible=data["responsible"],
            owner=data["owner"],
            requirement=data["requirement"],
            deadline=data["deadline"],
            evidence_required=data["evidence_required"],
            check_result=data.get("check_result"),
            files=data["files"],
        )

    @staticmethod
    def default_deadline() -> datetime.date:
        return clock.today() + datetime.timedelta(days=DEFAULT_DEADLINE_DAYS)


class FindingUpdateForm(VersionForm, FindingTermsForm):
    def finding_change(self) -> FindingChange:
        data = self.cleaned_data
        return FindingChange(
            title=data["title"],
            description=data["description"],
            severity=data["severity"],
            responsible=data["responsible"],
            owner=data["owner"],
            requirement=data["requirement"],
            deadline=data["deadline"],
        )


class SubmitForm(VersionForm):
    measures = forms.CharField(
        label=_("Measures taken"),
        max_length=Rectification._meta.get_field("measures").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done to fix the problem, and how it turned out."),
        error_messages={"required": _("Describe the measures taken.")},
    )
    files = EvidenceFilesField()

    def submission_input(self) -> SubmissionInput:
        return SubmissionInput(measures=self.cleaned_data["measures"], files=self.cleaned_data["files"])


class MeasureForm(VersionForm):
    """A measure of the rectification (整改措施), added (`version`: the rectification's) or corrected
    (`version`: the measure's)."""

    action = forms.CharField(
        label=_("Measure"),
        max_length=Measure._meta.get_field("action").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One concrete thing that will be done to fix the problem."),
        error_messages={"required": _("Say what the measure will do.")},
    )
    owner = PersonField(
        label=_("Owner"),
        queryset=None,
        help_text=_("Who carries it out and reports it: a holder of a post in the unit."),
        error_messages={"required": _("Choose the measure's owner: a holder of a post in the unit.")},
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=_DATE_INPUT,
        error_messages={"required": _("Give the measure a deadline.")},
    )

    def __init__(self, *args, people, **kwargs):
        """`people`: a queryset (it checks the choice), or a list read once for a page of many forms."""
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        if isinstance(people, list):
            field.queryset = get_user_model().objects.filter(pk__in=[person.pk for person in people])
            field.choices = [
                ("", field.empty_label),
                *((person.pk, person.get_full_name()) for person in people),
            ]
        else:
            field.queryset = people

    def measure_input(self) -> MeasureInput:
        data = self.cleaned_data
        return MeasureInput(action=data["action"], owner=data["owner"], deadline=data["deadline"])


class MeasureReportForm(VersionForm):
    """A measure reported done; `version` is the measure's."""

    report = forms.CharField(
        label=_("What was done for this measure"),
        max_length=Measure._meta.get_field("report").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what was done.")},
    )
    files = EvidenceFilesField()

    def measure_report(self) -> MeasureReport:
        return MeasureReport(report=self.cleaned_data["report"], files=self.cleaned_data["files"])


class VerifyForm(VersionForm):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=MAX_REASON_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SendBackForm(VersionForm):
    reason = forms.CharField(
        label=_("Why it is sent back"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The owner sees this reason and works on the rectification again."),
        error_messages={"required": _("Give the reason the rectification is sent back.")},
    )
    measures = forms.TypedMultipleChoiceField(
        label=_("Measures to be done again"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every measure is done again."),
    )

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        measures = list(measures)
        if len(measures) > 1:
            self.fields["measures"].choices = [
                (measure.number, f"{measure.number}. {measure.action[:40]}") for measure in measures
            ]
        else:  # a rectification of one measure is sent back whole
            del self.fields["measures"]


class CloseForm(VerifyForm):
    pass
