"""Setting up the authenticator app: a QR code and the key, a first code to confirm, recovery codes once."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.two_factor.selectors import second_factor_enrolled, totp_device_pending
from accounts.two_factor.services import totp_enrolment_confirm, totp_enrolment_start
from core.errors import ApplicationError
from tests.accounts.two_factor.conftest import START, STEP, code_now, enrol, sign_in

pytestmark = pytest.mark.django_db


def test_the_set_up_page_shows_a_qr_code_and_the_key_in_groups(client, person, clock):
    client.force_login(person)

    page = client.get(reverse("accounts:two-factor-enrol"))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = totp_device_pending(user=person)
    assert " ".join(page.context["secret_groups"]).replace(" ", "") in device.config_url
    assert all(len(group) == 4 for group in page.context["secret_groups"])
    assert "<script>" not in html and 'style="' not in html  # nothing the content policy would refuse


def test_reloading_the_set_up_page_keeps_the_same_secret(client, person, clock):
    client.force_login(person)

    first = client.get(reverse("accounts:two-factor-enrol")).context["secret_groups"]
    second = client.get(reverse("accounts:two-factor-enrol")).context["secret_groups"]

    assert first == second
    assert TOTPDevice.objects.filter(user=person).count() == 1


def test_an_unconfirmed_app_does_not_count(client, person, clock):
    # given a set-up started but never confirmed
    client.force_login(person)
    client.get(reverse("accounts:two-factor-enrol"))
    assert TOTPDevice.objects.filter(user=person, confirmed=False).exists()

    # when the person signs in again
    client.logout()
    sign_in(client, person)

    # then no code is asked for
    assert not second_factor_enrolled(user=person)
    assert client.get(reverse("responsibility:todo")).status_code == 200


def test_the_first_code_confirms_the_app_and_the_recovery_codes_are_shown_once(
    client, person, clock, django_capture_on_commit_callbacks
):
    client.force_login(person)
    client.get(reverse("accounts:two-factor-enrol"))
    device = totp_device_pending(user=person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:two-factor-enrol"), {"code": code_now(device)})

    assert response.status_code == 302
    assert response.url == reverse("accounts:two-factor-recovery-codes")
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(response.url)
    codes = page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=person).count() == 10
    for code in codes:
        assert code in page.content.decode()
    # then, once the person says they kept them, the codes are gone from every page
    client.post(reverse("accounts:two-factor-recovery-codes-done"))
    assert client.get(reverse("accounts:two-factor-recovery-codes")).status_code == 302
    kinds = set(SecurityEvent.objects.filter(subject=person).values_list("kind", flat=True))
    assert {SecurityEventKind.SECOND_FACTOR_ENROLLED, SecurityEventKind.RECOVERY_CODES_GENERATED} <= kinds
    assert [message.subject for message in mail.outbox] == ["Two-step verification was set up"]


def test_the_recovery_codes_download_as_a_text_file(client, person, clock):
    client.force_login(person)
    client.get(reverse("accounts:two-factor-enrol"))
    client.post(reverse("accounts:two-factor-enrol"), {"code": code_now(totp_device_pending(user=person))})
    codes = client.get(reverse("accounts:two-factor-recovery-codes")).context["codes"]

    response = client.get(reverse("accounts:two-factor-recovery-codes-download"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    assert all(code in text for code in codes)
    assert person.username in text


def test_a_wrong_first_code_confirms_nothing(client, person, clock):
    client.force_login(person)
    client.get(reverse("accounts:two-factor-enrol"))
    device = totp_device_pending(user=person)
    wrong = f"{(int(code_now(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("accounts:two-factor-enrol"), {"code": wrong})

    assert response.status_code == 400
    assert "The code is not correct" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.filter(device__user=person).exists()


def test_setting_up_a_new_phone_replaces_the_old_app_and_its_recovery_codes(person, clock):
    old_device, old_codes = enrol(person)
    clock.move_to(START + STEP)

    new_device, new_codes = enrol(person)

    assert list(TOTPDevice.objects.filter(user=person)) == [new_device]
    assert not set(old_codes) & set(new_codes)
    assert StaticToken.objects.filter(device__user=person).count() == 10


def test_a_set_up_already_confirmed_cannot_be_confirmed_again(person, clock):
    device = totp_enrolment_start(user=person)
    totp_enrolment_confirm(user=person, device=device, code=code_now(device))
    clock.move_to(START + STEP)

    with pytest.raises(ApplicationError, match="no longer valid"):
        totp_enrolment_confirm(user=person, device=device, code=code_now(device))


def test_the_set_up_page_fits_a_phone_with_a_link_into_the_app(client, person, clock):
    client.force_login(person)

    html = client.get(reverse("accounts:two-factor-enrol")).content.decode()

    assert 'href="otpauth://totp/' in html
    assert 'class="on-phone"' in html
