"""The sign-in step: after the password, a code from the app or a recovery code, before any other page."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.two_factor.selectors import totp_device_pending
from tests.accounts.two_factor.conftest import START, STEP, code_now, enrol, role_group, sign_in, verify
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def wrong_code(device) -> str:
    return f"{(int(code_now(device)) + 1) % 1_000_000:06d}"


def test_a_person_with_an_app_is_asked_for_the_code_and_returns_where_they_were(client, enrolled):
    # given the person signed in with their password
    sign_in(client, enrolled)
    letters = reverse("responsibility:letter-list")

    # when they open a page
    response = client.get(letters)

    # then they are asked for the code first, and after it land on that page
    assert response.status_code == 302
    assert response.url == reverse("accounts:two-factor-verify") + "?next=" + letters.replace("/", "%2F")
    done = verify(client, code_now(enrolled.device), next_url=letters)
    assert done.status_code == 302 and done.url == letters
    page = client.get(letters)
    assert page.status_code == 200
    assert 'class="main-nav"' in page.content.decode()


def test_the_code_page_refuses_a_return_address_on_another_site(client, enrolled):
    sign_in(client, enrolled)

    done = verify(client, code_now(enrolled.device), next_url="https://evil.example/steal")

    assert done.status_code == 302
    assert done.url == reverse("responsibility:todo")


def test_a_code_is_accepted_only_once(client, enrolled):
    # given a code used to sign in
    sign_in(client, enrolled)
    code = code_now(enrolled.device)
    assert verify(client, code).status_code == 302

    # when the same code is typed again in another sign-in within the same 30 seconds
    client.logout()
    sign_in(client, enrolled)
    response = verify(client, code)

    # then it is refused, and the refusal counts
    assert response.status_code == 400
    assert "The code is not correct" in response.content.decode()
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.SECOND_FACTOR_FAILED, subject=enrolled).count()
        == 1
    )


def test_a_code_from_the_previous_step_is_accepted_but_not_one_from_two_steps_ago(client, enrolled, clock):
    clock.move_to(START + 10 * STEP)
    sign_in(client, enrolled)

    too_old = verify(client, code_now(enrolled.device, steps_ago=2))
    just_past = verify(client, code_now(enrolled.device, steps_ago=1))

    assert too_old.status_code == 400
    assert just_past.status_code == 302


def test_a_recovery_code_signs_in_once(client, enrolled, django_capture_on_commit_callbacks):
    recovery_code = enrolled.codes[0]
    sign_in(client, enrolled)

    with django_capture_on_commit_callbacks(execute=True):
        first = verify(client, recovery_code.upper().replace("-", " "))  # as typed from paper
    client.logout()
    sign_in(client, enrolled)
    second = verify(client, recovery_code)

    assert first.status_code == 302
    assert second.status_code == 400
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.RECOVERY_CODE_USED, subject=enrolled).count() == 1
    )
    assert [message.subject for message in mail.outbox] == ["A recovery code was used"]
    assert "9 unused codes remain" in mail.outbox[0].body


def test_wrong_codes_lock_the_account_at_the_limit_and_end_the_session(client, enrolled, settings):
    settings.LOCKOUT_ACCOUNT_FAILURES = settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, enrolled)
    wrong = wrong_code(enrolled.device)

    below_limit = [verify(client, wrong).status_code for _ in range(2)]
    at_limit = verify(client, wrong)

    assert below_limit == [400, 400]
    assert at_limit.status_code == 429  # the lockout page: how long, and who can lift it
    assert "Too many failed attempts" in at_limit.content.decode()
    assert "_auth_user_id" not in client.session  # the session ended
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.SECOND_FACTOR_FAILED, subject=enrolled).count()
        == 3
    )
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, subject=enrolled).exists()
    # and the right password with the right code no longer get in until the lock ends
    sign_in(client, enrolled)
    assert "_auth_user_id" not in client.session


def test_nothing_but_the_code_page_is_open_before_the_code(client, enrolled):
    sign_in(client, enrolled)
    blocked = [
        reverse("responsibility:todo"),
        reverse("accounts:two-factor"),
        reverse("accounts:two-factor-enrol"),
        reverse("accounts:password-change"),
    ]

    for url in blocked:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:two-factor-verify")), url
    code_page = client.get(reverse("accounts:two-factor-verify"))
    assert code_page.status_code == 200
    assert 'class="main-nav"' not in code_page.content.decode()  # nothing to follow but signing out
    assert client.get(reverse("responsibility:verify")).status_code == 200  # public: needs no sign-in
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_an_unverified_session_cannot_turn_the_app_off(client, enrolled):
    sign_in(client, enrolled)

    response = client.post(reverse("accounts:two-factor-remove"), {"password": TEST_PASSWORD})

    assert response.status_code == 302
    assert TOTPDevice.objects.filter(pk=enrolled.device.pk, confirmed=True).exists()


def test_the_administration_site_waits_for_the_code(client, clock):
    admin = UserFactory(is_staff=True, is_superuser=True)
    device, _codes = enrol(admin)
    clock.move_to(START + STEP)
    client.post(reverse("admin:login"), {"username": admin.username, "password": TEST_PASSWORD})

    blocked = client.get(reverse("admin:index"))
    verify(client, code_now(device))
    open_ = client.get(reverse("admin:index"))

    assert blocked.status_code == 302
    assert blocked.url.startswith(reverse("accounts:two-factor-verify"))
    assert open_.status_code == 200


def test_a_role_that_requires_it_must_set_it_up_before_anything_else(client, required_roles, clock):
    member = UserFactory()
    member.groups.add(role_group("party_group"))
    sign_in(client, member)

    response = client.get(reverse("responsibility:letter-list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two-factor-enrol"))
    assert client.get(reverse("accounts:two-factor-verify")).status_code == 302  # no app: nothing to verify
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Your role requires two-step verification" in page.content.decode()
    # once set up, the session is verified and the page asked for opens after the recovery codes
    device = totp_device_pending(user=member)
    confirmed = client.post(
        response.url, {"code": code_now(device), "next": reverse("responsibility:letter-list")}
    )
    assert confirmed.url == reverse("accounts:two-factor-recovery-codes")
    done = client.post(reverse("accounts:two-factor-recovery-codes-done"))
    assert done.url == reverse("responsibility:letter-list")
    assert client.get(done.url).status_code == 200


def test_a_role_that_does_not_require_it_is_not_asked(client, person, required_roles):
    sign_in(client, person)

    assert client.get(reverse("responsibility:todo")).status_code == 200


def test_nobody_is_asked_when_no_role_requires_it(client, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    member = UserFactory()
    member.groups.add(role_group("party_group"))
    sign_in(client, member)

    assert client.get(reverse("responsibility:todo")).status_code == 200


def test_a_superuser_must_set_it_up_wherever_any_role_must(client, required_roles, clock):
    """The installation superuser holds no role but can do more than any: asked like the administrators."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)

    response = sign_in(client, root)
    page = client.get(reverse("responsibility:todo"))

    assert response.status_code == 302
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:two-factor-enrol"))
