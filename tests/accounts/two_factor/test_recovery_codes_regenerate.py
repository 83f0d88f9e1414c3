"""New recovery codes: the password first; the earlier codes stop working at once."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.two_factor.services import recovery_codes_regenerate, second_factor_verify
from core.errors import ApplicationError
from tests.accounts.two_factor.conftest import code_now, sign_in, verify
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_client(client, enrolled):
    sign_in(client, enrolled)
    verify(client, code_now(enrolled.device))
    return client


def test_new_recovery_codes_replace_the_old_ones(
    verified_client, enrolled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = verified_client.post(
            reverse("accounts:two-factor-recovery-codes-regenerate"), {"password": TEST_PASSWORD}
        )

    assert response.url == reverse("accounts:two-factor-recovery-codes")
    new_codes = verified_client.get(response.url).context["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(enrolled.codes)
    request = verified_client.get(reverse("accounts:two-factor")).wsgi_request
    assert second_factor_verify(user=enrolled, code=enrolled.codes[1], request=request) is None
    assert second_factor_verify(user=enrolled, code=new_codes[0], request=request) is not None
    assert (
        SecurityEvent.objects.filter(
            kind=SecurityEventKind.RECOVERY_CODES_GENERATED, subject=enrolled
        ).count()
        == 2
    )
    assert "New recovery codes were issued" in [message.subject for message in mail.outbox]


def test_new_recovery_codes_need_the_password(verified_client, enrolled):
    response = verified_client.post(
        reverse("accounts:two-factor-recovery-codes-regenerate"), {"password": "wrong"}
    )

    assert response.status_code == 400
    assert "The password is not correct" in response.content.decode()
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CONFIRM_FAILED, subject=enrolled).count()
        == 1
    )
    assert (
        SecurityEvent.objects.filter(
            kind=SecurityEventKind.RECOVERY_CODES_GENERATED, subject=enrolled
        ).count()
        == 1
    )


def test_recovery_codes_are_refused_to_someone_without_an_app(person):
    with pytest.raises(ApplicationError, match="Set up two-step verification first"):
        recovery_codes_regenerate(user=person)
