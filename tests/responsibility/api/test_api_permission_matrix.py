"""The API's permission matrix on the demo organisation: every endpoint × every role a client's account
may hold × with and without the endpoint's scope.

What a client reads is exactly what the subdomain's selector gives its account (the pages' own rule, not
a copy): the list holds those objects and no other, each of them opens, any other is a 404 as on the
pages; without the scope every endpoint is a 403, whatever the roles.
"""

import datetime

import pytest
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.security.services import role_grant_at_installation
from core import clock
from responsibility.api.models import Scope
from responsibility.api.services import api_client_create
from responsibility.assessment.models import AssessmentRound, RoundStatus
from responsibility.assessment.selectors import round_list_visible_to
from responsibility.duties.models import DutyAssignment
from responsibility.duties.selectors import duty_assignment_list_visible_to
from responsibility.letters.models.letters import Campaign, Letter
from responsibility.letters.selectors import campaign_list_visible_to, letter_list_visible_to
from responsibility.supervision.models.problems import Finding
from responsibility.supervision.selectors import finding_list_visible_to

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("api-matrix-demo")]  # one demo load per run

# The roles a client's account may hold (never an administrator duty: test_api_clients.py).
ROLES = [None, Role.PARTY_GROUP, Role.INSPECTION_TEAM, Role.INSPECTION_HEAD, Role.ORG_SYNC]

# endpoint: (scope, every object of its kind, the selector of those the account may open, sub-pages)
ENDPOINTS = {
    "letters": (
        Scope.READ_LETTERS,
        lambda: Letter.objects.all(),
        lambda user: letter_list_visible_to(user=user),
        ["pdf/"],
    ),
    "campaigns": (
        Scope.READ_LETTERS,
        lambda: Campaign.objects.all(),
        lambda user: campaign_list_visible_to(user=user),
        ["progress/"],
    ),
    "problems": (
        Scope.READ_SUPERVISION,
        lambda: Finding.objects.all(),
        lambda user: finding_list_visible_to(user=user),
        [],
    ),
    "duty-assignments": (
        Scope.READ_DUTIES,
        lambda: DutyAssignment.objects.all(),
        lambda user: duty_assignment_list_visible_to(user=user),
        [],
    ),
    "assessment-rounds": (
        Scope.READ_ASSESSMENT,
        lambda: AssessmentRound.objects.filter(status=RoundStatus.APPROVED),
        lambda user: round_list_visible_to(user=user).filter(status=RoundStatus.APPROVED),
        ["results/"],
    ),
}


def _caller(*, role, scopes) -> tuple[User, str]:
    office = User.objects.get(username="bangongshi_admin")
    client, token = api_client_create(
        code="matrix",
        name="权限矩阵",
        scopes=scopes,
        expires_on=clock.today() + datetime.timedelta(days=30),
        allowed_networks=[],
        created_by=office,
    )
    if role is not None:
        role_grant_at_installation(user=client.account, role=role)
    return User.objects.get(pk=client.account_id), token


def _ids_listed(path: str, token: str) -> list[int]:
    ids, url = [], f"{path}?page_size=200"
    while url:
        response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200, response.content
        ids += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    return ids


def test_the_demo_holds_objects_of_every_endpoint(seeded):
    for endpoint, (_scope, everything, _visible, _subpages) in ENDPOINTS.items():
        assert everything().count() >= 1, endpoint


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no-role")
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_client_reads_exactly_what_its_account_may_open(seeded, endpoint, role):
    scope, everything, visible, subpages = ENDPOINTS[endpoint]
    account, token = _caller(role=role, scopes=[scope])
    may_open = set(visible(account).values_list("pk", flat=True))
    others = set(everything().values_list("pk", flat=True)) - may_open
    if role is None:
        assert not may_open  # an account with no role reads nothing
    if role == Role.INSPECTION_TEAM:
        assert may_open  # the team reads every kind: the matrix is not empty
    path = f"/api/v1/{endpoint}/"

    # The list is exactly what the selector gives the account, each object once
    listed = _ids_listed(path, token)
    assert sorted(listed) == sorted(may_open)

    # One it may open opens (with its sub-pages); one it may not is a 404, sub-pages too
    get = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get
    if may_open:
        pk = min(may_open)
        assert get(f"{path}{pk}/").status_code == 200
        for subpage in subpages:
            response = get(f"{path}{pk}/{subpage}")
            assert response.status_code in (200, 404), subpage
            if response.status_code == 404:  # only a letter's PDF not sealed yet, and it says so
                assert response.json()["code"] == "pdf_not_ready"
    if others:
        pk = min(others)
        for url in [f"{path}{pk}/", *(f"{path}{pk}/{subpage}" for subpage in subpages)]:
            response = get(url)
            assert response.status_code == 404 and response.json()["code"] == "not_found", url


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_without_the_scope_every_page_of_an_endpoint_is_a_403(seeded, endpoint):
    scope, everything, _visible, subpages = ENDPOINTS[endpoint]
    other_scopes = [other for other in Scope.values if other != scope]
    _account, token = _caller(role=Role.INSPECTION_TEAM, scopes=other_scopes)
    pk = everything().values_list("pk", flat=True).first()
    get = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get

    for url in [
        f"/api/v1/{endpoint}/",
        f"/api/v1/{endpoint}/{pk}/",
        *(f"/api/v1/{endpoint}/{pk}/{s}" for s in subpages),
    ]:
        response = get(url)
        assert response.status_code == 403 and response.json()["code"] == "scope_missing", url
        assert scope in response.json()["detail"]


def test_no_endpoint_is_left_out_of_the_matrix():
    from responsibility.api.urls import router
    from tests.responsibility.api.test_api_problem_lists import WRITE_ENDPOINTS

    assert {prefix for prefix, _viewset, _basename in router.registry} == set(ENDPOINTS) | set(
        WRITE_ENDPOINTS
    )
