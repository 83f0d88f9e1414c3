"""Who may see an object is written once, as its selector: an object's page opens (200) for exactly the
users whose selector returns it, and does not exist (404) for everyone else; an anonymous visitor is sent
to the login page and sees nothing.

Each kind is checked in the world its permission matrix builds for the detail page
(tests/responsibility/*/test_permission_matrix_*.py), for every role of that matrix and every object of
the kind in the world.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import User
from responsibility.duties.models import DutyAssignment
from responsibility.duties.selectors import duty_assignment_list_visible_to
from responsibility.supervision.models import Finding, Inspection, InspectionPlan
from responsibility.supervision.selectors import (
    finding_list_visible_to,
    inspection_list_visible_to,
    plan_list_visible_to,
)
from responsibility.supervision.services.rectifications import finding_record
from tests.responsibility.duties.conftest import clock, duties  # noqa: F401 (fixtures)
from tests.responsibility.duties.test_permission_matrix_duties import build_world as duty_world
from tests.responsibility.inspections.conftest import (  # noqa: F401 (fixtures)
    committee_inspection,
    drawn,
    finding,
    finding_input,
    inspector_of,
    supervision,
)
from tests.responsibility.inspections.test_permission_matrix_supervision import (
    build_world as supervision_world,
)

pytestmark = pytest.mark.django_db

LOGIN = "302 login"


def _supervision_users(request, *, page: str) -> dict[str, User | None]:
    world = supervision_world(
        request.getfixturevalue("supervision"), request.getfixturevalue("finding"), page=page
    )
    return world.users


def _finding_users(request) -> dict[str, User | None]:
    users = _supervision_users(request, page="finding-detail")
    # A finding against the second committee too, so that each committee head answers for one finding
    # and not the other.
    second = Inspection.objects.get(unit=request.getfixturevalue("supervision").org.head_posts[1].unit)
    finding_record(inspection=second, data=finding_input(second), recorded_by=inspector_of(second))
    return users


def _plan_users(request) -> dict[str, User | None]:
    return _supervision_users(request, page="plan-detail")


def _inspection_users(request) -> dict[str, User | None]:
    return _supervision_users(request, page="inspection-detail")


def _duty_users(request) -> dict[str, User | None]:
    return duty_world(request.getfixturevalue("duties")).users


@dataclass(frozen=True)
class Kind:
    page: str  # the detail page's URL name
    model: type
    selector: Callable  # the rule: selector(user=...) is every object of the kind the user may see
    users: Callable  # builds the world and returns its users by role (None: anonymous)


KINDS = {
    "finding": Kind("finding-detail", Finding, finding_list_visible_to, _finding_users),
    "plan": Kind("plan-detail", InspectionPlan, plan_list_visible_to, _plan_users),
    "inspection": Kind("inspection-detail", Inspection, inspection_list_visible_to, _inspection_users),
    "duty assignment": Kind("duty-detail", DutyAssignment, duty_assignment_list_visible_to, _duty_users),
}


def _answer(response) -> int | str:
    if response.status_code == 302 and response.url.startswith(reverse("accounts:login")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_detail_page_opens_for_exactly_the_users_whose_selector_returns_the_object(client, request, kind):
    """About 3 s per kind: it builds the matrix's world (letters issued and signed, a plan drawn or the
    year's assignments generated) once and then opens every object's page as every role."""
    # given the permission matrix's world for the kind's detail page
    spec = KINDS[kind]
    users = spec.users(request)
    objects = list(spec.model.objects.order_by("pk").values_list("pk", flat=True))

    # when every role opens every object's page
    answers, expected = {}, {}
    for role, user in users.items():
        client.logout()
        if user is None:
            visible = set(spec.selector(user=AnonymousUser()).values_list("pk", flat=True))
        else:
            user = User.objects.get(pk=user.pk)  # Django caches permissions per user instance
            visible = set(spec.selector(user=user).values_list("pk", flat=True))
            client.force_login(user)
        for pk in objects:
            response = client.get(reverse(f"responsibility:{spec.page}", args=[pk]))
            answers[role, pk] = _answer(response)
            expected[role, pk] = 200 if pk in visible else (LOGIN if user is None else 404)

    # then the page opens exactly for the objects in the user's selector, and is 404 for the rest
    assert answers == expected
    # and the world tells the two apart: some pages open and some do not, for signed-in users
    assert {answer for (role, _pk), answer in expected.items() if users[role] is not None} == {200, 404}
