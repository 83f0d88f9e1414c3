"""Installation: the first security administrator is granted from the shell, and the deployment check
warns while a superuser is active."""

import pytest
from django.core.management import CommandError, call_command

from accounts.checks import superuser_active_check
from accounts.roles import Role, user_has_role
from accounts.security.models import SecurityEvent, SecurityEventKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_first_security_administrator_is_granted_from_the_shell_and_logged(cadre):
    call_command("grant_role", cadre.username, Role.SECURITY_ADMIN)

    cadre.refresh_from_db()
    assert user_has_role(cadre, Role.SECURITY_ADMIN)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ROLE_GRANTED)
    assert event.actor is None and event.payload == {"role": "security_admin", "by": "manage.py grant_role"}


def test_the_shell_keeps_the_duties_separated(security_admin):
    with pytest.raises(CommandError, match="separated"):
        call_command("grant_role", security_admin.username, Role.AUDIT_ADMIN)

    security_admin.refresh_from_db()
    assert not user_has_role(security_admin, Role.AUDIT_ADMIN)


def test_the_deployment_check_warns_while_a_superuser_is_active():
    UserFactory(username="root", is_superuser=True, is_staff=True)

    warnings = superuser_active_check(None)
    call_command("disable_superusers")

    assert [warning.id for warning in warnings] == ["accounts.W001"] and "root" in warnings[0].msg
    assert superuser_active_check(None) == []
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT_DEACTIVATED, username="root").exists()
