"""Forms of the webhook pages: they parse input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionForm
from responsibility.api.models import ApiClient
from responsibility.webhooks.events import event_choices


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://oa.example.gov.cn/hooks/letters"}),
        help_text=_("The receiving system's https address; it must answer 2xx within 10 seconds."),
    )
    events = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple)

    ERROR_FIELDS = {"url": "url", "events": "events", "scope_missing": "events", "duplicate": "url"}

    def __init__(self, *args, client: ApiClient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = event_choices(client.scopes)


class SecretRenewForm(VersionForm):
    ERROR_FIELDS: dict = {}


class SubscriptionStopForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for stopping"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )

    ERROR_FIELDS = {"reason": "reason"}
