"""Supervision setup: the organisation with signed letters, a two-inspector team, a plan and a draw."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.models import OrgUnit, OrgUnitKind, PostKind, User
from accounts.roles import Role
from responsibility.letters.models.letters import ClauseCategory, LetterClause
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_sign
from responsibility.supervision.models import (
    CheckOutcome,
    DrawMode,
    Finding,
    Inspection,
    InspectionPlan,
    Rectification,
    SpotCheckDraw,
)
from responsibility.supervision.services.draws import DrawInput, spot_check_draw
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.plans import (
    CheckpointInput,
    PlanInput,
    checkpoint_create,
    inspection_plan_create,
)
from responsibility.supervision.services.rectifications import (
    FindingInput,
    SubmissionInput,
    finding_record,
    rectification_close,
    rectification_submit,
    rectification_verify,
)
from tests.conftest import Organisation, attestation_for
from tests.factories import OrgUnitFactory, PostFactory, UserFactory


@dataclass
class Supervision:
    org: Organisation
    plan: InspectionPlan
    inspectors: list[User]  # the plan's team (both in the inspection team role)
    outside_inspector: User  # in the inspection team role, not on this plan's team
    units: list[OrgUnit]  # the plan's scope: both committees with signed letters, plus three more
    heads: dict[int, User]  # unit id → its head


@pytest.fixture
def supervision(org) -> Supervision:
    return supervision_make(org)


def supervision_make(org: Organisation) -> Supervision:
    """Both committee heads signed their letters; a 2026 plan over five units, two checkpoints."""
    for letter in campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=org.secretary_post,
        signer_posts=org.head_posts,
        issued_by=org.office_admin,
    ).issued:
        letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    committees = [post.unit for post in org.head_posts]
    extra = [OrgUnitFactory(name=name) for name in ("教育科学文化卫生委员会", "农业与农村委员会")]
    extra.append(OrgUnitFactory(name="办公室", kind=OrgUnitKind.PARTY_COMMITTEE))
    heads = {post.unit_id: post.holder for post in org.head_posts}
    for unit in extra:
        heads[unit.pk] = PostFactory(unit=unit, title="主任", kind=PostKind.UNIT_HEAD).holder
    second = UserFactory(full_name="钱纪检", roles=[Role.INSPECTION_TEAM])
    inspectors = [org.inspector, second]
    plan = inspection_plan_create(
        data=PlanInput(
            year=2026,
            title="2026年度党风廉政建设责任制监督检查",
            description="对各委办室落实责任书情况开展监督检查。",
            period_start=datetime.date(2026, 3, 1),
            period_end=datetime.date(2026, 12, 31),
            scope=committees + extra,
            team=inspectors,
        ),
        created_by=org.inspector,
    )
    checkpoint_create(
        plan=plan,
        data=CheckpointInput(
            title="主体责任落实",
            criterion="研究部署党风廉政建设工作，有会议记录。",
            categories=[ClauseCategory.PRINCIPAL, ClauseCategory.POLITICAL],
            weight=60,
            evidence_required=True,
        ),
        created_by=org.inspector,
    )
    checkpoint_create(
        plan=plan,
        data=CheckpointInput(
            title="作风建设",
            criterion="落实中央八项规定精神。",
            categories=[ClauseCategory.WORK_STYLE, ClauseCategory.SELF_DISCIPLINE],
            weight=40,
            evidence_required=False,
        ),
        created_by=org.inspector,
    )
    return Supervision(
        org=org,
        plan=plan,
        inspectors=inspectors,
        outside_inspector=UserFactory(full_name="孙纪检", roles=[Role.INSPECTION_TEAM]),
        units=committees + extra,
        heads=heads,
    )


def draw_input(**overrides) -> DrawInput:
    values = {
        "mode": DrawMode.COUNT,
        "requested": 2,
        "by_unit_kind": False,
        "inspectors_per_unit": 1,
        "public_value": "20260315",
        "reason": "",
    }
    values.update(overrides)
    return DrawInput(**values)


@pytest.fixture
def drawn(supervision) -> SpotCheckDraw:
    return draw_make(supervision)


def draw_make(supervision: Supervision) -> SpotCheckDraw:
    """All five units drawn, one inspector each (so the first committee is certainly among them)."""
    return spot_check_draw(
        plan=supervision.plan, data=draw_input(requested=5), drawn_by=supervision.inspectors[0]
    )


@pytest.fixture
def committee_inspection(supervision, drawn) -> Inspection:
    return committee_inspection_of(supervision, drawn)


def committee_inspection_of(supervision: Supervision, draw: SpotCheckDraw) -> Inspection:
    """The inspection of the first committee (法制工作委员会), whose head signed a letter."""
    return Inspection.objects.get(draw=draw, unit=supervision.org.head_posts[0].unit)


def inspector_of(inspection: Inspection) -> User:
    return inspection.inspectors.order_by("pk").first()


def pdf_upload(name: str = "会议记录.pdf", content: bytes = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def finding_input(inspection: Inspection, **overrides) -> FindingInput:
    """A valid finding against the unit: its head answers for it, the first signed clause breached."""
    head = inspection.unit.posts.get(kind=PostKind.UNIT_HEAD).holder
    clause = LetterClause.objects.filter(letter__signer_unit=inspection.unit).order_by("number").first()
    values = {
        "title": "党组会议未专题研究党风廉政建设",
        "description": "2026年上半年未召开专题会议。",
        "severity": "moderate",
        "clause": clause,
        "category": clause.category if clause else ClauseCategory.PRINCIPAL,
        "responsible": head,
        "owner": head,
        "requirement": "召开专题会议研究部署，形成会议纪要。",
        "deadline": timezone.localdate() + datetime.timedelta(days=30),
        "evidence_required": True,
    }
    values.update(overrides)
    return FindingInput(**values)


@pytest.fixture
def finding(committee_inspection) -> Finding:
    return finding_make(committee_inspection)


def finding_make(committee_inspection: Inspection) -> Finding:
    """A finding of the inspection's second checkpoint (non-conforming), its unit head to rectify it."""
    inspector = inspector_of(committee_inspection)
    checkpoint = committee_inspection.plan.checkpoints.get(number=2)
    result = check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint,
        data=ResultInput(outcome=CheckOutcome.NONCONFORMING, notes="公务接待超标准。"),
        recorded_by=inspector,
    )
    return finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, check_result=result),
        recorded_by=inspector,
    )


def finding_ticked_off(finding: Finding, *, by) -> None:
    """The finding's rectification reported by its owner, verified and ticked off (销号) by `by`."""
    rectification = Rectification.objects.select_related("finding").get(finding=finding)
    rectification = rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="已整改。", files=[pdf_upload()]),
        submitted_by=rectification.owner,
        expected_version=None,
    )
    rectification = rectification_verify(rectification=rectification, verified_by=by, expected_version=None)
    rectification_close(rectification=rectification, closed_by=by, expected_version=None)


def problem_measures_reported(problem: Finding) -> None:
    """Each measure of a list's problem reported by its owner: the rectification waits for verification."""
    from responsibility.supervision.services.measures import MeasureReport, measure_report

    for measure in problem.measures.order_by("number"):
        measure_report(
            measure=measure,
            data=MeasureReport(report="已完成。", files=[pdf_upload()]),
            reported_by=measure.owner,
            expected_version=None,
        )


def problem_ticked_off(problem: Finding, *, by) -> None:
    """A problem of a list carried out as measures: each measure reported by its owner, then the
    rectification verified and ticked off (销号) by `by`."""
    problem_measures_reported(problem)
    rectification = rectification_verify(
        rectification=Rectification.objects.get(finding=problem), verified_by=by, expected_version=None
    )
    rectification_close(rectification=rectification, closed_by=by, expected_version=None)


# --- Problem lists of other sources (民主生活会, 巡察反馈 …) ---------------------------------------------


def batch_input(**overrides):
    """A valid list of the democratic life meeting, raised last week."""
    from responsibility.supervision.models import ProblemSource, ProblemSourceCode
    from responsibility.supervision.services.problems import BatchInput

    values = {
        "source": ProblemSource.objects.get(code=ProblemSourceCode.DEMOCRATIC_LIFE),
        "title": "2026年度党组民主生活会查摆问题",
        "year": timezone.localdate().year,
        "raised_on": timezone.localdate() - datetime.timedelta(days=7),
        "raised_by": "",
        "files": [],
    }
    values.update(overrides)
    return BatchInput(**values)


def problem_input(of_unit: OrgUnit, *, measures=None, **overrides):
    """A valid problem in `of_unit`: its head answers for it and sees it through, one measure of theirs
    (`overrides` may change any field, the unit too)."""
    unit = of_unit
    from responsibility.supervision.services.measures import MeasureInput
    from responsibility.supervision.services.problems import ProblemInput

    head = unit.posts.get(kind=PostKind.UNIT_HEAD).holder
    values = {
        "unit": unit,
        "title": "调查研究不够深入",
        "description": "班子成员到基层调研次数偏少，调研成果转化不够。",
        "category": ClauseCategory.WORK_STYLE,
        "severity": "minor",
        "responsible": head,
        "owner": head,
        "requirement": "建立领导班子成员基层联系点制度，调研成果及时转化。",
        "measures": measures
        if measures is not None
        else [
            MeasureInput(
                action="制定调研计划。",
                owner=head,
                deadline=timezone.localdate() + datetime.timedelta(days=30),
            )
        ],
        "evidence_required": True,
        "files": [],
    }
    values.update(overrides)
    return ProblemInput(**values)


@pytest.fixture
def problem_list(supervision):
    """The Party Group's democratic life meeting list, opened by the office."""
    from responsibility.supervision.services.problems import problem_batch_open

    return problem_batch_open(data=batch_input(), opened_by=supervision.org.office_admin)


@pytest.fixture
def list_problem(supervision, problem_list) -> Finding:
    """A problem of the list in the first committee, with two measures: its head's and a staff member's."""
    from responsibility.supervision.services.measures import MeasureInput
    from responsibility.supervision.services.problems import problem_record

    unit = supervision.org.head_posts[0].unit
    head, staff = supervision.org.heads[0], supervision.org.staff[0]
    today = timezone.localdate()
    return problem_record(
        batch=problem_list,
        data=problem_input(
            unit,
            measures=[
                MeasureInput(
                    action="制定调研计划。", owner=head, deadline=today + datetime.timedelta(days=20)
                ),
                MeasureInput(
                    action="形成调研报告。", owner=staff, deadline=today + datetime.timedelta(days=45)
                ),
            ],
        ),
        recorded_by=supervision.org.office_admin,
    )
