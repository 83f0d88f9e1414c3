"""The security log's CSV: a formula stays text, and no cell carries a direction control."""

import pytest
from django.urls import reverse

from accounts.security.log import security_event_record
from accounts.security.models import SecurityEventKind

pytestmark = pytest.mark.django_db


def test_the_export_drops_direction_controls_then_quotes_the_formula(client, audit_admin):
    # given a failed sign-in whose user name hides a formula behind a right-to-left override
    security_event_record(SecurityEventKind.LOGIN_FAILED, username="\u202e=HYPERLINK(1)")
    client.force_login(audit_admin)

    response = client.get(reverse("accounts:security-log-export"))

    content = b"".join(response.streaming_content).decode("utf-8")
    assert "\u202e" not in content
    assert "'=HYPERLINK(1)" in content
