"""Every 述责述廉 page × every role: the answer each one gets, as a table asserted cell by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page;
- a report exists for its leader, the Party Group, the inspection team and the office, and for a named
  rater while the rating is open; for everyone else it does not exist (404);
- the office opens the round and the rating and closes it; the leader writes and submits; the inspection
  team reviews; a named rater casts their ballot (a ballot page is a 404 for anyone without a ballot);
  everyone else who can see the report reads it (403 on every action);
- an action the user may take runs the real service with valid data and redirects ("302 done").
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from accounts.models import User
from responsibility.cadres.documents import integrity_report_document_issue
from responsibility.cadres.models import (
    CadreEvent,
    IntegrityReport,
    IntegrityReportDocument,
    RatingBallot,
    RatingResult,
    ReportRound,
)
from responsibility.duties.services.assignments import duty_assignments_generate
from tests.responsibility.cadres.conftest import (
    CLOSES_ON,
    Cadres,
    accepted,
    rating_closed,
    rating_opened,
    submitted,
)
from tests.responsibility.duties import conftest as duty_setup

pytestmark = pytest.mark.django_db


# The organisation and its year's assignments, made once for the module's cells.
duties = duty_setup.duties_shared


ROLES = ("anonymous", "outsider", "leader", "rater", "other_head", "inspector", "office_admin", "party_group")
DONE = "302 done"
LOGIN = "302 login"

# fmt: off
# Columns in ROLES order: anon, outs(ider), leader, rater, other (head), insp(ector), office,
# pg (Party Group).
TABLE = {
    # page, method                            anon    outs   leader rater  other  insp   office pg
    ("report-round-list", "GET"):            (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    ("report-round-list", "POST"):           (LOGIN, 403,   403,   403,   403,   403,   DONE,  403),
    ("integrity-report-detail", "GET"):      (LOGIN, 404,   200,   200,   404,   200,   200,   200),
    ("integrity-report-save", "GET"):        (LOGIN, 405,   405,   405,   405,   405,   405,   405),
    ("integrity-report-save", "POST"):       (LOGIN, 404,   DONE,  404,   404,   403,   403,   403),
    ("integrity-report-review", "GET"):      (LOGIN, 405,   405,   405,   405,   405,   405,   405),
    ("integrity-report-review", "POST"):     (LOGIN, 404,   403,   404,   404,   DONE,  403,   403),
    ("rating-open", "GET"):                  (LOGIN, 405,   405,   405,   405,   405,   405,   405),
    ("rating-open", "POST"):                 (LOGIN, 404,   403,   404,   404,   403,   DONE,  403),
    ("rating-close", "GET"):                 (LOGIN, 405,   405,   405,   405,   405,   405,   405),
    ("rating-close", "POST"):                (LOGIN, 404,   403,   403,   404,   403,   DONE,  403),
    ("rating-ballot", "GET"):                (LOGIN, 404,   404,   200,   404,   404,   404,   404),
    ("rating-ballot", "POST"):               (LOGIN, 404,   404,   DONE,  404,   404,   404,   404),
    ("integrity-report-document-issue", "GET"):  (LOGIN, 405, 405, 405, 405, 405, 405, 405),
    ("integrity-report-document-issue", "POST"): (LOGIN, 404, 403, 404, 404, 403, DONE, 403),
    ("integrity-report-document", "GET"):        (LOGIN, 404, 200, 404, 404, 200, 200, 200),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}
# The state the head's report is in for each page.
DRAFT_PAGES = {"report-round-list", "integrity-report-save"}
SUBMITTED_PAGES = {"integrity-report-review"}
ACCEPTED_PAGES = {"rating-open"}
# Pages of a closed rating (a rater no longer reads the report); the document's has version 1 issued (a real
# render and seal: only its cells pay for it).
CLOSED_PAGES = {"integrity-report-document-issue", "integrity-report-document"}


@dataclass
class World:
    cadres: Cadres
    report: IntegrityReport
    users: dict[str, User | None]


def world_for(page: str, cadres: Cadres, request=None) -> World:
    org = cadres.duties.org
    if page in CLOSED_PAGES:
        report = rating_closed(cadres)
        request.getfixturevalue("report_seal")  # the office's issue seals a real PDF
        request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"
        if page == "integrity-report-document":
            integrity_report_document_issue(report=report, issued_by=org.office_admin)
    elif page in DRAFT_PAGES:
        report = cadres.report
    elif page in SUBMITTED_PAGES:
        report = submitted(cadres.report)
    elif page in ACCEPTED_PAGES:
        report = accepted(cadres.report, org.inspector)
    else:
        report = rating_opened(cadres)
    if page == "report-round-list":
        duty_assignments_generate(year=2027, generated_by=org.office_admin)
    rater = cadres.raters[-1]  # a staff member with no report of their own
    return World(
        cadres=cadres,
        report=IntegrityReport.objects.get(pk=report.pk),
        users={
            "anonymous": None,
            "outsider": org.outsider,
            "leader": cadres.head,
            "rater": rater,
            "other_head": org.heads[1],
            "inspector": org.inspector,
            "office_admin": org.office_admin,
            "party_group": org.secretary,
        },
    )


def page_url(page: str, world: World) -> str:
    args = [] if page == "report-round-list" else [world.report.pk]
    if page == "integrity-report-document":
        args.append(1)
    return reverse(f"responsibility:{page}", args=args)


def post_data(page: str, world: World) -> dict:
    version = str(world.report.version)
    return {
        "report-round-list": {
            "year": "2027",
            "title": "2027年度",
            "deadline": "2027-06-30",
            "min_ballots": "5",
        },
        "integrity-report-save": {
            "duties_text": "履责情况。",
            "integrity_text": "廉洁自律情况。",
            "shortcomings_text": "",
            "version": version,
            "submit": "",
        },
        "integrity-report-review": {"decision": "accept", "reason": "", "version": version},
        "rating-open": {
            "raters": [str(user.pk) for user in world.cadres.raters],
            "closes_on": CLOSES_ON.isoformat(),
            "version": version,
        },
        "rating-close": {"version": version},
        "rating-ballot": {
            "item_0": "good",
            "item_1": "good",
            "item_2": "fair",
            "item_3": "good",
            "comment": "",
        },
    }.get(page, {})


def world_snapshot() -> tuple:
    return (
        sorted(IntegrityReport.objects.values_list("pk", "status", "rating_status", "version")),
        ReportRound.objects.count(),
        sorted(RatingBallot.objects.values_list("pk", "spent")),
        sorted(RatingResult.objects.values_list("pk", "ballots")),
        CadreEvent.objects.count(),
        IntegrityReportDocument.objects.count(),
    )


def assert_outcome(response, expected) -> None:
    login = reverse("accounts:login")
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(login)
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response.url.startswith(login)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*cell, outcome, id=" ".join(cell)) for cell, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(request, client, cadres, page, method, role, expected):
    world = world_for(page, cadres, request)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = world_snapshot()

    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page, world))

    assert_outcome(response, expected)
    assert (world_snapshot() != before) == (expected == DONE)


REFUSED_POSTS = [
    pytest.param(page, role, outcome, id=f"{page} {role}")
    for (page, method, role), outcome in EXPECTED.items()
    if method == "POST" and outcome in (403, 404)
]


@pytest.mark.parametrize(("page", "role", "expected"), REFUSED_POSTS)
def test_a_refused_post_is_refused_before_its_input_is_read(request, client, cadres, page, role, expected):
    world = world_for(page, cadres, request)
    client.force_login(world.users[role])
    before = world_snapshot()

    response = client.post(page_url(page, world), {})

    assert response.status_code == expected
    assert world_snapshot() == before
