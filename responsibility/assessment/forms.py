"""Forms of the assessment pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, OrgUnitKind
from core import clock
from core.forms import _DATE_INPUT, VersionForm
from responsibility.assessment.models import AssessmentScheme, RuleKind, SchemeStatus
from responsibility.assessment.models.rounds import MAX_OBJECTION_DAYS
from responsibility.assessment.rules import DEFAULT_GRADE_BANDS
from responsibility.assessment.services.rounds import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, RoundInput
from responsibility.evidence.forms import EvidenceFilesField


class SchemeImportForm(forms.Form):
    workbook = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        help_text=_(
            "The scheme in the layout of the template: the sheets 考核方案 and 评分细则, at most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": _("Choose the spreadsheet to import.")},
    )


class SchemeField(forms.ModelChoiceField):
    def label_from_instance(self, scheme) -> str:
        return _("%(name)s (version %(version)d)") % {"name": scheme.name, "version": scheme.version}


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit) -> str:
        return unit.name


class RoundOpenForm(forms.Form):
    """The office opens an assessment: which scheme, which year, which units, until when."""

    scheme = SchemeField(
        label=_("Scheme"),
        queryset=AssessmentScheme.objects.filter(status=SchemeStatus.PUBLISHED).order_by("name", "-version"),
        empty_label=None,
        error_messages={"required": _("Choose the scheme.")},
    )
    year = forms.IntegerField(
        label=_("Year assessed"),
        min_value=2000,
        max_value=2100,
        help_text=_("The system's items count this year's records."),
    )
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME_LENGTH)
    deadline = forms.DateField(
        label=_("Self-assessment deadline"),
        widget=_DATE_INPUT,
        help_text=_("Units self-assess until the end of this day; a later entry is refused."),
    )
    objection_days = forms.IntegerField(
        label=_("Days for objections"),
        min_value=1,
        max_value=MAX_OBJECTION_DAYS,
        initial=5,
        help_text=_("After the results are published, each unit may object within so many days."),
    )
    grade_bands = forms.CharField(
        label=_("Grades"),
        max_length=120,
        initial=DEFAULT_GRADE_BANDS,
        help_text=_(
            "Best first, each with the fewest points that earn it, the last from 0; for example "
            "好 90；较好 80；一般 60；差 0."
        ),
    )
    units = UnitsField(
        label=_("Units assessed"),
        queryset=OrgUnit.objects.filter(is_active=True).order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the units to assess.")},
    )

    ERROR_FIELDS = {
        "name": "name",
        "deadline": "deadline",
        "objection_days": "objection_days",
        "units": "units",
        "draft": "scheme",
        "duplicate": "year",
        "grades": "grade_bands",
    }

    @classmethod
    def initial_for_today(cls) -> dict:
        year = clock.today().year
        return {
            "year": year,
            "name": _("Year %(year)d assessment of integrity responsibility") % {"year": year},
            "objection_days": 5,
            "grade_bands": DEFAULT_GRADE_BANDS,
            "units": OrgUnit.objects.filter(is_active=True, kind=OrgUnitKind.WORKING_BODY),
        }

    def round_input(self) -> RoundInput:
        data = self.cleaned_data
        return RoundInput(
            scheme=data["scheme"],
            year=data["year"],
            name=data["name"],
            deadline=data["deadline"],
            objection_days=data["objection_days"],
            units=list(data["units"]),
            grade_bands=data["grade_bands"],
        )


def _answer_field(rule: str, *, label) -> forms.Field:
    """The answer as the item's rule takes it: met or not, how many times, or a rate."""
    if rule == RuleKind.FIXED:
        return forms.TypedChoiceField(
            label=label,
            choices=[("1", _("Met")), ("0", _("Not met"))],
            widget=forms.RadioSelect,
            error_messages={"required": _("Say whether the standard is met.")},
        )
    if rule == RuleKind.RATIO:
        help_text = _("A rate in per cent, from 0 to 100.")
    else:
        help_text = _("How many times, a whole number.")
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Write the answer.")},
    )


class SelfAssessForm(VersionForm):
    """A unit head's answer to one item, with an explanation and evidence."""

    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, and where it is recorded."),
        error_messages={"required": _("Explain the answer: what was done, and where it is recorded.")},
    )
    files = EvidenceFilesField()

    ERROR_FIELDS = {
        "fixed": "answer",
        "occurrences": "answer",
        "rate": "answer",
        "not_a_number": "answer",
        "explanation": "explanation",
        "too_long": "explanation",
        "evidence": "files",
    }

    def __init__(self, *args, rule: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"] = _answer_field(rule, label=_("Self-assessment"))
        self.order_fields(["answer", "explanation", "files", "version"])


class ReviewForm(VersionForm):
    """The assessment team's approved score (核准分) of one item, with the reason for a difference."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,  # required where the score differs: the service says so
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the approved score differs from the self-assessed one."),
    )

    ERROR_FIELDS = {
        "fixed": "answer",
        "occurrences": "answer",
        "rate": "answer",
        "not_a_number": "answer",
        "reason": "reason",
        "too_long": "reason",
    }

    def __init__(self, *args, rule: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"] = _answer_field(rule, label=_("Approved answer"))
        self.order_fields(["answer", "reason", "version"])


class ObjectionForm(forms.Form):
    """A unit head's objection to one item's approved score."""

    text = forms.CharField(
        label=_("Objection"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you object to, and the facts or records that show it. One objection per item."),
        error_messages={"required": _("Say what you object to and why.")},
    )

    ERROR_FIELDS = {"text": "text", "too_long": "text"}


class ObjectionAnswerForm(VersionForm):
    """The team's answer to an objection: upheld with the corrected answer, or not; with its reasons."""

    UPHOLD = "uphold"
    REJECT = "reject"

    decision = forms.ChoiceField(
        label=_("Decision on the objection"),
        choices=[
            (UPHOLD, _("Uphold: correct the approved score")),
            (REJECT, _("Do not uphold: the score stands")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to uphold the objection.")},
    )
    reply = forms.CharField(
        label=_("Reasons"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reasons for the answer.")},
    )

    ERROR_FIELDS = {
        "fixed": "answer",
        "occurrences": "answer",
        "rate": "answer",
        "not_a_number": "answer",
        "missing_answer": "answer",
        "unchanged": "answer",
        "text": "reply",
        "too_long": "reply",
    }

    def __init__(self, *args, rule: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"] = _answer_field(rule, label=_("Corrected answer, if upheld"))
        self.fields["answer"].required = False
        self.order_fields(["decision", "answer", "reply", "version"])

    @property
    def upheld(self) -> bool:
        return self.cleaned_data["decision"] == self.UPHOLD
