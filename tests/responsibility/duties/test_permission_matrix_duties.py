"""Every 一岗双责 page × every role: the answer each one gets, as a table asserted cell by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page;
- an assignment exists for its leader, for the staff of the leader's unit (and the units below it, and
  the units the leader oversees), and for the Party Group, the inspection team and the office; for
  everyone else it does not exist (404), and the page never shows it;
- the office generates, adjusts, adds and withdraws tasks and records handovers; the leader adjusts
  theirs (and adds or withdraws its tasks) while it awaits confirmation, confirms it and keeps records
  for their own task periods; the inspection team reviews records; the leader and the office issue the
  year-end report (sealed, as a new version); everyone else who can see the assignment reads it, the
  report's working draft and its sealed versions included (403 on every action);
- an action the user may take runs the real service with valid data and redirects ("302 done").
"""

import copy
import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from accounts.models import Post, User
from responsibility.duties.models import (
    DutyAssignment,
    DutyEvent,
    DutyReportDocument,
    DutyTask,
    PerformanceRecord,
    PostHandover,
    TaskOccurrence,
)
from responsibility.duties.services.assignments import RecordInput, performance_record_create
from responsibility.duties.services.reports import duty_report_issue
from tests.factories import UserFactory
from tests.responsibility.duties.conftest import NOW, Duties, first_open_occurrence, report_seal_made
from tests.responsibility.inspections.conftest import pdf_upload

pytestmark = pytest.mark.django_db


ROLES = (
    "anonymous",
    "outsider",  # a plain account
    "leader",  # the first committee's head, whose assignment every URL points at
    "deputy",  # the same committee's deputy head: staff of the leader's unit, with their own assignment
    "section_chief",  # chief of a section below the committee
    "other_head",  # head of another committee
    "inspector",  # the discipline inspection team
    "office_admin",
    "party_group",  # the Party Group secretary
)

DONE = "302 done"
LOGIN = "302 login"

# fmt: off
# Columns in ROLES order: anon, outs(ider), leader, deputy, chief (section chief), other (head),
# insp(ector), office, pg (Party Group).
TABLE = {
    # page, method                          anon    outs   leader deputy chief  other  insp   office pg
    ("duty-list", "GET"):                  (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200),
    ("duty-generate", "GET"):              (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("duty-generate", "POST"):             (LOGIN, 403,   403,   403,   403,   403,   403,   DONE,  403),
    ("duty-detail", "GET"):                (LOGIN, 404,   200,   200,   200,   404,   200,   200,   200),
    ("duty-update", "GET"):                (LOGIN, 404,   200,   403,   403,   404,   403,   200,   403),
    ("duty-update", "POST"):               (LOGIN, 404,   DONE,  403,   403,   404,   403,   DONE,  403),
    ("duty-confirm", "GET"):               (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("duty-confirm", "POST"):              (LOGIN, 404,   DONE,  403,   403,   404,   403,   403,   403),
    ("duty-task-create", "GET"):           (LOGIN, 404,   200,   403,   403,   404,   403,   200,   403),
    ("duty-task-create", "POST"):          (LOGIN, 404,   DONE,  403,   403,   404,   403,   DONE,  403),
    ("duty-task-withdraw", "GET"):         (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("duty-task-withdraw", "POST"):        (LOGIN, 404,   DONE,  403,   403,   404,   403,   DONE,  403),
    ("post-handover", "GET"):              (LOGIN, 404,   403,   403,   403,   404,   403,   200,   403),
    ("post-handover", "POST"):             (LOGIN, 404,   403,   403,   403,   404,   403,   DONE,  403),
    ("duty-report", "GET"):                (LOGIN, 404,   200,   200,   200,   404,   200,   200,   200),
    ("duty-report-issue", "GET"):          (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("duty-report-issue", "POST"):         (LOGIN, 404,   DONE,  403,   403,   404,   403,   DONE,  403),
    ("duty-report-document", "GET"):       (LOGIN, 404,   200,   200,   200,   404,   200,   200,   200),
    ("performance-record-create", "GET"):  (LOGIN, 404,   200,   403,   403,   404,   403,   403,   403),
    ("performance-record-create", "POST"): (LOGIN, 404,   DONE,  403,   403,   404,   403,   403,   403),
    ("performance-record-review", "GET"):  (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("performance-record-review", "POST"): (LOGIN, 404,   403,   403,   403,   404,   DONE,  403,   403),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}
CANNOT_SEE_THE_ASSIGNMENT = {"anonymous", "outsider", "other_head"}


@dataclass
class World:
    duties: Duties
    assignment: DutyAssignment
    record: PerformanceRecord  # a record of the leader's, awaiting review
    users: dict[str, User | None]
    new_holder: User | None = None  # who takes the leader's post over in a handover


def build_world(duties: Duties) -> World:
    assignment = duties.head_assignment
    occurrence = TaskOccurrence.objects.filter(task__assignment=assignment).order_by("due_date", "pk").first()
    record = performance_record_create(
        occurrence=occurrence,
        data=RecordInput(
            performed_on=datetime.date(2026, 3, 20), summary="听取法规处汇报。", participants=""
        ),
        recorded_by=assignment.leader,
    )
    org = duties.org
    return World(
        duties=duties,
        assignment=DutyAssignment.objects.get(pk=assignment.pk),
        record=record,
        users={
            "anonymous": None,
            "outsider": org.outsider,
            "leader": org.heads[0],
            "deputy": org.staff[0],
            "section_chief": org.staff[1],
            "other_head": org.heads[1],
            "inspector": org.inspector,
            "office_admin": org.office_admin,
            "party_group": org.secretary,
        },
    )


def _task_without_records(assignment: DutyAssignment) -> DutyTask:
    return assignment.tasks.exclude(occurrences__records__isnull=False).order_by("pk").first()


def page_url(page: str, world: World) -> str:
    assignment = world.assignment.pk
    args = {
        "duty-detail": [assignment],
        "duty-update": [assignment],
        "duty-confirm": [assignment],
        "duty-task-create": [assignment],
        "post-handover": [assignment],
        "duty-report": [assignment],
        "duty-report-issue": [assignment],
        "duty-report-document": [assignment, 1],
        "duty-task-withdraw": [_task_without_records(world.assignment).pk],
        "performance-record-create": [first_open_occurrence(world.assignment).pk],
        "performance-record-review": [world.record.pk],
    }.get(page, [])
    return reverse(f"responsibility:{page}", args=args)


def post_data(page: str, world: World) -> dict:
    """Valid input for the page, so that an allowed request reaches and passes the real service."""
    assignment = world.assignment
    data = {
        "duty-generate": {"year": "2027"},
        "duty-update": {
            "business_areas": "法制工作委员会的立法工作。",
            "integrity_duties": "抓好分管单位党风廉政建设。",
            "oversees": [str(unit.pk) for unit in assignment.oversees.all()],
            "clauses": [str(clause.pk) for clause in assignment.clauses.all()],
            "version": str(assignment.version),
        },
        "duty-confirm": {"version": str(assignment.version)},
        "duty-task-withdraw": {"reason": "任务设置有误，重复。"},
        "duty-task-create": {
            "title": "督促分管处室落实廉政制度",
            "description": "",
            "recurrence": "quarterly",
        },
        "post-handover": {"new_holder": str(world.new_holder.pk), "handed_over_on": "2026-05-10"},
        "performance-record-create": {
            "performed_on": "2026-05-12",
            "summary": "与分管处室负责人开展廉政谈话。",
            "participants": "法规处处长",
            "files": pdf_upload(),
        },
        "performance-record-review": {
            "decision": "accept",
            "reason": "",
            "version": str(world.record.version),
        },
    }
    return data.get(page, {})


def world_snapshot() -> tuple:
    """Everything a page could change, to show that a refused request changed nothing."""
    return (
        sorted(DutyAssignment.objects.values_list("pk", "leader_id", "status", "version", "business_areas")),
        sorted(DutyTask.objects.values_list("pk", "title", "withdrawn_at", "withdrawal_reason")),
        sorted(TaskOccurrence.objects.values_list("pk", "responsible_id", "done_at")),
        sorted(PerformanceRecord.objects.values_list("pk", "review_status", "version")),
        PostHandover.objects.count(),
        sorted(Post.objects.values_list("pk", "holder_id")),
        sorted(DutyEvent.objects.values_list("sequence", "kind")),
        sorted(DutyReportDocument.objects.values_list("pk", "version", "sha256")),
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


# Pages that act on an issued report: their world has version 1 of it (a real render and seal, so only
# theirs: the other cells do without).
PAGES_OF_AN_ISSUED_REPORT = {"duty-report-document"}


@pytest.fixture(scope="module")
def world_once(request, duties_once, tmp_path_factory):
    """The world of the cells (the parameter, indirect: whether the page acts on an issued report), built
    once per module in a savepoint, its evidence and reports in a folder of the module's and sealed with a
    seal made on the duties' day; pytest runs the cells of one world together, each in a savepoint."""
    folder = tmp_path_factory.mktemp("duties-matrix")
    with (
        report_seal_made(folder),
        override_settings(MEDIA_ROOT=folder / "media"),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        built = build_world(copy.deepcopy(duties_once))
        built.new_holder = UserFactory(full_name="接任主任")
        if request.param:
            duty_report_issue(assignment=built.assignment, issued_by=built.assignment.leader)
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def world(world_once, clock, db) -> World:
    """A copy of the world for the cell, on the duties' day: nothing a cell changes reaches the next one."""
    return copy.deepcopy(world_once)


@pytest.mark.parametrize(
    ("world_once", "cell"),
    [
        pytest.param(cell[0] in PAGES_OF_AN_ISSUED_REPORT, (*cell, outcome), id=" ".join(cell))
        for cell, outcome in EXPECTED.items()
    ],
    indirect=["world_once"],
    scope="module",  # the cells of one world run together (each cell's tuple is unique: no other grouping)
)
def test_page_answers_each_role_as_the_table_says(client, world, cell):
    page, method, role, expected = cell
    # given the leader's assignment with one record awaiting review, and the role's account logged in
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = world_snapshot()

    # when
    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page, world))

    # then the answer is the table's, and only an allowed action changed anything
    assert_outcome(response, expected)
    if expected == DONE:
        assert world_snapshot() != before
    else:
        assert world_snapshot() == before
    # and an assignment the user cannot see leaves no trace on the page
    if role in CANNOT_SEE_THE_ASSIGNMENT and response.get("Content-Type", "").startswith("text/html"):
        assert world.record.summary not in response.content.decode()
        assert world.assignment.business_areas not in response.content.decode()


REFUSED_POSTS = [
    pytest.param(page in PAGES_OF_AN_ISSUED_REPORT, (page, role, outcome), id=f"{page} {role}")
    for (page, method, role), outcome in EXPECTED.items()
    if method == "POST" and outcome in (403, 404)
]


@pytest.mark.parametrize(("world_once", "cell"), REFUSED_POSTS, indirect=["world_once"], scope="module")
def test_a_refused_post_is_refused_before_its_input_is_read(client, world, cell):
    page, role, expected = cell
    # given a role the table refuses, posting an empty form
    client.force_login(world.users[role])
    before = world_snapshot()

    # when
    response = client.post(page_url(page, world), {})

    # then the same 403 or 404, never a 400 asking them to correct a form they may not submit
    assert response.status_code == expected
    assert world_snapshot() == before


@pytest.mark.parametrize("world_once", [False], indirect=True, scope="module")
def test_the_old_delete_url_no_longer_exists(client, world):
    # given the office administrator, who could delete a task before
    task = _task_without_records(world.assignment)
    client.force_login(world.users["office_admin"])
    before = world_snapshot()

    # when they post to the old address
    old_url = reverse("responsibility:duty-task-withdraw", args=[task.pk]).replace("/withdraw/", "/delete/")
    response = client.post(old_url)

    # then there is no such page, it has no name any more, and nothing changed
    assert response.status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("responsibility:duty-task-delete", args=[task.pk])
    assert world_snapshot() == before
