"""Forms of the 一岗双责 pages: they parse input; the services decide what is allowed (a recurrence that
makes no sense, a date in the future, a clause of another letter, a handover to the holder …)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.reauth_form import IdentityConfirmationForm
from core import clock
from core.forms import PersonField, VersionForm
from responsibility.duties.models import (
    DutyAssignment,
    DutyTask,
    PerformanceRecord,
    Recurrence,
    TalkKind,
    TaskOccurrence,
)
from responsibility.duties.recurrence import TIMES_A_YEAR_ALLOWED
from responsibility.duties.services.assignments import (
    MAX_REASON_LENGTH,
    AssignmentInput,
    RecordInput,
    TaskInput,
)
from responsibility.duties.services.talks import (
    MAX_DISAGREEMENT_LENGTH,
    MAX_PLACE_LENGTH,
    MAX_POINTS_LENGTH,
    MAX_PURPOSE_LENGTH,
    TalkPlanInput,
    TalkRecordInput,
)
from responsibility.evidence.forms import EvidenceFilesField

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CLAUSE_LABEL_CHARS = 60


def _field(model, name: str):
    return model._meta.get_field(name)


class GenerateForm(forms.Form):
    """The year whose assignments the office generates for every held leading post."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit) -> str:
        return f"{unit.parent.name} · {unit.name}" if unit.parent_id else unit.name


class ClausesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, clause) -> str:
        return clause_label(clause)


class ClauseField(forms.ModelChoiceField):
    def label_from_instance(self, clause) -> str:
        return clause_label(clause)


def clause_label(clause) -> str:
    text = clause.text
    if len(text) > CLAUSE_LABEL_CHARS:
        text = text[: CLAUSE_LABEL_CHARS - 1] + "…"
    return f"{clause.number}. {text}"


class AssignmentForm(VersionForm):
    """What the leader leads and answers for; the clauses are those of the leader's own letter."""

    business_areas = forms.CharField(
        label=_("Business work led"),
        max_length=_field(DutyAssignment, "business_areas").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe the business work led.")},
    )
    integrity_duties = forms.CharField(
        label=_("Integrity duties"),
        max_length=_field(DutyAssignment, "integrity_duties").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe the integrity duties.")},
    )
    oversees = UnitsField(
        label=_("Units overseen"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The units whose business and integrity work the leader leads (分管)."),
    )
    clauses = ClausesField(
        label=_("Clauses of the leader's letter"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The clauses of the leader's responsibility letter these duties carry out."),
    )

    field_order = ["business_areas", "integrity_duties", "oversees", "clauses"]
    # Where a refusal of the service belongs on the form (ApplicationError.code → field).
    ERROR_FIELDS = {"clause": "clauses"}

    def __init__(self, *args, units, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oversees"].queryset = units
        self.fields["clauses"].queryset = clauses

    def assignment_input(self) -> AssignmentInput:
        data = self.cleaned_data
        return AssignmentInput(
            business_areas=data["business_areas"],
            integrity_duties=data["integrity_duties"],
            oversees=list(data["oversees"]),
            clauses=list(data["clauses"]),
        )


class TaskForm(forms.Form):
    """A task and how often it recurs; its periods of the year are made by the service."""

    title = forms.CharField(
        label=_("Title"),
        max_length=_field(DutyTask, "title").max_length,
        error_messages={"required": _("Give the task a title.")},
    )
    description = forms.CharField(
        label=_("What is to be done"),
        required=False,
        max_length=_field(DutyTask, "description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    recurrence = forms.ChoiceField(
        label=_("Recurrence"),
        choices=Recurrence.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how often the task recurs.")},
    )
    times_a_year = forms.IntegerField(
        label=_("Times a year"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("For “several times a year”: 1, 2, 3, 4, 6 or 12, so the periods are whole months."),
        widget=forms.NumberInput(attrs={"list": "times-a-year-values"}),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=_DATE_INPUT,
        help_text=_("For a task done once: the day it is due, in the year of the assignment."),
    )
    clause = ClauseField(
        label=_("Letter clause"),
        queryset=None,
        required=False,
        empty_label=_("— not linked to a clause —"),
        help_text=_("One of the clauses linked to the assignment, if the task carries it out."),
    )

    ERROR_FIELDS = {
        "recurrence": "recurrence",
        "times_a_year": "times_a_year",
        "due_date": "due_date",
        "due_date_year": "due_date",
        "clause": "clause",
        "title": "title",
    }
    TIMES_A_YEAR_ALLOWED = TIMES_A_YEAR_ALLOWED

    def __init__(self, *args, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = clauses

    def task_input(self) -> TaskInput:
        data = self.cleaned_data
        return TaskInput(
            title=data["title"],
            description=data["description"],
            recurrence=data["recurrence"],
            times_a_year=data["times_a_year"],
            due_date=data["due_date"],
            clause=data["clause"],
        )


class RecordForm(forms.Form):
    """履责纪实: when, what was done, with whom, and the evidence."""

    performed_on = forms.DateField(
        label=_("Date"),
        widget=_DATE_INPUT,
        help_text=_("The day it was done: not in the future, and in the year of the assignment."),
    )
    summary = forms.CharField(
        label=_("What was done"),
        max_length=_field(PerformanceRecord, "summary").max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe what was done.")},
    )
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        max_length=_field(PerformanceRecord, "participants").max_length,
        help_text=_("Who took part, for example the heads of the units overseen."),
    )
    files = EvidenceFilesField()

    ERROR_FIELDS = {"future": "performed_on", "year": "performed_on", "summary": "summary"}

    def record_input(self) -> RecordInput:
        data = self.cleaned_data
        return RecordInput(
            performed_on=data["performed_on"],
            summary=data["summary"],
            participants=data["participants"],
            files=data["files"],
        )

    @staticmethod
    def default_date():
        return clock.today()


class ReviewForm(VersionForm):
    """The inspection team's verdict on a record: accept it, or return it with a reason."""

    ACCEPT = "accept"
    RETURN = "return"

    # Sent by the button pressed (the page renders the fields one by one, not this one).
    decision = forms.ChoiceField(choices=[(ACCEPT, _("Accept")), (RETURN, _("Return"))])
    reason = forms.CharField(
        label=_("Reason, if returned"),
        required=False,  # required when returning: the service says so
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == self.ACCEPT


class WithdrawForm(forms.Form):
    """Why a task set by mistake is withdrawn (it stays on record, greyed, with the reason)."""

    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason the task is withdrawn.")},
    )

    ERROR_FIELDS = {"reason": "reason"}


class HandoverForm(forms.Form):
    """Who takes over the post, and on which day."""

    new_holder = PersonField(
        label=_("New holder"),
        queryset=None,
        help_text=_("The new holder takes over the open task periods and receives a letter to sign."),
    )
    handed_over_on = forms.DateField(label=_("Handover date"), widget=_DATE_INPUT)

    ERROR_FIELDS = {"new_holder": "new_holder", "same_holder": "new_holder", "date": "handed_over_on"}

    def __init__(self, *args, current_holder_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["new_holder"]
        # Any user is accepted for checking, so the service can say why a holder is refused (already
        # holds the post, inactive); the list offers the active users other than the current holder.
        field.queryset = get_user_model().objects.all()
        offered = (
            get_user_model()
            .objects.filter(is_active=True, is_machine=False)
            .exclude(pk=current_holder_id)
            .order_by("full_name", "username")
        )
        field.choices = [("", "---------"), *((user.pk, _person_label(user)) for user in offered)]

    @staticmethod
    def default_date():
        return clock.today()


def _person_label(user) -> str:
    name = user.get_full_name()
    return name if name == user.username else f"{name}（{user.username}）"


# --- Integrity talks (廉政谈话) --------------------------------------------------------------------------


class PeriodField(forms.ModelChoiceField):
    def label_from_instance(self, occurrence) -> str:
        return _("%(title)s · period %(sequence)d (due %(date)s)") % {
            "title": occurrence.task.title,
            "sequence": occurrence.sequence,
            "date": occurrence.due_date.isoformat(),
        }


class TalkPlanForm(forms.Form):
    """Who is talked to, what kind of talk, when, why, and the duty task period it carries out (if any).

    Every user and period is accepted for checking, so the service says why one is refused; the lists
    offer whom the talker may talk to and the talker's own open periods."""

    kind = forms.ModelChoiceField(label=_("Kind of talk"), queryset=TalkKind.objects.all())
    talked_to = PersonField(label=_("Person talked to"), queryset=None)
    planned_on = forms.DateField(label=_("Planned date"), widget=_DATE_INPUT)
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=MAX_PURPOSE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: newly appointed, or a matter that calls for a reminder."),
    )
    occurrence = PeriodField(
        label=_("Duty task period it carries out"),
        queryset=None,
        required=False,
        help_text=_("Once the person talked to confirms the record, the period is done."),
    )

    ERROR_FIELDS = {
        "kind": "kind",
        "talked_to": "talked_to",
        "oneself": "talked_to",
        "date": "planned_on",
        "length": "purpose",
        "occurrence": "occurrence",
    }

    def __init__(self, *args, kinds, partners, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
        talked_to = self.fields["talked_to"]
        talked_to.queryset = get_user_model().objects.all()
        talked_to.choices = [("", "---------"), *((user.pk, _person_label(user)) for user in partners)]
        occurrence = self.fields["occurrence"]
        occurrence.queryset = TaskOccurrence.objects.select_related("task")
        occurrence.choices = [
            ("", _("None: a talk of its own")),
            *((o.pk, occurrence.label_from_instance(o)) for o in periods),
        ]

    def plan_input(self) -> TalkPlanInput:
        data = self.cleaned_data
        return TalkPlanInput(
            kind=data["kind"],
            talked_to=data["talked_to"],
            planned_on=data["planned_on"],
            purpose=data["purpose"],
            occurrence=data["occurrence"],
        )


class TalkRecordForm(VersionForm):
    """The record of a talk held: when, where, the points raised and the commitments made."""

    held_on = forms.DateField(
        label=_("Date held"), widget=_DATE_INPUT, help_text=_("Not in the future, and within the last year.")
    )
    place = forms.CharField(label=_("Place"), max_length=MAX_PLACE_LENGTH)
    points = forms.CharField(
        label=_("Points raised"),
        max_length=MAX_POINTS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the points raised in the talk.")},
    )
    commitments = forms.CharField(
        label=_("Commitments made"),
        required=False,
        max_length=MAX_POINTS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the person talked to said they would do."),
    )

    ERROR_FIELDS = {"future": "held_on", "held_on": "held_on", "status": None}

    def record_input(self) -> TalkRecordInput:
        data = self.cleaned_data
        return TalkRecordInput(
            held_on=data["held_on"],
            place=data["place"],
            points=data["points"],
            commitments=data["commitments"],
        )


class TalkAnswerForm(IdentityConfirmationForm):
    """The person talked to confirms the record, or says what they disagree with; either after confirming
    their identity, as when signing. A disagreement with no words is refused before the password is
    checked."""

    CONFIRM = "confirm"
    DISAGREE = "disagree"

    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(CONFIRM, _("I confirm the record")), (DISAGREE, _("I disagree with the record"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to confirm the record or to disagree with it.")},
    )
    disagreement = forms.CharField(
        label=_("What you disagree with"),
        required=False,
        max_length=MAX_DISAGREEMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    field_order = ["decision", "disagreement", "password", "second_factor_code", "version"]

    def checks_before_identity(self, cleaned: dict) -> None:
        if "version" in self.errors:
            self.add_error(None, _("This page is out of date. Reload it and try again."))
        if cleaned.get("decision") == self.DISAGREE and not (cleaned.get("disagreement") or "").strip():
            self.add_error("disagreement", _("Say what in the record you disagree with."))

    @property
    def confirm(self) -> bool:
        return self.cleaned_data.get("decision") == self.CONFIRM


class TalkCancelForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_PURPOSE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason the talk is cancelled.")},
    )
