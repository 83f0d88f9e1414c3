"""Idle sessions end after SESSION_IDLE_MINUTES; the keep-alive counts, asking how long is left does not."""

import datetime

import pytest
from django.urls import reverse

from accounts.security.models import SecurityEvent, SecurityEventKind
from tests.accounts.two_factor.conftest import START, sign_in

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def signed_in(client, person, clock, settings):
    settings.SESSION_IDLE_MINUTES = 30
    sign_in(client, person)
    return client


def test_a_session_used_within_the_limit_goes_on(signed_in, clock):
    for minutes in (29, 58, 87):  # each request restarts the count
        clock.move_to(START + minutes * MINUTE)
        assert signed_in.get(reverse("responsibility:todo")).status_code == 200


def test_a_session_idle_beyond_the_limit_ends_with_a_message(signed_in, person, clock):
    clock.move_to(START + 31 * MINUTE)

    response = signed_in.get(reverse("responsibility:letter-list"), follow=True)

    assert response.redirect_chain[0][0] == reverse("accounts:login") + "?next=/letters/"
    assert "_auth_user_id" not in signed_in.session
    assert "inactive for 30 minutes" in response.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SESSION_EXPIRED)
    assert (event.actor, event.subject) == (person, person)
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.LOGGED_OUT).exists()  # they did not


def test_asking_how_long_is_left_does_not_keep_the_session_alive(signed_in, clock):
    clock.move_to(START + 20 * MINUTE)
    status = signed_in.get(reverse("accounts:session-status"))
    assert status.json() == {"seconds_left": 600, "warning_seconds": 120}

    clock.move_to(START + 31 * MINUTE)
    expired = signed_in.get(reverse("accounts:session-status"))

    assert expired.status_code == 401
    assert expired.json()["expired"] is True
    assert "_auth_user_id" not in signed_in.session


def test_stay_signed_in_restarts_the_count(signed_in, clock):
    clock.move_to(START + 29 * MINUTE)
    kept = signed_in.post(reverse("accounts:session-keepalive"), HTTP_ACCEPT="application/json")
    assert kept.json()["seconds_left"] == 1800

    clock.move_to(START + 58 * MINUTE)

    assert signed_in.get(reverse("responsibility:todo")).status_code == 200


def test_stay_signed_in_needs_a_post(signed_in):
    assert signed_in.get(reverse("accounts:session-keepalive")).status_code == 405


def test_signed_in_pages_carry_the_warning_and_its_script_and_the_login_page_does_not(client, signed_in):
    page = signed_in.get(reverse("responsibility:todo")).content.decode()
    assert "data-idle-warning" in page and 'data-idle-seconds="1800"' in page
    assert "accounts/session-idle.js" in page

    signed_in.post(reverse("accounts:logout"))
    login = client.get(reverse("accounts:login")).content.decode()
    assert "data-idle-warning" not in login
