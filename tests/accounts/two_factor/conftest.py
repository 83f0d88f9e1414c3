"""Two-step verification: people with and without an authenticator app, and the codes their app shows.

Codes are computed from the device's key with django-otp's own TOTP (django_otp.oath.TOTP) at the moment
the clock shows; the clock is frozen and moved by whole 30-second steps so no test depends on timing.
"""

import datetime
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor.services import totp_enrolment_confirm, totp_enrolment_start
from tests.factories import TEST_PASSWORD, UserFactory

# The start of a 30-second step, so that "the same step" and "the next step" are unambiguous.
START = datetime.datetime(2026, 5, 4, 9, 0, 0, tzinfo=datetime.UTC)
STEP = datetime.timedelta(seconds=30)


@pytest.fixture
def clock(time_machine):
    """A frozen clock at START; `clock.move_to(START + n * STEP)` moves it."""
    time_machine.move_to(START, tick=False)
    return time_machine


def code_now(device: TOTPDevice, *, steps_ago: int = 0) -> str:
    """The code the person's app shows now (or `steps_ago` 30-second steps back)."""
    generator = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    generator.time = time.time() - steps_ago * device.step
    return f"{generator.token():0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """The person sets up their app through the services, as the set-up page does."""
    device = totp_enrolment_start(user=user)
    enrolment = totp_enrolment_confirm(user=user, device=device, code=code_now(device))
    return enrolment.device, enrolment.recovery_codes


def sign_in(client, user, *, password: str = TEST_PASSWORD):
    """The login form, as a person uses it."""
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


def verify(client, code: str, *, next_url: str = ""):
    return client.post(reverse("accounts:two-factor-verify"), {"code": code, "next": next_url})


def role_group(name: str) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    return group


@pytest.fixture
def person(db):
    """Someone whose role does not require two-step verification."""
    return UserFactory(full_name="张三")


@pytest.fixture
def enrolled(person, clock):
    """`person` with a confirmed app (set up at START); their recovery codes are on `enrolled.codes`."""
    device, codes = enrol(person)
    clock.move_to(START + STEP)  # the set-up code is spent: tests start one step later
    person.device = device
    person.codes = codes
    return person


@pytest.fixture
def required_roles(settings):
    """Production's rule: the administrators, the inspection team and the Party Group must use it."""
    settings.TWO_FACTOR_REQUIRED_ROLES = [
        "office_admin",
        "security_admin",
        "audit_admin",
        "inspection_team",
        "party_group",
    ]
    return settings.TWO_FACTOR_REQUIRED_ROLES


@pytest.fixture
def security_admin(db):
    admin = UserFactory(full_name="安全管理员")
    admin.groups.add(role_group("security_admin"))
    return admin
