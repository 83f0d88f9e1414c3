"""A one-time code from the security administrator does not bypass the second factor: after it, the
person still gives their app's code, then chooses their own password; only then is anything open."""

import pytest
from django.urls import reverse

from accounts.security.services import password_reset_start
from tests.accounts.two_factor.conftest import code_now, verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qingfeng-2026-zhengqi"


def test_a_one_time_code_leads_to_the_app_code_then_to_choosing_a_password(client, enrolled):
    from accounts.roles import Role

    security_admin = UserFactory(roles=[Role.SECURITY_ADMIN])
    enrolled.email = ""
    enrolled.save(update_fields=["email"])
    _method, one_time = password_reset_start(user=enrolled, started_by=security_admin)

    signed_in = client.post(
        reverse("accounts:reset-code-login"), {"username": enrolled.username, "reset_code": one_time}
    )
    blocked = client.get(reverse("accounts:password-set"))

    assert signed_in.status_code == 302
    assert blocked.status_code == 302 and blocked["Location"].startswith(
        reverse("accounts:two-factor-verify")
    )
    verified = verify(client, code_now(enrolled.device))
    assert verified.status_code == 302
    assert client.get(reverse("responsibility:todo"))["Location"] == reverse("accounts:password-set")
    client.post(
        reverse("accounts:password-set"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert client.get(reverse("responsibility:todo")).status_code == 200
    enrolled.refresh_from_db()
    assert enrolled.check_password(NEW_PASSWORD) and not enrolled.password_must_change
