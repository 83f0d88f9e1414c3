"""Every integrity talk page × every role: the answer each one gets, as a table asserted cell by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page;
- a talk exists for its two parties, the inspection team and the Party Group; for everyone else (the
  office and the talker's own colleagues included) it does not exist (404), and no page shows its record;
- talks are planned by holders of leading posts, the inspection team and the Party Group (403 for anyone
  else); the talker writes the record and cancels; only the person talked to answers (403 for the other
  readers);
- an action the user may take runs the real service with valid data and redirects ("302 done"); a leader
  with nobody in the units they work in or oversee is shown the form again with why (400).
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from accounts.models import User
from responsibility.duties.models import DutyEvent, PerformanceRecord, Talk, TalkKind
from tests.factories import TEST_PASSWORD
from tests.responsibility.duties import conftest as duty_setup
from tests.responsibility.duties.talks.conftest import TODAY, planned, recorded

pytestmark = pytest.mark.django_db


# The organisation and its year's assignments, made once for the module's cells.
duties = duty_setup.duties_shared


ROLES = (
    "anonymous",
    "outsider",  # a plain account
    "talker",  # the first committee's head, who holds the talks
    "talked_to",  # the chief of 法规处, below the committee, talked to
    "deputy",  # the same committee's deputy head: a colleague, not a party
    "other_head",  # head of another committee (a leader with nobody below them)
    "inspector",  # the discipline inspection team
    "office_admin",
    "party_group",  # the Party Group secretary
)

DONE = "302 done"
LOGIN = "302 login"

# fmt: off
# Columns in ROLES order: anon, outs(ider), talker, (talked) to, deputy, other (head), insp(ector), office,
# pg (Party Group).
TABLE = {
    # page, method               anon    outs   talker to     deputy other  insp   office pg
    ("talk-list", "GET"):       (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200),
    ("talk-plan", "GET"):       (LOGIN, 403,   200,   403,   200,   200,   200,   403,   200),
    ("talk-plan", "POST"):      (LOGIN, 403,   DONE,  403,   DONE,  400,   DONE,  403,   DONE),
    ("talk-detail", "GET"):     (LOGIN, 404,   200,   200,   404,   404,   200,   404,   200),
    ("talk-record", "GET"):     (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("talk-record", "POST"):    (LOGIN, 404,   DONE,  403,   404,   404,   403,   404,   403),
    ("talk-answer", "GET"):     (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("talk-answer", "POST"):    (LOGIN, 404,   403,   DONE,  404,   404,   403,   404,   403),
    ("talk-cancel", "GET"):     (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("talk-cancel", "POST"):    (LOGIN, 404,   DONE,  403,   404,   404,   403,   404,   403),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}
CANNOT_SEE_THE_TALK = {"anonymous", "outsider", "deputy", "other_head", "office_admin"}
POINTS = "强调严守廉洁纪律，不得插手工程项目。"


@dataclass
class World:
    planned: Talk  # planned, not yet recorded
    recorded: Talk  # recorded, awaiting the chief's answer
    users: dict[str, User | None]


@pytest.fixture
def world(duties) -> World:
    org = duties.org
    talker, chief = org.heads[0], org.staff[1]
    return World(
        planned=planned(talker, chief),
        recorded=recorded(planned(talker, chief), points=POINTS),
        users={
            "anonymous": None,
            "outsider": org.outsider,
            "talker": talker,
            "talked_to": chief,
            "deputy": org.staff[0],
            "other_head": org.heads[1],
            "inspector": org.inspector,
            "office_admin": org.office_admin,
            "party_group": org.secretary,
        },
    )


def page_url(page: str, world: World) -> str:
    talk = world.recorded if page in ("talk-answer", "talk-detail") else world.planned
    args = [] if page in ("talk-list", "talk-plan") else [talk.pk]
    return reverse(f"responsibility:{page}", args=args)


def post_data(page: str, world: World) -> dict:
    """Valid input for the page, so that an allowed request reaches and passes the real service."""
    chief = world.users["talked_to"]
    return {
        "talk-plan": {
            "kind": str(TalkKind.objects.get(name="约谈").pk),
            "talked_to": str(chief.pk),
            "planned_on": TODAY.isoformat(),
            "purpose": "",
            "occurrence": "",
        },
        "talk-record": {
            "held_on": TODAY.isoformat(),
            "place": "三楼会议室",
            "points": "谈了分管工作的廉政风险。",
            "commitments": "",
            "version": str(world.planned.version),
        },
        "talk-answer": {
            "decision": "confirm",
            "password": TEST_PASSWORD,
            "version": str(world.recorded.version),
        },
        "talk-cancel": {"reason": "对方出差。", "version": str(world.planned.version)},
    }.get(page, {})


def world_snapshot() -> tuple:
    return (
        sorted(Talk.objects.values_list("pk", "status", "version")),
        DutyEvent.objects.count(),
        PerformanceRecord.objects.count(),
    )


def assert_outcome(response, expected) -> None:
    login = reverse("accounts:login")
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(login)
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response.url.startswith(login)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*cell, outcome, id=" ".join(cell)) for cell, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(client, world, page, method, role, expected):
    # given a planned talk and a recorded one of the committee head with the chief, the role logged in
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = world_snapshot()

    # when
    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page, world))

    # then the answer is the table's, and only an allowed action changed anything
    assert_outcome(response, expected)
    assert (world_snapshot() != before) == (expected == DONE)
    # and a talk the user cannot see leaves no trace on any page they get
    if role in CANNOT_SEE_THE_TALK and response.get("Content-Type", "").startswith("text/html"):
        assert POINTS not in response.content.decode()


REFUSED_POSTS = [
    pytest.param(page, role, outcome, id=f"{page} {role}")
    for (page, method, role), outcome in EXPECTED.items()
    if method == "POST" and outcome in (403, 404)
]


@pytest.mark.parametrize(("page", "role", "expected"), REFUSED_POSTS)
def test_a_refused_post_is_refused_before_its_input_is_read(client, world, page, role, expected):
    client.force_login(world.users[role])
    before = world_snapshot()

    response = client.post(page_url(page, world), {})

    assert response.status_code == expected
    assert world_snapshot() == before


@pytest.mark.parametrize("role", ["talker", "talked_to", "inspector", "party_group"])
def test_the_talk_list_shows_a_reader_the_talks(client, world, role):
    client.force_login(world.users[role])

    page = client.get(reverse("responsibility:talk-list")).content.decode()

    assert reverse("responsibility:talk-detail", args=[world.recorded.pk]) in page


@pytest.mark.parametrize("role", sorted(CANNOT_SEE_THE_TALK - {"anonymous"}))
def test_the_talk_list_shows_nobody_else_the_talks(client, world, role):
    client.force_login(world.users[role])

    page = client.get(reverse("responsibility:talk-list")).content.decode()

    assert reverse("responsibility:talk-detail", args=[world.recorded.pk]) not in page
    assert "暂无谈话" in page
