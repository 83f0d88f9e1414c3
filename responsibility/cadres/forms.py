"""Forms of the 述责述廉 pages: they parse input; the services decide what is allowed."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from core.forms import VersionForm
from responsibility.cadres.models import MIN_BALLOTS_DEFAULT, Grade
from responsibility.cadres.services import MAX_COMMENT_LENGTH, MAX_REASON_LENGTH, TEXT_LIMITS, ReportText

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundOpenForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=100)
    deadline = forms.DateField(label=_("Reports due by"), widget=_DATE_INPUT)
    min_ballots = forms.IntegerField(
        label=_("Minimum ballots for results"),
        min_value=1,
        max_value=100,
        initial=MIN_BALLOTS_DEFAULT,
        help_text=_("A rating's results are shown only when at least this many ballots were cast."),
    )

    ERROR_FIELDS = {"year": "year", "title": "title", "deadline": "deadline", "min_ballots": "min_ballots"}

    @staticmethod
    def initial_for(year: int) -> dict:
        title = gettext("%(year)d responsibility and integrity reports of leading cadres") % {"year": year}
        return {"year": year, "title": title, "min_ballots": MIN_BALLOTS_DEFAULT}


class ReportForm(VersionForm):
    duties_text = forms.CharField(
        label=_("How I carried out my responsibilities (一岗双责)"),
        required=False,
        max_length=TEXT_LIMITS["duties_text"],
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("The draft lists what the system knows of your year: rewrite it in your own words."),
    )
    integrity_text = forms.CharField(
        label=_("How I kept clean (廉洁自律)"),
        required=False,
        max_length=TEXT_LIMITS["integrity_text"],
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The eight-point rules, official receptions, reporting personal matters, your family and staff."
        ),
    )
    shortcomings_text = forms.CharField(
        label=_("Shortcomings and next steps"),
        required=False,
        max_length=TEXT_LIMITS["shortcomings_text"],
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    ERROR_FIELDS = {"empty": None, "status": None}

    def report_text(self) -> ReportText:
        data = self.cleaned_data
        return ReportText(
            duties_text=data["duties_text"],
            integrity_text=data["integrity_text"],
            shortcomings_text=data["shortcomings_text"],
        )


class ReviewForm(VersionForm):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return"))])
    reason = forms.CharField(
        label=_("Reason, if returned"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


class RatersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name()


class RatingOpenForm(VersionForm):
    """The raters (the candidates offered, all ticked at first) and the day the rating closes."""

    raters = RatersField(
        label=_("Raters"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one rater.")},
    )
    closes_on = forms.DateField(label=_("Rating closes on"), widget=_DATE_INPUT)

    ERROR_FIELDS = {"raters": "raters", "closes_on": "closes_on"}

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["raters"]
        field.queryset = get_user_model().objects.all()  # checked by the service, which says why
        field.choices = [(user.pk, user.get_full_name()) for user in candidates]

    @staticmethod
    def default_closes_on():
        return clock.today() + datetime.timedelta(days=7)


class BallotForm(forms.Form):
    """A grade for each of the round's items, and an optional comment."""

    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nobody can tell who wrote it: comments are shown together, in no order."),
    )

    def __init__(self, *args, items: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for index, item in enumerate(items):
            self.fields[f"item_{index}"] = forms.ChoiceField(
                label=item,
                choices=Grade.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Rate this item.")},
            )
        self.order_fields([*(f"item_{index}" for index in range(len(items))), "comment"])

    def grade_fields(self):
        return [self[f"item_{index}"] for index in range(len(self.items))]

    def grades(self) -> list[str]:
        return [self.cleaned_data[f"item_{index}"] for index in range(len(self.items))]
