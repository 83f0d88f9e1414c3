"""Every assessment round page × every role: the answer each one gets, as a table asserted cell by cell.

The world: a round of 2026 assessing both committees. The first committee ("A", its head "head") is
self-assessing, every item answered but not submitted; the second ("B", its head "head_b") submitted.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page;
- the office, the inspection team and the Party Group see every round, score card and item; a unit head
  sees the rounds assessing their unit and their own unit's card and items; another unit's card or
  item does not exist for them (404), nor a round for someone it does not assess;
- only the office opens a round and counts the system's items again; only the unit's head self-assesses
  and submits; only the assessment team (the inspection team and the office) sets approved scores and
  completes a review; only the Party Group approves (here refused by the service: B is not reviewed, so
  the answer is the round's page again and nothing changed, "302 kept");
- an action the user may take runs the real service with valid data and redirects ("302 done").
"""

import copy
from dataclasses import dataclass

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from responsibility.assessment.models import (
    AssessmentEvent,
    AssessmentRound,
    ItemScore,
    UnitAssessment,
)
from responsibility.assessment.services.rounds import item_self_assess, unit_self_assessment_submit
from tests.conftest import Organisation, organisation_make
from tests.responsibility.assessment.conftest import (
    TEST_GRADES,
    assessment_round_make,
    assessment_users,
    card_of,
    published_make,
    score_of,
)
from tests.responsibility.duties.conftest import NOW
from tests.responsibility.inspections.conftest import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def made_once(module_transaction) -> tuple[Organisation, AssessmentRound]:
    """The organisation, a published scheme and the round opened with it (on the duties' day), both heads'
    items answered and the second committee's card submitted: made once for the module's cells."""
    org = organisation_make()
    published = published_make(org)
    with time_machine.travel(NOW, tick=False):
        assessment_round = assessment_round_make(org, published)
        card_a, card_b = (card_of(assessment_round, post.unit) for post in org.head_posts)
        _answer_every_item(card_a, org.heads[0])
        _answer_every_item(card_b, org.heads[1])
        unit_self_assessment_submit(unit_assessment=card_b, submitted_by=org.heads[1])
        return org, assessment_round


@pytest.fixture
def made(made_once, clock, db) -> tuple[Organisation, AssessmentRound]:
    return copy.deepcopy(made_once)


@pytest.fixture
def org(made) -> Organisation:
    return made[0]


@pytest.fixture
def assessment_round(made) -> AssessmentRound:
    return made[1]


ROLES = ("anonymous", "outsider", "head", "head_b", "inspector", "office_admin", "party_group")

DONE = "302 done"
KEPT = "302 kept"
LOGIN = "302 login"

# fmt: off
# Columns in ROLES order: anon, outs(ider), head (of A), head_b (of B), insp(ector), office, pg (Party Group).
TABLE = {
    # page, method                          anon    outs   head   head_b insp   office pg
    ("round-list", "GET"):                 (LOGIN, 200,   200,   200,   200,   200,   200),
    ("round-open", "GET"):                 (LOGIN, 403,   403,   403,   403,   200,   403),
    ("round-open", "POST"):                (LOGIN, 403,   403,   403,   403,   DONE,  403),
    ("round-detail", "GET"):               (LOGIN, 404,   200,   200,   200,   200,   200),
    ("round-count-status", "GET"):         (LOGIN, 404,   200,   200,   200,   200,   200),
    ("round-export", "GET"):               (LOGIN, 404,   200,   200,   200,   200,   200),
    ("round-recount", "GET"):              (LOGIN, 405,   405,   405,   405,   405,   405),
    ("round-recount", "POST"):             (LOGIN, 404,   403,   403,   403,   DONE,  403),
    ("round-approve", "GET"):              (LOGIN, 405,   405,   405,   405,   405,   405),
    ("round-approve", "POST"):             (LOGIN, 404,   403,   403,   403,   403,   KEPT),
    ("card-detail", "GET"):                (LOGIN, 404,   200,   404,   200,   200,   200),
    ("card-submit", "GET"):                (LOGIN, 405,   405,   405,   405,   405,   405),
    ("card-submit", "POST"):               (LOGIN, 404,   DONE,  404,   403,   403,   403),
    ("card-review-complete", "GET"):       (LOGIN, 405,   405,   405,   405,   405,   405),
    ("card-review-complete", "POST"):      (LOGIN, 404,   404,   403,   DONE,  DONE,  403),
    ("score-detail", "GET"):               (LOGIN, 404,   200,   404,   200,   200,   200),
    ("score-self-assess", "GET"):          (LOGIN, 405,   405,   405,   405,   405,   405),
    ("score-self-assess", "POST"):         (LOGIN, 404,   DONE,  404,   403,   403,   403),
    ("score-review", "GET"):               (LOGIN, 405,   405,   405,   405,   405,   405),
    ("score-review", "POST"):              (LOGIN, 404,   404,   403,   DONE,  DONE,  403),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}

# Pages about card A (the head's), and about card B (submitted, for the team's actions).
ABOUT_A = {"card-detail", "card-submit", "score-detail", "score-self-assess"}
ABOUT_B = {"card-review-complete", "score-review"}


@dataclass
class World:
    assessment_round: AssessmentRound
    card_a: UnitAssessment
    card_b: UnitAssessment
    users: dict[str, User | None]


def _answer_every_item(card, head) -> None:
    for number, answer in (("1.2", 1), ("1.3", 1), ("3.1", 1), ("3.2", 0)):
        item_self_assess(
            score=score_of(card, number),
            answer=answer,
            explanation="自评说明",
            files=[pdf_upload()],
            answered_by=head,
        )


@pytest.fixture
def world(org, assessment_round) -> World:
    card_a, card_b = (card_of(assessment_round, post.unit) for post in org.head_posts)
    return World(
        assessment_round=assessment_round,
        card_a=card_a,
        card_b=card_b,
        users=assessment_users(org),
    )


def page_url(page: str, world: World) -> str:
    if page in ("round-list", "round-open"):
        return reverse(f"responsibility:{page}")
    if page.startswith("round-"):
        return reverse(f"responsibility:{page}", args=[world.assessment_round.pk])
    card = world.card_a if page in ABOUT_A else world.card_b
    if page.startswith("card-"):
        return reverse(f"responsibility:{page}", args=[card.pk])
    return reverse(f"responsibility:{page}", args=[score_of(card, "1.2").pk])


def post_data(page: str, world: World) -> dict:
    if page == "round-open":
        return {
            "scheme": world.assessment_round.scheme_id,
            "year": 2025,
            "name": "2025年度考核（补）",
            "deadline": "2026-06-30",
            "objection_days": 5,
            "grade_bands": TEST_GRADES,
            "units": [world.card_a.unit_id],
        }
    if page == "score-self-assess":
        score = score_of(world.card_a, "1.2")
        return {"answer": "0", "explanation": "未研究", "version": score.version}
    if page == "score-review":
        score = score_of(world.card_b, "1.2")
        return {"answer": "0", "reason": "材料不实", "version": score.version}
    return {}


def world_snapshot() -> tuple:
    return (
        sorted(AssessmentRound.objects.values_list("pk", "status", "version")),
        sorted(UnitAssessment.objects.values_list("pk", "status", "version")),
        sorted(ItemScore.objects.values_list("pk", "version")),
        AssessmentEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*key, outcome, id=" ".join(key)) for key, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(client, world, page, method, role, expected):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = world_snapshot()

    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page, world))

    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    elif expected in (DONE, KEPT):
        assert response.status_code == 302, response.content.decode()[:2000]
    else:
        assert response.status_code == expected
    if expected == DONE:
        assert world_snapshot() != before
    else:
        assert world_snapshot() == before
    if expected == 404 and page != "round-detail":
        card = world.card_a if page in ABOUT_A else world.card_b
        assert card.unit.name not in response.content.decode()


def test_a_unit_head_sees_only_their_own_units_card_in_a_round(client, org, world):
    client.force_login(org.heads[0])
    page = client.get(
        reverse("responsibility:round-detail", args=[world.assessment_round.pk])
    ).content.decode()
    assert world.card_a.unit.name in page and world.card_b.unit.name not in page
    listing = client.get(reverse("responsibility:round-list")).content.decode()
    assert world.assessment_round.name in listing and world.card_b.unit.name not in listing


def test_evidence_of_a_self_assessment_downloads_only_for_those_who_see_the_card(client, org, world):
    evidence = score_of(world.card_a, "1.2").evidence.first()
    url = reverse("responsibility:evidence-download", args=[evidence.pk])
    for user, status in (
        (org.heads[0], 200),
        (org.inspector, 200),
        (org.secretary, 200),
        (org.heads[1], 404),
        (org.outsider, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user
