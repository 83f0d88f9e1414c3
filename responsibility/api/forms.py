"""Forms of the API client pages: they parse input; the services decide what is allowed."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import ApplicationError
from core.forms import VersionForm
from responsibility.api.models import Scope
from responsibility.api.services import api_networks_parse

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEFAULT_VALID_DAYS = 365


def default_expiry() -> datetime.date:
    return clock.today() + datetime.timedelta(days=DEFAULT_VALID_DAYS)


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=64, help_text=_("The system that calls, e.g. 机关办公系统.")
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens; the client's account is named after it."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(label=_("Token valid until"), widget=_DATE_INPUT)
    allowed_networks = forms.CharField(
        label=_("Allowed addresses"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Addresses or networks the client calls from, e.g. 10.1.2.0/24; empty: any address."),
    )

    ERROR_FIELDS = {
        "code": "code",
        "name": "name",
        "scopes": "scopes",
        "expires_on": "expires_on",
        "networks": "allowed_networks",
        "exists": "code",
    }

    def clean_allowed_networks(self) -> list[str]:
        try:
            return api_networks_parse(self.cleaned_data["allowed_networks"])
        except ApplicationError as error:
            raise forms.ValidationError(str(error)) from error


class TokenRenewForm(VersionForm):
    expires_on = forms.DateField(label=_("New token valid until"), widget=_DATE_INPUT)

    ERROR_FIELDS = {"expires_on": "expires_on"}


class ScopesChangeForm(VersionForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    ERROR_FIELDS = {"scopes": "scopes"}


class ClientRevokeForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for revoking"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )

    ERROR_FIELDS = {"reason": "reason"}
