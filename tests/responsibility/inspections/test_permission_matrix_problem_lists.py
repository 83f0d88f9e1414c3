"""Every page of the problem lists of other sources × every role, as a table asserted cell by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page;
- a list exists for the readers of the whole ledger (the inspection team, the office, the Party Group)
  and for whoever may read one of its problems (the head of its unit, its owners); everyone else gets
  404, and the page never shows its title;
- the office and the inspection team open lists, correct them and record their problems (403 for the
  others who see the list);
- a problem of such a list is read as every problem, corrected by the office and the inspection team,
  and verified by the inspection team's members who verify rectifications (there is no plan team);
- the list's 整改情况报告 (its working draft, its sealed versions) names every problem of the list: it is read
  by the readers of the whole ledger only, and is a page that does not exist (404) for anyone else; the
  office and the inspection team issue it once the list is reconciled (403 for the Party Group);
- an allowed action runs the real service with valid data and redirects ("302 done").
"""

import copy
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from responsibility.evidence.models import EvidenceFile
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    Measure,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
    Rectification,
    RectificationReportDocument,
)
from tests.conftest import organisation_make
from tests.responsibility.inspections.conftest import (
    Supervision,
    batch_input,
    pdf_upload,
    problem_measures_reported,
    supervision_make,
)
from tests.responsibility.inspections.problem_workbooks import good_rows, workbook_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def supervision_once(module_transaction) -> Supervision:
    """The organisation and its plan, made once for the module's cells."""
    return supervision_make(organisation_make())


@pytest.fixture
def supervision(supervision_once, db) -> Supervision:
    return copy.deepcopy(supervision_once)


ROLES = (
    "anonymous",
    "outsider",
    "unit_head",  # head of the problem's committee: owner of its rectification and of measure 1
    "other_head",  # head of another committee
    "staff",  # owner of measure 2 in the committee
    "inspector",  # the inspection team (verifies rectifications)
    "office_admin",
    "party_group",
)

DONE = "302 done"
LOGIN = "302 login"

# fmt: off
TABLE = {
    # page, method                       anon    outs   head   other  staff  insp   office pg
    ("batch-list", "GET"):               (LOGIN, 200,   200,   200,   200,   200,   200,   200),
    ("batch-create", "GET"):             (LOGIN, 403,   403,   403,   403,   200,   200,   403),
    ("batch-create", "POST"):            (LOGIN, 403,   403,   403,   403,   DONE,  DONE,  403),
    ("batch-detail", "GET"):             (LOGIN, 404,   200,   404,   200,   200,   200,   200),
    ("batch-update", "GET"):             (LOGIN, 404,   403,   404,   403,   200,   200,   403),
    ("batch-update", "POST"):            (LOGIN, 404,   403,   404,   403,   DONE,  DONE,  403),
    ("problem-create", "GET"):           (LOGIN, 404,   403,   404,   403,   200,   200,   403),
    ("problem-create", "POST"):          (LOGIN, 404,   403,   404,   403,   DONE,  DONE,  403),
    ("problem-import", "GET"):           (LOGIN, 404,   403,   404,   403,   200,   200,   403),
    ("problem-import", "POST"):          (LOGIN, 404,   403,   404,   403,   DONE,  DONE,  403),
    ("problem-import-template", "GET"):  (LOGIN, 404,   403,   404,   403,   200,   200,   403),
    ("batch-reconcile", "GET"):          (LOGIN, 404,   200,   404,   200,   200,   200,   200),
    ("batch-reconcile", "POST"):         (LOGIN, 404,   403,   404,   403,   DONE,  DONE,  403),
    ("problem-carry-over", "GET"):       (LOGIN, 405,   405,   405,   405,   405,   405,   405),
    ("problem-carry-over", "POST"):      (LOGIN, 404,   403,   404,   403,   DONE,  DONE,  403),
    ("finding-detail", "GET"):           (LOGIN, 404,   200,   404,   200,   200,   200,   200),
    ("finding-update", "GET"):           (LOGIN, 404,   403,   404,   403,   200,   200,   403),
    ("rectification-verify", "POST"):    (LOGIN, 404,   403,   404,   403,   DONE,  403,   403),
    ("evidence-download", "GET"):        (LOGIN, 404,   200,   404,   200,   200,   200,   200),
    ("rectification-report", "GET"):     (LOGIN, 404,   404,   404,   404,   200,   200,   200),
    ("rectification-report-issue", "POST"): (LOGIN, 404, 404,  404,   404,   DONE,  DONE,  403),
    ("rectification-report-document", "GET"): (LOGIN, 404, 404, 404,  404,   200,   200,   200),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}
CANNOT_SEE = {"anonymous", "outsider", "other_head"}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _users(supervision) -> dict:
    org = supervision.org
    return {
        "anonymous": None,
        "outsider": org.outsider,
        "unit_head": org.heads[0],
        "other_head": org.heads[1],
        "staff": org.staff[0],
        "inspector": org.inspector,
        "office_admin": org.office_admin,
        "party_group": org.secretary,
    }


def _url(page: str, problem: Finding) -> str:
    batch = problem.batch
    args = {
        "batch-detail": [batch.pk],
        "batch-update": [batch.pk],
        "batch-reconcile": [batch.pk],
        "problem-carry-over": [problem.pk],
        "problem-create": [batch.pk],
        "problem-import": [batch.pk],
        "problem-import-template": [batch.pk],
        "finding-detail": [problem.pk],
        "finding-update": [problem.pk],
        "rectification-verify": [problem.pk],
        "evidence-download": [EvidenceFile.objects.get(batch=batch).pk],
        "rectification-report": [batch.pk],
        "rectification-report-issue": [batch.pk],
        "rectification-report-document": [batch.pk, 1],
    }.get(page, [])
    return reverse(f"responsibility:{page}", args=args)


def _post_data(page: str, problem: Finding, supervision) -> dict:
    head = supervision.org.heads[0]
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    batch_fields = {
        "source": str(ProblemSource.objects.get(code=ProblemSourceCode.AUDIT).pk),
        "title": "2026年度经济责任审计发现问题",
        "year": str(timezone.localdate().year),
        "raised_on": timezone.localdate().isoformat(),
        "raised_by": "审计局",
    }
    return {
        "batch-create": batch_fields,
        "batch-update": {**batch_fields, "version": str(problem.batch.version)},
        "problem-create": {
            "unit": str(problem.unit_id),
            "title": "干部下基层调研流于形式",
            "description": "调研多、解决问题少。",
            "category": "work_style",
            "severity": "minor",
            "responsible": str(head.pk),
            "owner": str(head.pk),
            "requirement": "调研必须解决实际问题。",
            "evidence_required": "on",
            "measure-TOTAL_FORMS": "3",
            "measure-INITIAL_FORMS": "0",
            "measure-0-action": "建立调研问题清单。",
            "measure-0-owner": str(head.pk),
            "measure-0-deadline": deadline,
        },
        "problem-import": {
            "workbook": SimpleUploadedFile("问题清单.xlsx", workbook_of(_new_rows(supervision)))
        },
        "batch-reconcile": {"version": str(ProblemBatch.objects.get(pk=problem.batch_id).version)},
        "problem-carry-over": {
            f"carry{problem.pk}-reason": "涉及机构调整，需长期整改。",
            f"carry{problem.pk}-deadline": (timezone.localdate() + datetime.timedelta(days=200)).isoformat(),
            f"carry{problem.pk}-version": str(Rectification.objects.get(finding=problem).version),
        },
        "rectification-verify": {
            "verify-note": "经核实已整改。",
            "verify-version": str(Rectification.objects.get(finding=problem).version),
        },
    }.get(page, {})


def _new_rows(supervision) -> list[list]:
    """The import's good rows, the first problem renamed: the list already holds one of that title."""
    rows = good_rows(supervision)
    rows[0][2] = "基层调研成果转化不够"
    return rows


def _snapshot() -> tuple:
    return (
        sorted(ProblemBatch.objects.values_list("pk", "title", "version")),
        sorted(Finding.objects.values_list("pk", "title", "version")),
        sorted(Rectification.objects.values_list("pk", "status", "version")),
        Measure.objects.count(),
        InspectionEvent.objects.count(),
        RectificationReportDocument.objects.count(),
    )


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*cell, outcome, id=" ".join(cell)) for cell, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(client, request, supervision, page, method, role, expected):
    # given the office's list with its document and one problem of two measures (reported, when the
    # page verifies), and the role's account logged in
    from responsibility.supervision.services.measures import MeasureInput
    from responsibility.supervision.services.problems import (
        problem_batch_open,
        problem_batch_reconcile,
        problem_carry_over,
        problem_record,
    )
    from responsibility.supervision.services.reports import rectification_report_issue
    from tests.responsibility.inspections.conftest import problem_input

    office, org = supervision.org.office_admin, supervision.org
    batch = problem_batch_open(data=batch_input(files=[pdf_upload("查摆问题清单.pdf")]), opened_by=office)
    soon = timezone.localdate() + datetime.timedelta(days=30)
    problem = problem_record(
        batch=batch,
        data=problem_input(
            org.head_posts[0].unit,
            measures=[
                MeasureInput(action="制定调研计划。", owner=org.heads[0], deadline=soon),
                MeasureInput(action="形成调研报告。", owner=org.staff[0], deadline=soon),
            ],
        ),
        recorded_by=office,
    )
    if page == "rectification-verify":
        problem_measures_reported(problem)
    if page == "batch-reconcile" or page.startswith("rectification-report"):
        # its one problem carried over: the list may be reconciled
        problem_carry_over(
            finding=problem,
            reason="涉及机构调整，需长期整改。",
            deadline=soon + datetime.timedelta(days=90),
            carried_by=office,
            expected_version=None,
        )
    if page.startswith("rectification-report"):  # reconciled, and sealed by the office once
        request.getfixturevalue("seal_settings")
        request.getfixturevalue("media_root")
        problem_batch_reconcile(batch=batch, reconciled_by=office, expected_version=None)
        if page == "rectification-report-document":
            rectification_report_issue(batch=ProblemBatch.objects.get(pk=batch.pk), issued_by=office)
    problem = Finding.objects.select_related("batch").get(pk=problem.pk)
    user = _users(supervision)[role]
    if user is not None:
        client.force_login(user)
    before = _snapshot()

    # when
    url = _url(page, problem)
    response = (
        client.get(url) if method == "GET" else client.post(url, _post_data(page, problem, supervision))
    )

    # then
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert _snapshot() != before
    else:
        assert response.status_code == expected
        assert _snapshot() == before
    if role in CANNOT_SEE:
        content = response.content.decode() if not page.startswith("evidence") else ""
        assert problem.title not in content and batch.title not in content
