"""Opening a problem list with its problems through the API (scope write:supervision): recorded as the
pages record it, by the client's own account, all or nothing; every refusal names its place and changes
nothing."""

import datetime
import json

import pytest
from django.test import Client

from accounts.models import PostKind
from accounts.roles import Role
from core import clock
from responsibility.api.models import Scope
from responsibility.supervision.models import Finding, InspectionEvent, Measure, ProblemBatch

pytestmark = pytest.mark.django_db

URL = "/api/v1/problem-lists/"
# The API's writing endpoints and their scopes (the reading ones: test_api_permission_matrix.py; the
# organisation's import: test_api_org_import.py).
WRITE_ENDPOINTS = {"problem-lists": Scope.WRITE_SUPERVISION, "org-imports": Scope.WRITE_ORG}


def _post(caller, body, *, query: str = ""):
    return Client().post(
        URL + query,
        data=json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {caller.token}",
    )


def _problem(unit, *, title="调查研究不够深入", deadline_days=30, owner=None):
    head = unit.posts.get(kind=PostKind.UNIT_HEAD).holder
    return {
        "unit": unit.code,
        "title": title,
        "description": "班子成员到基层调研次数偏少。",
        "category": "work_style",
        "severity": "moderate",
        "responsible": head.username,
        "owner": head.username,
        "requirement": "建立基层联系点制度。",
        "measures": [
            {
                "action": "制定调研计划。",
                "deadline": (clock.today() + datetime.timedelta(days=deadline_days)).isoformat(),
                "owner": owner or head.username,
            }
        ],
    }


def _list(org, **overrides):
    units = [post.unit for post in org.head_posts]
    body = {
        "source": "audit",
        "title": "2026年度经济责任审计发现问题",
        "year": clock.today().year,
        "raised_on": (clock.today() - datetime.timedelta(days=3)).isoformat(),
        "raised_by": "市审计局",
        "problems": [_problem(units[0]), _problem(units[1], title="公务接待超标准")],
    }
    body.update(overrides)
    return body


def _nothing_made() -> bool:
    return not ProblemBatch.objects.exists() and not Finding.objects.exists()


@pytest.fixture
def team_writer(make_caller):
    """The audit office's system: it may open lists, as the inspection team does on the pages."""
    return make_caller(roles=[Role.INSPECTION_TEAM], scopes=[Scope.READ_SUPERVISION, Scope.WRITE_SUPERVISION])


def test_a_list_is_opened_with_its_problems_by_the_clients_account(org, team_writer):
    response = _post(team_writer, _list(org))

    assert response.status_code == 201, response.content
    body = response.json()
    batch = ProblemBatch.objects.get()
    assert body["id"] == batch.pk and body["source"] == "audit" and body["raised_by"] == "市审计局"
    assert response["Location"] == f"/api/v1/problems/?batch={batch.pk}"
    problems = list(Finding.objects.filter(batch=batch).order_by("number"))
    assert body["problems"] == [problem.pk for problem in problems]
    assert [p.title for p in problems] == ["调查研究不够深入", "公务接待超标准"]
    assert problems[0].severity == "moderate" and Measure.objects.filter(finding__batch=batch).count() == 2
    # the client's own account acted: never a person
    assert batch.created_by == team_writer.client.account and problems[0].created_by.is_machine
    assert InspectionEvent.objects.filter(actor=team_writer.client.account).exists()
    # and the list reads back through the API like any other
    listed = team_writer.get("/api/v1/problems/", batch=batch.pk).json()["results"]
    assert [row["id"] for row in listed] == body["problems"]


def test_without_the_scope_or_the_role_nothing_is_opened(org, make_caller):
    reader = make_caller(roles=[Role.INSPECTION_TEAM], scopes=[Scope.READ_SUPERVISION])
    roleless = make_caller(scopes=[Scope.WRITE_SUPERVISION])

    refused = _post(reader, _list(org))
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
    refused = _post(roleless, _list(org))
    assert refused.status_code == 403 and "办公室或纪检监察组" in refused.json()["detail"]
    assert _nothing_made()


def test_unknown_units_and_people_are_named_by_their_place_and_nothing_is_made(org, team_writer):
    body = _list(org)
    body["problems"][0]["unit"] = "no-such-unit"
    body["problems"][1]["measures"][0]["owner"] = "nobody"
    body["problems"][1]["responsible"] = team_writer.client.account.username  # a machine answers for nothing

    response = _post(team_writer, body)

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "没有代码为“no-such-unit”的在用单位" in fields["problems[0].unit"][0]
    assert "nobody" in fields["problems[1].measures[0].owner"][0]
    assert set(fields) == {"problems[0].unit", "problems[1].measures[0].owner", "problems[1].responsible"}
    assert _nothing_made()


def test_a_problem_the_rules_refuse_rolls_back_the_whole_list(org, team_writer):
    units = [post.unit for post in org.head_posts]
    body = _list(org, problems=[_problem(units[0]), _problem(units[1], title="过期", deadline_days=-5)])

    response = _post(team_writer, body)

    assert response.status_code == 400, response.content
    fields = response.json()["fields"]
    assert list(fields) == ["problems[1]"] and "时限" in fields["problems[1]"][0]
    assert _nothing_made()  # the list and its first problem too


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "nowhere"}, "source"),
        # text no code can be: a NUL character (PostgreSQL refuses it with an error), or too long
        ({"source": "au\x00dit"}, "source"),
        ({"source": "a" * 33}, "source"),
        ({"problems": [{"unit": "\x00"}]}, "problems[0].unit"),
        ({"problems": []}, "problems"),
        ({"year": "二〇二六"}, "year"),
        ({"raised_on": "2026-02-30"}, "raised_on"),
    ],
)
def test_a_malformed_list_is_refused_field_by_field(org, team_writer, change, field):
    response = _post(team_writer, _list(org, **change))

    assert response.status_code == 400 and field in response.json()["fields"]
    assert _nothing_made()


def test_a_body_that_is_not_json_a_parameter_or_a_second_post_is_refused(org, team_writer):
    assert _post(team_writer, "{not json").status_code == 400
    refused = _post(team_writer, _list(org), query="?dry_run=1")
    assert refused.status_code == 400 and "dry_run" in refused.json()["fields"]
    assert _nothing_made()
    assert _post(team_writer, _list(org)).status_code == 201
    again = _post(team_writer, _list(org))  # the same list sent twice (a retry after a timeout)
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    assert ProblemBatch.objects.count() == 1 and Finding.objects.count() == 2
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {team_writer.token}").status_code == 405


@pytest.mark.parametrize("scoped", [True, False], ids=["with the scope", "without it"])
@pytest.mark.parametrize("role", [None, Role.PARTY_GROUP, Role.INSPECTION_TEAM, Role.INSPECTION_HEAD])
def test_only_the_scope_and_a_role_that_opens_lists_on_the_pages_open_one(org, make_caller, role, scoped):
    scopes = [Scope.WRITE_SUPERVISION] if scoped else [Scope.READ_SUPERVISION]
    caller = make_caller(roles=[role] if role else [], scopes=scopes)

    response = _post(caller, _list(org))

    opens = scoped and role == Role.INSPECTION_TEAM
    assert response.status_code == (201 if opens else 403), response.content
    assert ProblemBatch.objects.exists() == opens
