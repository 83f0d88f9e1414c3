"""三员分立: roles are granted by a security administrator only, never to oneself, and an account holds at
most one administrator duty. Every grant and every refused attempt is in the security log; the person is
told by email and in the app."""

import pytest
from django.core import mail

from accounts.roles import Role, user_has_role
from accounts.security.log import security_chain_verify
from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.security.services import account_active_set, account_email_change, role_grant, role_remove
from core.errors import ApplicationError
from responsibility.reminders.models import Notification

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_security_administrator_grants_a_role_which_is_logged_and_told(
    security_admin, cadre, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        role_grant(user=cadre, role=Role.INSPECTION_TEAM, granted_by=security_admin)

    cadre.refresh_from_db()
    assert user_has_role(cadre, Role.INSPECTION_TEAM)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ROLE_GRANTED)
    assert (event.actor, event.subject, event.payload) == (security_admin, cadre, {"role": "inspection_team"})
    assert Notification.objects.filter(recipient=cadre, title__contains="Discipline inspection team").exists()
    assert [message.to for message in mail.outbox] == [[cadre.email]]
    assert security_chain_verify() is None


def test_nobody_grants_a_role_to_themselves(security_admin):
    with pytest.raises(ApplicationError, match="own account"):
        role_grant(user=security_admin, role=Role.INSPECTION_TEAM, granted_by=security_admin)

    security_admin.refresh_from_db()
    assert not user_has_role(security_admin, Role.INSPECTION_TEAM)
    refused = SecurityEvent.objects.get(kind=SecurityEventKind.REFUSED)
    assert refused.payload["action"] == "grant:inspection_team"


@pytest.mark.parametrize("granter", ["system_admin", "audit_admin", "secretary", "cadre"])
def test_only_a_security_administrator_grants_roles(request, granter, cadre):
    actor = request.getfixturevalue(granter)

    with pytest.raises(ApplicationError, match="Only a security administrator"):
        role_grant(user=cadre, role=Role.PARTY_GROUP, granted_by=actor)

    assert not user_has_role(cadre, Role.PARTY_GROUP)
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_GRANTED).exists()


@pytest.mark.parametrize(
    ("held", "granted"),
    [
        (Role.OFFICE_ADMIN, Role.SECURITY_ADMIN),
        (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN),
        (Role.AUDIT_ADMIN, Role.OFFICE_ADMIN),
    ],
)
def test_no_account_holds_two_administrator_duties(security_admin, cadre, held, granted):
    role_grant(user=cadre, role=held, granted_by=security_admin)

    with pytest.raises(ApplicationError, match="separated"):
        role_grant(user=cadre, role=granted, granted_by=security_admin)

    cadre.refresh_from_db()
    assert user_has_role(cadre, held) and not user_has_role(cadre, granted)


def test_an_administrator_duty_may_sit_beside_a_working_role(security_admin, cadre):
    role_grant(user=cadre, role=Role.PARTY_GROUP, granted_by=security_admin)
    role_grant(user=cadre, role=Role.OFFICE_ADMIN, granted_by=security_admin)

    cadre.refresh_from_db()
    assert user_has_role(cadre, Role.PARTY_GROUP) and user_has_role(cadre, Role.OFFICE_ADMIN)
    assert cadre.is_staff  # the system administrator works on the administration pages


def test_removing_the_system_administrator_role_closes_the_administration_pages(security_admin, cadre):
    role_grant(user=cadre, role=Role.OFFICE_ADMIN, granted_by=security_admin)

    role_remove(user=cadre, role=Role.OFFICE_ADMIN, removed_by=security_admin)

    cadre.refresh_from_db()
    assert not cadre.is_staff and not user_has_role(cadre, Role.OFFICE_ADMIN)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_REMOVED, subject=cadre).count() == 1


def test_granting_a_role_already_held_changes_nothing(security_admin, secretary):
    with pytest.raises(ApplicationError, match="already holds"):
        role_grant(user=secretary, role=Role.PARTY_GROUP, granted_by=security_admin)

    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.ROLE_GRANTED).exists()


def test_disabling_an_account_is_logged_and_refused_for_oneself(security_admin, cadre):
    account_active_set(user=cadre, active=False, changed_by=security_admin)

    cadre.refresh_from_db()
    assert not cadre.is_active
    with pytest.raises(ApplicationError):
        account_active_set(user=security_admin, active=False, changed_by=security_admin)
    security_admin.refresh_from_db()
    assert security_admin.is_active


def test_an_email_change_is_told_to_the_old_and_the_new_address(
    security_admin, cadre, django_capture_on_commit_callbacks
):
    old = cadre.email

    with django_capture_on_commit_callbacks(execute=True):
        account_email_change(user=cadre, email="new@example.org", changed_by=security_admin)

    cadre.refresh_from_db()
    assert cadre.email == "new@example.org"
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [old, "new@example.org"]
    )
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EMAIL_CHANGED)
    assert event.payload == {"from": old, "to": "new@example.org"}


def test_a_bad_email_address_is_refused_and_changes_nothing(security_admin, cadre):
    old = cadre.email

    with pytest.raises(ApplicationError, match="valid email"):
        account_email_change(user=cadre, email="not an address", changed_by=security_admin)

    cadre.refresh_from_db()
    assert cadre.email == old
