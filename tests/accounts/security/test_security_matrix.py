"""The sign-in security pages × every role, including the three administrator duties: what each gets.

A page of another duty does not exist for the user (404); anonymous visitors go to the login page.
"""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "cadre", "party_group", "inspector", "system_admin", "security_admin", "audit_admin")
LOGIN, DONE, ADMIN = "302 login", "302 done", "302 admin login"

# fmt: off
TABLE = {
    # page, method                     anon   cadre party  insp   system security audit
    ("security-accounts", "GET"):      (LOGIN, 404,  404,   404,   404,   200,     404),
    ("security-account", "GET"):       (LOGIN, 404,  404,   404,   404,   200,     404),
    ("security-role-grant", "POST"):   (LOGIN, 404,  404,   404,   404,   DONE,    404),
    ("security-unlock", "POST"):       (LOGIN, 404,  404,   404,   404,   DONE,    404),
    ("security-reset", "POST"):        (LOGIN, 404,  404,   404,   404,   DONE,    404),
    ("security-log", "GET"):           (LOGIN, 404,  404,   404,   404,   404,     200),
    ("security-log-export", "GET"):    (LOGIN, 404,  404,   404,   404,   404,     200),
    ("security-log-verify", "POST"):   (LOGIN, 404,  404,   404,   404,   404,     DONE),
    ("admin-index", "GET"):            (ADMIN, ADMIN, ADMIN, ADMIN, 200,   ADMIN,   ADMIN),
    ("password-reset", "GET"):         (200,   200,  200,   200,   200,   200,     200),
}
# fmt: on


@pytest.fixture
def people(db) -> dict:
    accounts = {
        "cadre": UserFactory(username="m_cadre"),
        "party_group": UserFactory(username="m_party", roles=[Role.PARTY_GROUP]),
        "inspector": UserFactory(username="m_insp", roles=[Role.INSPECTION_TEAM]),
        "system_admin": UserFactory(username="m_sys", roles=[Role.OFFICE_ADMIN], is_staff=True),
        "security_admin": UserFactory(username="m_sec", roles=[Role.SECURITY_ADMIN]),
        "audit_admin": UserFactory(username="m_aud", roles=[Role.AUDIT_ADMIN]),
    }
    accounts["target"] = UserFactory(username="m_target")
    return accounts


def _request(client, page: str, method: str, target):
    if page == "admin-index":
        url = reverse("admin:index")
    elif page in ("security-account", "security-role-grant", "security-unlock", "security-reset"):
        url = reverse(f"accounts:{page}", args=[target.pk])
    else:
        url = reverse(f"accounts:{page}")
    data = {"role": Role.PARTY_GROUP} if page == "security-role-grant" else {}
    return client.post(url, data) if method == "POST" else client.get(url)


def _answer(response) -> object:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith("/admin/login/"):
        return ADMIN
    if location.startswith(reverse("accounts:login")):
        return LOGIN
    return DONE


@pytest.mark.parametrize(("page", "method"), list(TABLE))
def test_every_role_gets_its_answer(client, people, page, method):
    answers = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(people[role])
        answers.append(_answer(_request(client, page, method, people["target"])))

    assert tuple(answers) == TABLE[(page, method)]


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_security_and_audit_administrators_hold_no_permission_of_the_domain(role):
    user = UserFactory(roles=[role])

    assert user.get_all_permissions() == set()
