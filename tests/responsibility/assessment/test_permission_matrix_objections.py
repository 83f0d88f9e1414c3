"""Every objection page × every role, before the approval (once the units are reviewed) and after it.

Each page's world (the round reviewed, or approved; an objection lodged; for a sealed result's page, that
result issued: a real render and seal) is built once per module in a savepoint, on the duties' day with a
seal made on it; each cell runs in a savepoint of its own on top of it, with a copy of it.
"""

import copy
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from responsibility.assessment.models import (
    AssessmentResultDocument,
    AssessmentRound,
    AssessmentRoundResultDocument,
    Objection,
    UnitAssessment,
)
from responsibility.assessment.services.objections import objection_lodge
from responsibility.assessment.services.results import assessment_result_issue, round_result_issue
from responsibility.assessment.services.rounds import round_approve
from tests.conftest import Organisation, organisation_make
from tests.responsibility.assessment.conftest import (
    assessment_round_make,
    assessment_users,
    card_of,
    published_make,
    review_all,
    score_of,
)
from tests.responsibility.duties.conftest import NOW, report_seal_made

pytestmark = pytest.mark.django_db

# fmt: off
# Columns: anon, outs(ider), head (of the card), head_b (of the other unit), insp(ector), office, pg.
ROLES = ("anonymous", "outsider", "head", "head_b", "inspector", "office_admin", "party_group")
TABLE = {
    # page, method                          anon          outs  head   head_b insp   office pg
    ("score-object", "GET"):               ("302 login", 405,  405,   405,   405,   405,   405),
    ("score-object", "POST"):              ("302 login", 404,  "302 done", 404, 403, 403,  403),
    ("objection-answer", "GET"):           ("302 login", 405,  405,   405,   405,   405,   405),
    ("objection-answer", "POST"):          ("302 login", 404,  403,   404,   "302 done", "302 done", 403),
    ("card-result-issue", "GET"):          ("302 login", 405,  405,   405,   405,   405,   405),
    ("card-result-issue", "POST"):         ("302 login", 404,  403,   404,   403,   "302 done", 403),
    ("card-result-document", "GET"):       ("302 login", 404,  200,   404,   200,   200,   200),
    ("round-result-issue", "GET"):         ("302 login", 405,  405,   405,   405,   405,   405),
    ("round-result-issue", "POST"):        ("302 login", 404,  403,   403,   403,   "302 done", 403),
    ("round-result-document", "GET"):      ("302 login", 404,  404,   404,   200,   200,   200),
}
# fmt: on

# The objection pages answer the same before the approval, once the units are reviewed (反馈).
OBJECTION_PAGES = ("score-object", "objection-answer")


@dataclass
class World:
    org: Organisation
    assessment_round: AssessmentRound
    card: UnitAssessment  # the first committee's
    lodged: Objection  # its head's objection to item 1.2
    users: dict[str, User | None]


@pytest.fixture(scope="module")
def made_once(module_transaction, tmp_path_factory):
    """The organisation and a published scheme, with a seal made on the duties' day in the settings
    (report_seal's, once for the module's cells)."""
    with report_seal_made(tmp_path_factory.mktemp("seal")):
        org = organisation_make()
        yield org, published_make(org)


def build_world(org: Organisation, published, *, stage: str, page: str) -> World:
    """On the duties' day: the round with both units reviewed (approved, for the stage "approved"), the
    first head's objection lodged, and the sealed result the page shows issued."""
    with time_machine.travel(NOW, tick=False):
        assessment_round = assessment_round_make(org, published)
        review_all(assessment_round, org)
        if stage == "approved":
            assessment_round = round_approve(assessment_round=assessment_round, approved_by=org.secretary)
        card = card_of(assessment_round, org.head_posts[0].unit)
        lodged = objection_lodge(score=score_of(card, "1.2"), text="异议", lodged_by=org.heads[0])
        if page == "round-result-document":
            round_result_issue(assessment_round=assessment_round, issued_by=org.office_admin)
        if page == "card-result-document":
            assessment_result_issue(unit_assessment=card, issued_by=org.office_admin)
    return World(
        org=org,
        assessment_round=assessment_round,
        card=card,
        lodged=lodged,
        users=assessment_users(org),
    )


@pytest.fixture(scope="module")
def world_once(request, made_once):
    """The world of one (stage, page) (the cell's parameter, indirect), built once per module in a
    savepoint: pytest runs the cells of one world together, each in a savepoint of its own."""
    org, published = copy.deepcopy(made_once)
    stage, page = request.param
    with transaction.atomic():
        yield build_world(org, published, stage=stage, page=page)
        transaction.set_rollback(True)


@pytest.fixture
def world(world_once, clock, db) -> World:
    """A copy of the world for the cell, on the duties' day: nothing a cell changes reaches the next one."""
    return copy.deepcopy(world_once)


def request_of(page: str, world: World) -> tuple[str, dict]:
    card, assessment_round = world.card, world.assessment_round
    if page == "score-object":
        return reverse("responsibility:score-object", args=[score_of(card, "1.3").pk]), {"text": "异议"}
    if page == "card-result-issue":
        return reverse("responsibility:card-result-issue", args=[card.pk]), {}
    if page == "round-result-issue":
        return reverse("responsibility:round-result-issue", args=[assessment_round.pk]), {}
    if page == "round-result-document":
        return reverse("responsibility:round-result-document", args=[assessment_round.pk, 1]), {}
    if page == "card-result-document":
        return reverse("responsibility:card-result-document", args=[card.pk, 1]), {}
    data = {"decision": "reject", "reply": "维持", "version": world.lodged.version}
    return reverse("responsibility:objection-answer", args=[world.lodged.pk]), data


def world_snapshot() -> tuple:
    return (
        sorted(Objection.objects.values_list("pk", "status", "version")),
        AssessmentResultDocument.objects.count(),
        AssessmentRoundResultDocument.objects.count(),
    )


@pytest.mark.parametrize(
    ("world_once", "cell"),
    [
        pytest.param(
            (stage, page), (stage, page, method, role, outcome), id=f"{stage} {page} {method} {role}"
        )
        for stage in ("approved", "reviewed")
        for (page, method), row in TABLE.items()
        if stage == "approved" or page in OBJECTION_PAGES
        for role, outcome in zip(ROLES, row, strict=True)
    ],
    indirect=["world_once"],
    scope="module",  # the cells of one world run together (each cell's tuple is unique: no other grouping)
)
def test_objection_pages_answer_each_role_as_the_table_says(client, world, cell):
    """A sealed result's page serves the result its world issued (one real render and seal a world)."""
    _stage, page, method, role, expected = cell
    if world.users[role] is not None:
        client.force_login(world.users[role])
    url, data = request_of(page, world)
    before = world_snapshot()

    response = client.get(url) if method == "GET" else client.post(url, data)

    after = world_snapshot()
    if expected == "302 login":
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    elif expected == "302 done":
        assert response.status_code == 302 and after != before
    else:
        assert response.status_code == expected
    if expected != "302 done":
        assert after == before
