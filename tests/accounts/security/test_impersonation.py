"""What was found: the office administrator set the Party Group secretary's password on the administration
pages, signed in as the secretary and countersigned; and gave themselves the inspection team's role.
Each step now fails, for superusers too, and the security pages do not exist for them."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import Role, user_has_role
from accounts.security.models import SecurityEvent, SecurityEventKind
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("who", ["system_admin", "superuser"])
def test_no_administration_page_sets_another_persons_password(client, request, who, secretary):
    client.force_login(request.getfixturevalue(who))
    before = secretary.password

    page = client.get(f"/admin/accounts/user/{secretary.pk}/password/")
    posted = client.post(
        f"/admin/accounts/user/{secretary.pk}/password/",
        {"password1": "Forged-2026-pass", "password2": "Forged-2026-pass", "usable_password": "true"},
    )

    assert page.status_code == 404 and posted.status_code == 404
    secretary.refresh_from_db()
    assert secretary.password == before
    assert not secretary.check_password("Forged-2026-pass")


@pytest.mark.parametrize("who", ["system_admin", "superuser"])
def test_the_user_change_page_cannot_change_roles_sign_in_name_email_or_password(
    client, request, who, secretary
):
    actor = request.getfixturevalue(who)
    client.force_login(actor)
    before = (secretary.username, secretary.email, secretary.password, secretary.is_active)
    inspection = Group.objects.get(name=Role.INSPECTION_TEAM)

    for target in (secretary, actor):
        client.post(
            f"/admin/accounts/user/{target.pk}/change/",
            {
                "username": "forged",
                "full_name": target.full_name,
                "email": "attacker@example.org",
                "password": "md5$forged$0",
                "is_active": "on",
                "is_staff": "on",
                "is_superuser": "on",
                "groups": [inspection.pk],
            },
        )

    secretary.refresh_from_db()
    actor.refresh_from_db()
    assert (secretary.username, secretary.email, secretary.password, secretary.is_active) == before
    assert not user_has_role(actor, Role.INSPECTION_TEAM)
    assert not user_has_role(secretary, Role.INSPECTION_TEAM)


def test_the_change_page_shows_no_password_link(client, system_admin, secretary):
    client.force_login(system_admin)

    body = client.get(f"/admin/accounts/user/{secretary.pk}/change/").content.decode()

    assert "../password/" not in body and "password/" not in body.split("<form", 1)[1].split("</form>", 1)[0]


def test_a_person_added_on_the_administration_pages_has_no_password(client, system_admin):
    client.force_login(system_admin)

    response = client.post(
        "/admin/accounts/user/add/", {"username": "xinren", "full_name": "新人", "email": "x@example.org"}
    )

    assert response.status_code == 302
    from accounts.models import User

    assert not User.objects.get(username="xinren").has_usable_password()


@pytest.mark.parametrize("who", ["system_admin", "superuser"])
def test_roles_and_second_factors_are_not_on_the_administration_pages(client, request, who):
    client.force_login(request.getfixturevalue(who))

    for path in ("/admin/auth/group/", "/admin/otp_totp/totpdevice/add/", "/admin/axes/accessattempt/"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("who", ["system_admin", "superuser", "audit_admin", "secretary", "cadre"])
def test_the_security_administrators_pages_do_not_exist_for_anyone_else(client, request, who, secretary):
    actor = request.getfixturevalue(who)
    client.force_login(actor)

    pages = [
        client.get(reverse("accounts:security-accounts")),
        client.get(reverse("accounts:security-account", args=[secretary.pk])),
        client.post(reverse("accounts:security-role-grant", args=[actor.pk]), {"role": Role.INSPECTION_TEAM}),
        client.post(reverse("accounts:security-reset", args=[secretary.pk])),
        client.post(reverse("accounts:security-unlock", args=[secretary.pk])),
    ]

    assert [page.status_code for page in pages] == [404] * 5
    actor.refresh_from_db()
    assert not user_has_role(actor, Role.INSPECTION_TEAM)
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.RESET_STARTED).exists()


def test_a_security_administrator_cannot_grant_themselves_a_role_through_the_page(client, security_admin):
    client.force_login(security_admin)

    response = client.post(
        reverse("accounts:security-role-grant", args=[security_admin.pk]),
        {"role": Role.INSPECTION_TEAM},
        follow=True,
    )

    assert "own account" in response.content.decode()
    security_admin.refresh_from_db()
    assert not user_has_role(security_admin, Role.INSPECTION_TEAM)


def test_a_security_administrator_starting_a_reset_never_learns_a_password(
    client, security_admin, secretary, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(security_admin)
    before = secretary.password

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:security-reset", args=[secretary.pk]), follow=True)

    assert response.status_code == 200
    secretary.refresh_from_db()
    assert secretary.password == before  # unchanged until the secretary chooses one
    link_mail = [m for m in mailoutbox if "/accounts/password/reset/" in m.body]
    assert [m.to for m in link_mail] == [[secretary.email]]
    assert TEST_PASSWORD not in response.content.decode()
