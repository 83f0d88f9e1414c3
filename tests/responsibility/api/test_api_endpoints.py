"""What each endpoint answers: the same facts the pages show, filters checked, pages by signed cursor, a
fixed number of queries whatever the number of rows, the sealed PDF's stored bytes."""

import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from core import clock as site_clock
from responsibility.letters.selectors import campaign_progress_figures, letter_list_visible_to
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_sign
from tests.conftest import attestation_for
from tests.factories import PostFactory
from tests.responsibility.assessment.conftest import assessment_round, counted, published  # noqa: F401
from tests.responsibility.assessment.test_objections import approved_round  # noqa: F401
from tests.responsibility.duties.conftest import clock, duties  # noqa: F401
from tests.responsibility.inspections.conftest import list_problem, problem_list, supervision  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_caller):
    """A client whose account holds the inspection team's role: it reads every letter, problem, duty."""
    return make_caller(roles=[Role.INSPECTION_TEAM])


def _queries(caller, path: str, **params) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = caller.get(path, **params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


# --- Letters -----------------------------------------------------------------------------------------


def test_a_letter_reads_as_its_page_shows_it(team, signed_letter):
    body = team.get(f"/api/v1/letters/{signed_letter.pk}/").json()

    assert body["reference"] == signed_letter.reference and body["status"] == "signed"
    assert body["status_label"] == "已签署" and body["signer"]["name"] == signed_letter.signer.get_full_name()
    assert body["content_sha256"] == signed_letter.content_hash
    assert [(s["role"], s["signed_by"]["id"]) for s in body["signatures"]] == [
        ("signer", signed_letter.signer_id)
    ]
    assert body["document"] is None  # made from countersigning on


def test_the_list_filters_as_the_letter_list_does_and_refuses_a_bad_filter(
    team, org, signed_letter, issued_letters
):
    def ids(**params):
        return sorted(row["id"] for row in team.get("/api/v1/letters/", **params).json()["results"])

    assert ids() == sorted(letter.pk for letter in issued_letters)
    assert ids(status="signed") == [signed_letter.pk]
    assert ids(unit=signed_letter.signer_unit_id) == [signed_letter.pk]
    assert ids(q=signed_letter.signer.full_name) == [signed_letter.pk]
    assert ids(campaign=org.campaign.pk + 1000) == []

    response = team.get("/api/v1/letters/", status="lost", campaign="x")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == {"status", "campaign"}
    assert (
        "不是合法选项" in body["fields"]["status"][0] and body["detail"] == "请求有误，请查看各字段的说明。"
    )


def test_pages_follow_a_signed_cursor_and_a_changed_cursor_is_refused(team, issued_letters):
    first = team.get("/api/v1/letters/", page_size=1).json()
    assert len(first["results"]) == 1 and first["previous"] is None
    second = team.get(first["next"]).json()
    assert [row["id"] for row in first["results"] + second["results"]] == sorted(
        letter.pk for letter in issued_letters
    )
    assert second["next"] is None

    cursor = first["next"].split("cursor=")[1]
    for tampered in (cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"), "bz0xJnA9OTk5", "%%%"):
        response = team.get("/api/v1/letters/", cursor=tampered)
        assert response.status_code == 400 and response.json()["code"] == "cursor_invalid", tampered
        assert "分页游标无效" in response.json()["detail"]
    for size in ("0", "201", "many"):
        response = team.get("/api/v1/letters/", page_size=size)
        assert response.status_code == 400 and list(response.json()["fields"]) == ["page_size"]


def test_a_list_costs_the_same_queries_for_two_letters_or_eight(team, org):
    campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=org.secretary_post,
        signer_posts=org.head_posts,
        issued_by=org.office_admin,
    )
    few, body = _queries(team, "/api/v1/letters/")
    assert len(body["results"]) == 2
    posts = [PostFactory(unit=org.head_posts[0].unit, title=f"干部{i}") for i in range(6)]
    for letter in campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued[:3]:
        letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))

    many, body = _queries(team, "/api/v1/letters/")

    assert len(body["results"]) == 8 and many == few


def test_the_sealed_pdf_is_the_stored_bytes_and_before_it_a_404_says_why(team, archived, issued_letters):
    document, pdf = archived
    response = team.get(f"/api/v1/letters/{document.letter_id}/pdf/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert (
        content == pdf
        and hashlib.sha256(content).hexdigest() == response["X-Content-SHA256"] == document.sha256
    )
    detail = team.get(f"/api/v1/letters/{document.letter_id}/").json()["document"]
    assert detail["status"] == "ready" and detail["pdf"].endswith(
        f"/api/v1/letters/{document.letter_id}/pdf/"
    )
    assert detail["verification_code"] == document.verification_code

    response = team.get(f"/api/v1/letters/{issued_letters[1].pk}/pdf/")
    assert response.status_code == 404 and response.json()["code"] == "pdf_not_ready"


def test_campaign_progress_is_the_campaign_pages_figures(team, org, signed_letter, issued_letters):
    body = team.get(f"/api/v1/campaigns/{org.campaign.pk}/progress/").json()
    account = team.client.account
    figures = campaign_progress_figures(user=account, campaign=org.campaign, today=site_clock.today())

    assert [(row["unit_name"], row["signed"], row["waiting"]) for row in body] == [
        (figure.unit_name, figure.signed, figure.waiting) for figure in figures
    ]
    assert sum(row["signed"] for row in body) == 1 and sum(row["total"] for row in body) == 2
    assert letter_list_visible_to(user=account).count() == 2


# --- Problems, duties, assessment ---------------------------------------------------------------------


def test_a_problem_reads_with_its_measures_and_rectification(team, list_problem):  # noqa: F811
    listed = team.get("/api/v1/problems/").json()["results"]
    assert [row["id"] for row in listed] == [list_problem.pk]
    assert "measures" not in listed[0]

    body = team.get(f"/api/v1/problems/{list_problem.pk}/").json()
    assert body["title"] == list_problem.title and body["batch"]["title"] == list_problem.batch.title
    assert [measure["number"] for measure in body["measures"]] == [1, 2]
    assert {measure["status"] for measure in body["measures"]} == {"open"}
    rectification = list_problem.rectification
    assert body["rectification"]["status"] == rectification.status
    assert body["rectification"]["deadline"] == rectification.deadline.isoformat()
    assert body["rectification"]["light"] in {"green", "yellow", "red"}

    assert team.get("/api/v1/problems/", status="closed").json()["results"] == []
    assert team.get("/api/v1/problems/", status="shut").status_code == 400


def test_duty_assignments_carry_the_duty_lists_counts(team, duties):  # noqa: F811
    rows = {row["id"]: row for row in team.get("/api/v1/duty-assignments/", page_size=200).json()["results"]}

    assert set(rows) == {assignment.pk for assignment in duties.assignments}
    head = rows[duties.head_assignment.pk]
    assert head["leader"]["id"] == duties.head_assignment.leader_id
    assert head["periods_total"] > 0 and head["periods_done"] == 0
    assert head["periods_total"] >= head["periods_due"] >= head["periods_overdue"] >= 0
    assert team.get("/api/v1/duty-assignments/", year=2025).json()["results"] == []


def test_published_results_give_each_units_final_points_and_grade(team, approved_round):  # noqa: F811
    rounds = team.get("/api/v1/assessment-rounds/").json()["results"]
    assert [r["id"] for r in rounds] == [approved_round.pk]
    assert rounds[0]["grades"][0] == {"name": "好", "lowest": "40.00"}

    results = team.get(f"/api/v1/assessment-rounds/{approved_round.pk}/results/").json()["results"]

    assert [(row["points"], row["grade"]) for row in results] == [("41.00", "好"), ("41.00", "好")]
    assert Decimal(results[0]["points"]) == Decimal(41)


def test_an_open_round_is_not_published(team, assessment_round):  # noqa: F811
    assert team.get("/api/v1/assessment-rounds/").json()["results"] == []
    response = team.get(f"/api/v1/assessment-rounds/{assessment_round.pk}/results/")
    assert response.status_code == 404


def test_a_parameter_the_endpoint_does_not_take_is_named_and_refused(team, issued_letters):
    response = team.get("/api/v1/letters/", stauts="signed")  # misspelt: never silently ignored
    assert response.status_code == 400
    assert response.json()["fields"] == {"stauts": ["该接口没有这个参数。"]}

    assert team.get(f"/api/v1/letters/{issued_letters[0].pk}/", status="signed").status_code == 400
    assert team.get("/api/v1/letters/?status=signed&status=issued").json()["fields"] == {
        "status": ["该参数只能出现一次。"]
    }
    assert team.get("/api/v1/letters/", status="").json()["fields"] == {
        "status": ["请填写参数值，或去掉该参数。"]
    }
    assert team.get("/api/v1/letters/", cursor="").status_code == 200  # an empty cursor: the first page


def test_an_address_under_the_api_that_names_no_endpoint_is_a_404_in_the_apis_shape(team):
    for path in ("/api/v1/nothing/", "/api/v1/letters/abc/", "/api/v1/letters/1/nothing/"):
        response = team.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found", path
