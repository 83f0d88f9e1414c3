"""Forms of the 廉政档案 and 廉政意见回复 pages: they parse input; the services decide what is allowed."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.forms import VersionForm
from responsibility.cadres.files import (
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
)
from responsibility.cadres.models import FileDocumentKind
from responsibility.cadres.opinions import (
    MAX_BODY_LENGTH,
    MAX_CONCLUSION_LENGTH,
    MAX_PURPOSE_LENGTH,
    MAX_REFERENCE_LENGTH,
)
from responsibility.evidence.forms import EvidenceFilesField

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CadreField(forms.ModelChoiceField):
    """A person with a file, named as people name them: 张祎（法制工作委员会主任）."""

    def label_from_instance(self, user) -> str:
        titles = [post.full_title for post in user.posts.all()]
        return f"{user.get_full_name()}（{'、'.join(titles)}）" if titles else user.get_full_name()


class FileDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FileDocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH)
    dated = forms.DateField(label=_("Date of the document"), widget=_DATE_INPUT)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=MAX_SUMMARY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the document says, in a few lines, for whoever reads the file."),
    )
    files = EvidenceFilesField(label=_("The document's files"))

    ERROR_FIELDS = {"kind": "kind", "title": "title", "dated": "dated", "files": "files"}


class AccessRequestForm(forms.Form):
    cadre = CadreField(label=_("Whose file"), queryset=None)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you need the file for: the inspection team decides on it."),
    )
    valid_from = forms.DateField(label=_("First day of access"), widget=_DATE_INPUT)
    valid_until = forms.DateField(
        label=_("Last day of access"), widget=_DATE_INPUT, help_text=_("At most 30 days.")
    )

    ERROR_FIELDS = {
        "cadre": "cadre",
        "reason": "reason",
        "valid_from": "valid_from",
        "valid_until": "valid_until",
    }

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres

    @staticmethod
    def initial_for() -> dict:
        today = clock.today()
        return {"valid_from": today, "valid_until": today + datetime.timedelta(days=6)}


class AccessDecisionForm(VersionForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(
        label=_("Reason, if refused"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class OpinionRegisterForm(forms.Form):
    cadre = CadreField(label=_("Cadre"), queryset=None)
    purpose = forms.CharField(
        label=_("For what"),
        max_length=MAX_PURPOSE_LENGTH,
        help_text=_("For example: proposed for promotion to deputy director of the committee."),
    )
    requested_by = forms.CharField(
        label=_("Requested by"),
        max_length=MAX_BODY_LENGTH,
        help_text=_("The body that asked, e.g. 机关党委."),
    )
    request_reference = forms.CharField(
        label=_("Their letter's number"), max_length=MAX_REFERENCE_LENGTH, required=False
    )
    received_on = forms.DateField(label=_("Received on"), widget=_DATE_INPUT)

    ERROR_FIELDS = {
        "cadre": "cadre",
        "purpose": "purpose",
        "requested_by": "requested_by",
        "received_on": "received_on",
    }

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres


class OpinionForm(VersionForm):
    conclusion = forms.CharField(
        label=_("Conclusion"),
        required=False,
        max_length=MAX_CONCLUSION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The inspection team's opinion, weighing what each source showed."),
    )

    ERROR_FIELDS = {"conclusion": "conclusion"}
