"""Every supervision page × every role: the answer each one gets, as a table asserted cell by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page;
- plans, draws and inspections exist only for the inspection team, the office and the Party Group
  (404 for everyone else); of those, only the plan's team members create, edit and draw (403 for the
  rest), and only the inspectors drawn for the unit record its results;
- a finding exists for the readers of the whole ledger and for the people who answer for it (the
  head of its unit, its owner and responsible person); everyone else gets 404, and the page never
  shows its reference;
- the owner (or the unit head) reports the fix, and a measure (the measure's owner too); the team, the
  owner and the unit head add and correct measures; only team members verify, send back and tick off;
- an action the user may take runs the real service with valid data and redirects ("302 done").
"""

import copy
import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from responsibility.evidence.models import EvidenceFile
from responsibility.supervision.models import (
    CheckOutcome,
    Checkpoint,
    CheckResult,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    Measure,
    Recheck,
    RecheckResult,
    Rectification,
    RectificationStatus,
    SpotCheckDraw,
)
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.plans import PlanInput, inspection_plan_create
from responsibility.supervision.services.rechecks import RecheckInput, recheck_draw
from responsibility.supervision.services.rectifications import (
    SubmissionInput,
    rectification_close,
    rectification_submit,
    rectification_verify,
)
from tests.conftest import organisation_make
from tests.responsibility.inspections.conftest import (
    Supervision,
    committee_inspection_of,
    draw_make,
    finding_make,
    inspector_of,
    pdf_upload,
    supervision_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def made_once(module_transaction) -> tuple[Supervision, Finding]:
    """The organisation, the plan, its draw and a finding, made once for the module's hundreds of cells."""
    supervision = supervision_make(organisation_make())
    inspection = committee_inspection_of(supervision, draw_make(supervision))
    return supervision, finding_make(inspection)


@pytest.fixture
def made(made_once, db) -> tuple[Supervision, Finding]:
    return copy.deepcopy(made_once)


@pytest.fixture
def supervision(made) -> Supervision:
    return made[0]


@pytest.fixture
def finding(made) -> Finding:
    return made[1]


ROLES = (
    "anonymous",
    "outsider",  # a plain account
    "unit_head",  # head of the inspected committee: owner of the finding's rectification
    "other_head",  # head of another committee
    "inspector",  # team member drawn to inspect the committee
    "team_member",  # team member not drawn for the committee
    "outside_inspector",  # in the inspection team, not on this plan's team
    "office_admin",
    "party_group",  # the Party Group secretary
)

DONE = "302 done"
LOGIN = "302 login"
BACK = "302 back"  # a GET on a form-only address: sent back to the page it belongs to

# fmt: off
# Columns in ROLES order: anon, outs(ider), head, other(_head), insp(ector), team(_member),
# o_insp (outside inspector), office, pg (Party Group).
TABLE = {
    # page, method                       anon    outs   head   other  insp   team   o_insp office pg
    ("plan-list", "GET"):                (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200),
    ("plan-create", "GET"):              (LOGIN, 403,   403,   403,   200,   200,   200,   403,   403),
    ("plan-create", "POST"):             (LOGIN, 403,   403,   403,   DONE,  DONE,  DONE,  403,   403),
    ("plan-detail", "GET"):              (LOGIN, 404,   404,   404,   200,   200,   200,   200,   200),
    ("plan-update", "GET"):              (LOGIN, 404,   404,   404,   200,   200,   403,   403,   403),
    ("plan-update", "POST"):             (LOGIN, 404,   404,   404,   DONE,  DONE,  403,   403,   403),
    ("plan-close", "GET"):               (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("plan-close", "POST"):              (LOGIN, 404,   404,   404,   DONE,  DONE,  403,   403,   403),
    ("checkpoint-create", "GET"):        (LOGIN, 404,   404,   404,   200,   200,   403,   403,   403),
    ("checkpoint-create", "POST"):       (LOGIN, 404,   404,   404,   DONE,  DONE,  403,   403,   403),
    ("checkpoint-update", "GET"):        (LOGIN, 404,   404,   404,   200,   200,   403,   403,   403),
    ("checkpoint-update", "POST"):       (LOGIN, 404,   404,   404,   DONE,  DONE,  403,   403,   403),
    ("draw-create", "GET"):              (LOGIN, 404,   404,   404,   200,   200,   403,   403,   403),
    ("draw-create", "POST"):             (LOGIN, 404,   404,   404,   DONE,  DONE,  403,   403,   403),
    ("draw-detail", "GET"):              (LOGIN, 404,   404,   404,   200,   200,   200,   200,   200),
    ("inspection-detail", "GET"):        (LOGIN, 404,   404,   404,   200,   200,   200,   200,   200),
    ("check-result-record", "GET"):      (LOGIN, 404,   404,   404,   BACK,  BACK,  BACK,  BACK,  BACK),
    ("check-result-record", "POST"):     (LOGIN, 404,   404,   404,   DONE,  403,   403,   403,   403),
    ("inspection-complete", "GET"):      (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("inspection-complete", "POST"):     (LOGIN, 404,   404,   404,   DONE,  403,   403,   403,   403),
    ("finding-create", "GET"):           (LOGIN, 404,   404,   404,   200,   200,   403,   403,   403),
    ("finding-create", "POST"):          (LOGIN, 404,   404,   404,   DONE,  DONE,  403,   403,   403),
    ("finding-detail", "GET"):           (LOGIN, 404,   200,   404,   200,   200,   200,   200,   200),
    ("finding-update", "GET"):           (LOGIN, 404,   403,   404,   200,   200,   403,   403,   403),
    ("finding-update", "POST"):          (LOGIN, 404,   403,   404,   DONE,  DONE,  403,   403,   403),
    ("rectification-submit", "GET"):     (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("rectification-submit", "POST"):    (LOGIN, 404,   DONE,  404,   403,   403,   403,   403,   403),
    ("measure-add", "GET"):              (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("measure-add", "POST"):             (LOGIN, 404,   DONE,  404,   DONE,  DONE,  403,   403,   403),
    ("measure-update", "GET"):           (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("measure-update", "POST"):          (LOGIN, 404,   DONE,  404,   DONE,  DONE,  403,   403,   403),
    ("measure-report", "GET"):           (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("measure-report", "POST"):          (LOGIN, 404,   DONE,  404,   403,   403,   403,   403,   403),
    ("rectification-verify", "GET"):     (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("rectification-verify", "POST"):    (LOGIN, 404,   403,   404,   DONE,  DONE,  403,   403,   403),
    ("rectification-send-back", "GET"):  (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("rectification-send-back", "POST"): (LOGIN, 404,   403,   404,   DONE,  DONE,  403,   403,   403),
    ("rectification-close", "GET"):      (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("rectification-close", "POST"):     (LOGIN, 404,   403,   404,   DONE,  DONE,  403,   403,   403),
    ("evidence-download", "GET"):        (LOGIN, 404,   200,   404,   200,   200,   200,   200,   200),
    # 回头看: read by the readers of the whole ledger, drawn and recorded by the team members who verify
    ("recheck-list", "GET"):             (LOGIN, 404,   404,   404,   200,   200,   200,   200,   200),
    ("recheck-create", "GET"):           (LOGIN, 403,   403,   403,   200,   200,   200,   403,   403),
    ("recheck-create", "POST"):          (LOGIN, 403,   403,   403,   DONE,  DONE,  DONE,  403,   403),
    ("recheck-detail", "GET"):           (LOGIN, 404,   404,   404,   200,   200,   200,   200,   200),
    ("recheck-result", "GET"):           (LOGIN, 405,   405,   405,   405,   405,   405,   405,   405),
    ("recheck-result", "POST"):          (LOGIN, 404,   404,   404,   DONE,  DONE,  DONE,  403,   403),
    # the ledger shows each user what they may see (nothing at all for the outsider and the other head)
    ("ledger", "GET"):                   (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200),
    ("ledger-units", "GET"):             (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200),
    ("ledger-export-xlsx", "GET"):       (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200),
    ("ledger-export-pdf", "GET"):        (LOGIN, 200,   200,   200,   200,   200,   200,   200,   200),
    ("ledger-dashboard", "GET"):         (LOGIN, 403,   403,   403,   200,   200,   200,   200,   200),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}

# The rectification's state each page acts on (open everywhere else).
RECTIFICATION_STATE_FOR_PAGE = {
    "rectification-verify": RectificationStatus.SUBMITTED,
    "rectification-send-back": RectificationStatus.SUBMITTED,
    "rectification-close": RectificationStatus.VERIFIED,
    "evidence-download": RectificationStatus.SUBMITTED,  # the owner's evidence of the fix
    # a 回头看 draws from the problems ticked off
    "recheck-list": RectificationStatus.CLOSED,
    "recheck-create": RectificationStatus.CLOSED,
    "recheck-detail": RectificationStatus.CLOSED,
    "recheck-result": RectificationStatus.CLOSED,
}
# Nothing shown to these roles may mention the finding: they cannot see it.
CANNOT_SEE_THE_FINDING = {"anonymous", "outsider", "other_head"}


@dataclass
class World:
    supervision: Supervision
    finding: Finding
    second_plan: InspectionPlan | None
    users: dict[str, User | None]
    recheck: Recheck | None = None


def build_world(supervision: Supervision, finding: Finding, *, page: str) -> World:
    rectification = finding.rectification
    state = RECTIFICATION_STATE_FOR_PAGE.get(page, RectificationStatus.OPEN)
    team = supervision.inspectors
    if state in (RectificationStatus.SUBMITTED, RectificationStatus.VERIFIED, RectificationStatus.CLOSED):
        rectification = rectification_submit(
            rectification=rectification,
            data=SubmissionInput(measures="已召开专题会议。", files=[pdf_upload()]),
            submitted_by=rectification.owner,
            expected_version=rectification.version,
        )
    if state in (RectificationStatus.VERIFIED, RectificationStatus.CLOSED):
        rectification = rectification_verify(
            rectification=rectification, verified_by=team[0], expected_version=rectification.version
        )
    if state == RectificationStatus.CLOSED:
        rectification_close(
            rectification=rectification, closed_by=team[0], expected_version=rectification.version
        )
    recheck = None
    if page in ("recheck-list", "recheck-detail", "recheck-result"):
        recheck = recheck_draw(
            data=RecheckInput(
                title="2026年度整改情况回头看",
                batches=[finding.batch],
                closed_from=None,
                closed_to=None,
                requested=1,
                public_value="20261206",
            ),
            drawn_by=team[0],
        )
    inspection = finding.inspection
    assigned = inspector_of(inspection)
    if page == "inspection-complete":  # every checkpoint needs a result first
        check_result_record(
            inspection=inspection,
            checkpoint=Checkpoint.objects.get(plan_id=finding.plan_id, number=1),
            data=ResultInput(outcome=CheckOutcome.CONFORMING, notes="", files=[pdf_upload()]),
            recorded_by=assigned,
        )
    second_plan = None
    if page == "draw-create":  # a plan not drawn yet, with the same team
        second_plan = inspection_plan_create(
            data=PlanInput(
                year=2026,
                title="2026年度专项监督检查",
                description="",
                period_start=datetime.date(2026, 6, 1),
                period_end=datetime.date(2026, 9, 30),
                scope=supervision.units,
                team=team,
            ),
            created_by=team[0],
        )
    unassigned = next(member for member in team if member.pk != assigned.pk)
    org = supervision.org
    return World(
        supervision=supervision,
        finding=Finding.objects.get(pk=finding.pk),
        second_plan=second_plan,
        recheck=recheck,
        users={
            "anonymous": None,
            "outsider": org.outsider,
            "unit_head": org.heads[0],
            "other_head": org.heads[1],
            "inspector": assigned,
            "team_member": unassigned,
            "outside_inspector": supervision.outside_inspector,
            "office_admin": org.office_admin,
            "party_group": org.secretary,
        },
    )


def page_url(page: str, world: World) -> str:
    finding = world.finding
    plan, inspection = finding.plan_id, finding.inspection_id
    args = {
        "plan-detail": [plan],
        "plan-update": [plan],
        "plan-close": [plan],
        "checkpoint-create": [plan],
        "checkpoint-update": [Checkpoint.objects.get(plan_id=plan, number=1).pk],  # no result recorded
        "draw-create": [world.second_plan.pk if world.second_plan else plan],
        "draw-detail": [SpotCheckDraw.objects.get(plan_id=plan).pk],
        "inspection-detail": [inspection],
        "check-result-record": [inspection, Checkpoint.objects.get(plan_id=plan, number=1).pk],
        "inspection-complete": [inspection],
        "finding-create": [inspection],
        "finding-detail": [finding.pk],
        "finding-update": [finding.pk],
        "rectification-submit": [finding.pk],
        "measure-add": [finding.pk],
        "measure-report": [finding.pk, 1],
        "measure-update": [finding.pk, 1],
        "rectification-verify": [finding.pk],
        "rectification-send-back": [finding.pk],
        "rectification-close": [finding.pk],
        "recheck-detail": [world.recheck.pk if world.recheck else 0],
        "recheck-result": [world.recheck.pk if world.recheck else 0, finding.pk],
        "evidence-download": [
            EvidenceFile.objects.filter(rectification__finding=finding).values_list("pk", flat=True).first()
        ],
    }.get(page, [])
    return reverse(f"responsibility:{page}", args=args)


def post_data(page: str, world: World) -> dict:
    """Valid input for the page, so that an allowed request reaches and passes the real service."""
    supervision, finding = world.supervision, world.finding
    plan = finding.plan
    rectification = finding.rectification
    measure = Measure.objects.get(finding=finding, number=1)
    head = supervision.org.heads[0]
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    plan_fields = {
        "year": "2027",
        "title": "2027年度专项监督检查",
        "description": "专项检查。",
        "period_start": "2027-03-01",
        "period_end": "2027-11-30",
        "scope": [str(unit.pk) for unit in supervision.units],
        "team": [str(member.pk) for member in supervision.inspectors],
    }
    checkpoint_fields = {
        "title": "廉政风险防控",
        "criterion": "排查廉政风险点并制定防控措施。",
        "categories": ["rules"],
        "weight": "20",
        "evidence_required": "on",
    }
    finding_terms = {
        "title": "廉政风险点排查不全面",
        "description": "未覆盖公务接待环节。",
        "severity": "minor",
        "responsible": str(head.pk),
        "owner": str(head.pk),
        "requirement": "补充排查并制定措施。",
        "deadline": deadline,
    }
    data = {
        "plan-create": plan_fields,
        "plan-update": {**plan_fields, "year": "2026", "version": str(plan.version)},
        "checkpoint-create": checkpoint_fields,
        "checkpoint-update": checkpoint_fields,
        "draw-create": {  # the first draw of a second plan (the first plan's checks have started)
            "mode": "count",
            "requested": "2",
            "inspectors_per_unit": "1",
            "public_value": "88231",
            "previous_draw": "0",
        },
        "check-result-record": {"outcome": "conforming", "notes": "会议记录齐全。", "files": pdf_upload()},
        "inspection-complete": {"summary": "检查完毕。"},
        "finding-create": {
            **finding_terms,
            "clause": str(finding.clause_id),
            "evidence_required": "on",
        },
        "finding-update": {**finding_terms, "version": str(finding.version)},
        "rectification-submit": {
            "measures": "已补充排查。",
            "files": pdf_upload(),
            "version": str(rectification.version),
        },
        "measure-add": {
            "measure-action": "修订公务接待管理办法。",
            "measure-owner": str(head.pk),
            "measure-deadline": deadline,
            "measure-version": str(rectification.version),
        },
        "measure-update": {
            f"edit{measure.pk}-action": "召开专题会议研究部署。",
            f"edit{measure.pk}-owner": str(head.pk),
            f"edit{measure.pk}-deadline": deadline,
            f"edit{measure.pk}-version": str(measure.version),
        },
        "measure-report": {
            f"measure{measure.pk}-report": "已召开专题会议。",
            f"measure{measure.pk}-files": pdf_upload(),
            f"measure{measure.pk}-version": str(measure.version),
        },
        # the three inspector's forms share the finding page, so each has its own prefix
        "rectification-verify": {
            "verify-note": "经核实已整改。",
            "verify-version": str(rectification.version),
        },
        "rectification-send-back": {
            "send_back-reason": "佐证材料不足。",
            "send_back-version": str(rectification.version),
        },
        "rectification-close": {"close-note": "销号。", "close-version": str(rectification.version)},
        "recheck-create": {
            "title": "2026年度整改情况回头看",
            "batches": [str(finding.batch_id)],
            "requested": "1",
            "public_value": "20261206",
            "last_recheck": "0",
        },
        "recheck-result": {
            f"finding{finding.pk}-outcome": "confirmed",
            f"finding{finding.pk}-reason": "已落实。",
        },
    }
    return data.get(page, {})


def world_snapshot() -> tuple:
    """Everything a page could change, to show that a refused request changed nothing."""
    return (
        sorted(InspectionPlan.objects.values_list("pk", "title", "status", "version")),
        sorted(Checkpoint.objects.values_list("pk", "title", "weight")),
        SpotCheckDraw.objects.count(),
        sorted(Inspection.objects.values_list("pk", "status")),
        sorted(CheckResult.objects.values_list("pk", "outcome", "version")),
        sorted(Finding.objects.values_list("pk", "title", "version")),
        sorted(Rectification.objects.values_list("pk", "status", "version")),
        sorted(Measure.objects.values_list("pk", "status", "version")),
        EvidenceFile.objects.count(),
        InspectionEvent.objects.count(),
        Recheck.objects.count(),
        RecheckResult.objects.count(),
    )


def assert_outcome(response, expected, url: str) -> None:
    login = reverse("accounts:login")
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(login)
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response.url.startswith(login)
    elif expected == BACK:
        assert response.status_code == 302
        assert not response.url.startswith(login)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*cell, outcome, id=" ".join(cell)) for cell, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(client, supervision, finding, page, method, role, expected):
    # given the finding's rectification in the state the page acts on, and the role's account logged in
    world = build_world(supervision, finding, page=page)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = world_snapshot()

    # when
    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page, world))

    # then the answer is the table's, and only an allowed action changed anything
    assert_outcome(response, expected, url)
    if expected == DONE:
        assert world_snapshot() != before
    else:
        assert world_snapshot() == before
    # and a finding the user cannot see leaves no trace on the page
    if role in CANNOT_SEE_THE_FINDING and not page.startswith("ledger-export"):
        assert world.finding.title not in response.content.decode()


REFUSED_POSTS = [
    pytest.param(page, role, outcome, id=f"{page} {role}")
    for (page, method, role), outcome in EXPECTED.items()
    if method == "POST" and outcome in (403, 404)
]


@pytest.mark.parametrize(("page", "role", "expected"), REFUSED_POSTS)
def test_a_refused_post_is_refused_before_its_input_is_read(
    client, supervision, finding, page, role, expected
):
    # given a role the table refuses, posting an empty form
    world = build_world(supervision, finding, page=page)
    client.force_login(world.users[role])
    before = world_snapshot()

    # when
    response = client.post(page_url(page, world), {})

    # then the same 403 or 404, never a 400 asking them to correct a form they may not submit
    assert response.status_code == expected
    assert world_snapshot() == before
