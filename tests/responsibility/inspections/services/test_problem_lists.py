"""Problem lists of other sources than inspections (民主生活会, 巡察反馈 …): opened by the office or the
inspection team, their problems recorded with measures, then rectified, verified and ticked off by the
same rules as an inspection's findings."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from core.errors import ApplicationError
from core.versions import StaleEdit
from responsibility.evidence.models import EvidenceFile
from responsibility.home.selectors import todo_of
from responsibility.reminders.models import Notification
from responsibility.supervision.audit import inspection_chain_verify, inspection_event_describe
from responsibility.supervision.ledger import LedgerFilters, ledger_findings, list_groups
from responsibility.supervision.ledger_counts import FindingsCounts
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    InspectionEventKind,
    Measure,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.selectors import (
    batch_list_visible_to,
    finding_list_visible_to,
    rectification_list_awaiting,
    rectification_list_to_verify,
)
from responsibility.supervision.services.measures import MeasureInput, MeasureReport, measure_report
from responsibility.supervision.services.problems import (
    problem_batch_open,
    problem_batch_reconcile,
    problem_batch_update,
    problem_carry_over,
    problem_record,
)
from responsibility.supervision.services.rectifications import (
    rectification_close,
    rectification_verify,
)
from tests.responsibility.inspections.conftest import (
    batch_input,
    pdf_upload,
    problem_input,
    problem_ticked_off,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _in(days: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=days)


def _written() -> tuple[int, int, int, int]:
    """What a refused change must leave as it was: lists, problems, measures, events."""
    return (
        ProblemBatch.objects.count(),
        Finding.objects.count(),
        Measure.objects.count(),
        InspectionEvent.objects.count(),
    )


# --- Opening a list ----------------------------------------------------------------------------------


def test_the_office_opens_a_list_with_its_documents_and_the_chain_records_it(supervision):
    office = supervision.org.office_admin

    batch = problem_batch_open(
        data=batch_input(raised_by="党组", files=[pdf_upload("民主生活会查摆问题清单.pdf")]), opened_by=office
    )

    assert (batch.source.code, batch.year, batch.plan_id, batch.created_by) == (
        ProblemSourceCode.DEMOCRATIC_LIFE,
        TODAY().year,
        None,
        office,
    )
    [document] = EvidenceFile.objects.filter(batch=batch)
    assert document.original_name == "民主生活会查摆问题清单.pdf"
    opened, attached = InspectionEvent.objects.filter(subject=f"batch:{batch.pk}").order_by("sequence")
    assert (opened.kind, opened.batch_id, opened.plan_id, opened.chain_format) == (
        InspectionEventKind.BATCH_OPENED,
        batch.pk,
        None,
        3,
    )
    assert opened.payload["source"] == {"code": "democratic_life", "name": "民主生活会"}
    assert (attached.kind, attached.digest) == (InspectionEventKind.EVIDENCE_ADDED, document.sha256)
    with translation.override("zh-hans"):
        sentence = inspection_event_describe(opened)
    assert "2026年度党组民主生活会查摆问题" in sentence and "民主生活会" in sentence and "党组" in sentence
    assert inspection_chain_verify() is None


def test_the_inspection_team_may_open_a_list_and_nobody_else(supervision):
    assert problem_batch_open(data=batch_input(), opened_by=supervision.org.inspector).pk
    before = _written()

    for user in (supervision.org.heads[0], supervision.org.secretary, supervision.org.outsider):
        with pytest.raises(PermissionDenied):
            problem_batch_open(data=batch_input(title=f"{user.pk}的清单"), opened_by=user)

    assert _written() == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"source": None}, "source"),
        ({"title": "   "}, "title"),
        ({"year": 1999}, "year"),
        ({"year": None}, "year"),
        ({"raised_on": None}, "raised_on"),
        ({"raised_on": TODAY() + datetime.timedelta(days=1)}, "raised_on"),
    ],
)
def test_a_bad_list_is_refused_with_its_reason_and_nothing_is_written(supervision, overrides, code):
    before = _written()

    with pytest.raises(ApplicationError) as refused:
        problem_batch_open(data=batch_input(**overrides), opened_by=supervision.org.office_admin)

    assert refused.value.code == code
    assert _written() == before


def test_a_list_of_the_inspections_source_is_refused_the_plans_make_theirs(supervision):
    supervision_source = ProblemSource.objects.get(code=ProblemSourceCode.SUPERVISION)

    with pytest.raises(ApplicationError) as refused:
        problem_batch_open(
            data=batch_input(source=supervision_source), opened_by=supervision.org.office_admin
        )

    assert refused.value.code == "source_plan"


def test_a_second_list_of_the_same_title_source_and_year_is_refused(supervision, problem_list):
    before = _written()

    with pytest.raises(ApplicationError) as refused:
        problem_batch_open(
            data=batch_input(title=f" {problem_list.title} "), opened_by=supervision.org.inspector
        )

    assert refused.value.code == "duplicate"
    assert _written() == before
    audit = ProblemSource.objects.get(code=ProblemSourceCode.AUDIT)
    assert problem_batch_open(data=batch_input(source=audit), opened_by=supervision.org.inspector).pk


def test_a_list_is_corrected_with_its_event_and_a_stale_page_is_refused(supervision, problem_list):
    office = supervision.org.office_admin
    tour = ProblemSource.objects.get(code=ProblemSourceCode.INSPECTION_TOUR)

    updated = problem_batch_update(
        batch=problem_list,
        data=batch_input(source=tour, title="市委第三巡察组反馈意见", raised_by="市委第三巡察组"),
        updated_by=office,
        expected_version=problem_list.version,
    )

    assert (updated.source, updated.title, updated.version) == (tour, "市委第三巡察组反馈意见", 2)
    event = InspectionEvent.objects.filter(subject=f"batch:{problem_list.pk}").last()
    assert event.kind == InspectionEventKind.BATCH_UPDATED
    assert set(event.payload["changes"]) == {"source", "title", "raised_by"}
    with translation.override("zh-hans"):
        assert "巡视巡察" in inspection_event_describe(event)
    with pytest.raises(StaleEdit):
        problem_batch_update(
            batch=problem_list, data=batch_input(title="又改"), updated_by=office, expected_version=1
        )
    with pytest.raises(ApplicationError) as unchanged:
        problem_batch_update(
            batch=problem_list,
            data=batch_input(source=tour, title="市委第三巡察组反馈意见", raised_by="市委第三巡察组"),
            updated_by=office,
            expected_version=2,
        )
    assert unchanged.value.code == "unchanged"
    assert inspection_chain_verify() is None


def test_an_inspection_plans_list_is_not_changed_here(supervision):
    plan_list = ProblemBatch.objects.get(plan=supervision.plan)

    with pytest.raises(ApplicationError) as refused:
        problem_batch_update(
            batch=plan_list, data=batch_input(), updated_by=supervision.org.inspector, expected_version=None
        )

    assert refused.value.code == "plan_batch"


# --- Recording its problems ----------------------------------------------------------------------------


def test_a_problem_is_recorded_with_its_measures_numbered_in_its_list(
    supervision, problem_list, list_problem
):
    head, staff = supervision.org.heads[0], supervision.org.staff[0]

    second = problem_record(
        batch=problem_list,
        data=problem_input(supervision.org.head_posts[0].unit, title="批评和自我批评辣味不足"),
        recorded_by=supervision.org.inspector,
    )

    assert (list_problem.plan_id, list_problem.inspection_id, list_problem.batch_id) == (
        None,
        None,
        problem_list.pk,
    )
    assert [list_problem.number, second.number] == [1, 2]
    assert list_problem.reference == f"{problem_list.year}-清{problem_list.pk}-001"
    rectification = Rectification.objects.get(finding=list_problem)
    assert (rectification.status, rectification.owner, rectification.deadline) == (
        RectificationStatus.OPEN,
        head,
        _in(45),  # its latest measure's
    )
    measures = list(list_problem.measures.order_by("number"))
    assert [(m.number, m.action, m.owner, m.deadline) for m in measures] == [
        (1, "制定调研计划。", head, _in(20)),
        (2, "形成调研报告。", staff, _in(45)),
    ]
    events = list(InspectionEvent.objects.filter(subject=f"finding:{list_problem.pk}").order_by("sequence"))
    assert [event.kind for event in events] == [
        InspectionEventKind.FINDING_RECORDED,
        InspectionEventKind.MEASURE_ADDED,
        InspectionEventKind.MEASURE_ADDED,
    ]
    assert {(event.batch_id, event.plan_id) for event in events} == {(problem_list.pk, None)}
    assert events[0].payload["reference"] == list_problem.reference
    assert set(
        Notification.objects.filter(url__endswith=f"/findings/{list_problem.pk}/").values_list(
            "recipient", flat=True
        )
    ) == {head.pk, staff.pk}
    assert inspection_chain_verify() is None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda s, unit: {"measures": []}, "measures_none"),
        (lambda s, unit: {"unit": None}, "unit"),
        (lambda s, unit: {"category": "bogus"}, "category"),
        (lambda s, unit: {"severity": "bogus"}, "severity"),
        (lambda s, unit: {"responsible": s.org.outsider}, "person"),
        (
            lambda s, unit: {
                "measures": [MeasureInput(action="走访。", owner=s.org.outsider, deadline=_in(9))]
            },
            "measure_owner",
        ),
        (
            lambda s, unit: {
                "measures": [MeasureInput(action="走访。", owner=s.org.heads[0], deadline=_in(-1))]
            },
            "measure_deadline",
        ),
        (
            lambda s, unit: {"measures": [MeasureInput(action=" ", owner=s.org.heads[0], deadline=_in(9))]},
            "action",
        ),
        (
            lambda s, unit: {
                "measures": [MeasureInput(action="走访。", owner=s.org.heads[0], deadline=_in(9))] * 21
            },
            "too_many",
        ),
        (lambda s, unit: {"title": "调查研究不够深入"}, "title_taken"),  # the fixture's, a second click
    ],
)
def test_a_bad_problem_is_refused_with_its_reason_and_nothing_is_written(
    supervision, problem_list, list_problem, change, code
):
    unit = supervision.org.head_posts[0].unit
    before = _written()

    with pytest.raises(ApplicationError) as refused:
        problem_record(
            batch=problem_list,
            data=problem_input(unit, **{"title": "新问题", **change(supervision, unit)}),
            recorded_by=supervision.org.office_admin,
        )

    assert refused.value.code == code
    assert _written() == before


def test_only_the_office_and_the_inspection_team_record_problems_and_not_in_a_plans_list(
    supervision, problem_list
):
    unit = supervision.org.head_posts[0].unit
    for user in (supervision.org.heads[0], supervision.org.staff[0], supervision.org.outsider):
        with pytest.raises(PermissionDenied):
            problem_record(batch=problem_list, data=problem_input(unit), recorded_by=user)

    with pytest.raises(ApplicationError) as refused:
        problem_record(
            batch=ProblemBatch.objects.get(plan=supervision.plan),
            data=problem_input(unit),
            recorded_by=supervision.org.inspector,
        )
    assert refused.value.code == "plan_batch"


# --- Then as every problem: visibility, to-do, verification, ledger --------------------------------------


def test_who_sees_a_list_problem_and_its_list(supervision, problem_list, list_problem):
    head, staff = supervision.org.heads[0], supervision.org.staff[0]
    other_head = supervision.org.heads[1]

    for user in (
        head,
        staff,
        supervision.org.office_admin,
        supervision.org.secretary,
        supervision.outside_inspector,
    ):
        assert finding_list_visible_to(user=user).filter(pk=list_problem.pk).exists(), user
        assert batch_list_visible_to(user=user).filter(pk=problem_list.pk).exists(), user
    for user in (other_head, supervision.org.outsider):
        assert not finding_list_visible_to(user=user).filter(pk=list_problem.pk).exists(), user
        assert not batch_list_visible_to(user=user).filter(pk=problem_list.pk).exists(), user


def test_the_measures_owners_report_it_and_any_verifier_of_the_team_ticks_it_off(
    supervision, problem_list, list_problem
):
    head, staff = supervision.org.heads[0], supervision.org.staff[0]
    verifier = supervision.outside_inspector  # in the inspection team, on no plan's team
    first, second = list_problem.measures.order_by("number")
    assert rectification_list_awaiting(user=staff).filter(pk=list_problem.pk).exists()
    todo = todo_of(user=staff, until=_in(60), limit=10)
    assert [finding.reference for finding in todo.sections["to_rectify"]] == [list_problem.reference]

    measure_report(
        measure=second,
        data=MeasureReport(report="调研报告已形成。", files=[pdf_upload("调研报告.pdf")]),
        reported_by=staff,
        expected_version=None,
    )
    measure_report(
        measure=first,
        data=MeasureReport(report="调研计划已印发。", files=[pdf_upload("调研计划.pdf")]),
        reported_by=head,
        expected_version=None,
    )

    rectification = Rectification.objects.get(finding=list_problem)
    assert rectification.status == RectificationStatus.SUBMITTED
    assert rectification_list_to_verify(user=verifier).filter(pk=list_problem.pk).exists()
    assert not rectification_list_to_verify(user=supervision.org.office_admin).exists()
    with pytest.raises(PermissionDenied):
        rectification_verify(
            rectification=rectification, verified_by=supervision.org.office_admin, expected_version=None
        )
    rectification = rectification_verify(
        rectification=rectification, verified_by=verifier, expected_version=None
    )
    rectification = rectification_close(
        rectification=rectification, closed_by=verifier, expected_version=None
    )
    assert rectification.status == RectificationStatus.CLOSED
    assert inspection_chain_verify() is None


def test_the_ledger_counts_and_filters_a_list_problem_by_its_source_and_list(
    supervision, problem_list, list_problem
):
    inspector = supervision.org.inspector
    democratic_life = problem_list.source

    by_source = ledger_findings(
        user=inspector, filters=LedgerFilters(source_id=democratic_life.pk), today=TODAY()
    )
    by_list = ledger_findings(user=inspector, filters=LedgerFilters(batch_id=problem_list.pk), today=TODAY())
    lists = list_groups(
        FindingsCounts(findings=ledger_findings(user=inspector, today=TODAY()), today=TODAY()).by_batch()
    )

    assert list(by_source) == list(by_list) == [list_problem]
    assert [(group.name, group.counts.total, group.counts.open) for group in lists.by_source] == [
        ("民主生活会", 1, 1)
    ]
    assert [group.name for group in lists.by_batch] == [problem_list.title]


# --- 对账销号: carrying over and reconciling ------------------------------------------------------------


def test_a_list_is_reconciled_once_each_problem_is_ticked_off_or_carried_over(
    supervision, problem_list, list_problem
):
    office = supervision.org.office_admin
    second = problem_record(
        batch=problem_list,
        data=problem_input(supervision.org.head_posts[0].unit, title="批评和自我批评辣味不足"),
        recorded_by=office,
    )
    # refused while both are open, naming them
    with pytest.raises(ApplicationError) as pending:
        problem_batch_reconcile(batch=problem_list, reconciled_by=office, expected_version=None)
    assert pending.value.code == "pending"
    assert list_problem.reference in str(pending.value) and second.reference in str(pending.value)

    problem_ticked_off(list_problem, by=supervision.outside_inspector)
    carried = problem_carry_over(
        finding=second,
        reason="涉及体制机制调整，需长期整改。",
        deadline=_in(200),
        carried_by=office,
        expected_version=None,
    )
    batch = problem_batch_reconcile(batch=problem_list, reconciled_by=office, expected_version=None)

    assert (carried.status, carried.deadline, carried.carried_over_reason) == (
        RectificationStatus.OPEN,
        _in(200),
        "涉及体制机制调整，需长期整改。",
    )
    assert [measure.deadline for measure in second.measures.all()] == [_in(200)]
    assert (batch.status, batch.reconciled_by, batch.version) == ("reconciled", office, 2)
    reconciled = InspectionEvent.objects.filter(subject=f"batch:{batch.pk}").last()
    assert reconciled.kind == InspectionEventKind.BATCH_RECONCILED
    assert reconciled.payload == {"closed": 1, "carried_over": [second.reference]}
    with translation.override("zh-hans"):
        assert second.reference in inspection_event_describe(reconciled)
    # nothing more is recorded in a reconciled list; its carried-over problem is still rectified
    with pytest.raises(ApplicationError) as closed:
        problem_record(
            batch=problem_list, data=problem_input(second.unit, title="新问题"), recorded_by=office
        )
    assert closed.value.code == "reconciled"
    assert rectification_list_awaiting(user=second.rectification.owner).filter(pk=second.pk).exists()
    assert inspection_chain_verify() is None


@pytest.mark.parametrize(
    ("reason", "days", "code"),
    [("", 30, "reason"), ("需长期整改。", -1, "deadline_past"), ("需长期整改。", 4000, "deadline_far")],
)
def test_a_bad_carry_over_is_refused_and_changes_nothing(supervision, list_problem, reason, days, code):
    before = (_written(), Rectification.objects.get(finding=list_problem).version)

    with pytest.raises(ApplicationError) as refused:
        problem_carry_over(
            finding=list_problem,
            reason=reason,
            deadline=_in(days),
            carried_by=supervision.org.office_admin,
            expected_version=None,
        )

    assert refused.value.code == code
    assert (_written(), Rectification.objects.get(finding=list_problem).version) == before


def test_only_an_open_problem_is_carried_over_once_by_the_office_or_the_team(supervision, list_problem):
    with pytest.raises(PermissionDenied):
        problem_carry_over(
            finding=list_problem,
            reason="理由",
            deadline=_in(90),
            carried_by=supervision.org.heads[0],
            expected_version=None,
        )
    problem_carry_over(
        finding=list_problem,
        reason="理由",
        deadline=_in(90),
        carried_by=supervision.org.inspector,
        expected_version=None,
    )
    with pytest.raises(ApplicationError) as again:
        problem_carry_over(
            finding=list_problem,
            reason="理由",
            deadline=_in(120),
            carried_by=supervision.org.office_admin,
            expected_version=None,
        )
    assert again.value.code == "carried_over"


def test_an_empty_list_and_a_stale_page_are_not_reconciled(supervision, problem_list):
    with pytest.raises(ApplicationError) as empty:
        problem_batch_reconcile(
            batch=problem_list, reconciled_by=supervision.org.office_admin, expected_version=None
        )
    with pytest.raises(StaleEdit):
        problem_batch_reconcile(
            batch=problem_list, reconciled_by=supervision.org.office_admin, expected_version=7
        )

    assert empty.value.code == "pending"
    assert ProblemBatch.objects.get(pk=problem_list.pk).status == "open"


def test_a_measures_owner_sees_their_measures_deadline_on_their_to_do(supervision, problem_list):
    head, staff = supervision.org.heads[0], supervision.org.staff[0]
    problem = problem_record(
        batch=problem_list,
        data=problem_input(
            supervision.org.head_posts[0].unit,
            measures=[
                MeasureInput(action="先行整改。", owner=staff, deadline=_in(20)),
                MeasureInput(action="建章立制。", owner=head, deadline=_in(45)),
            ],
        ),
        recorded_by=supervision.org.office_admin,
    )

    def due_for(user) -> datetime.date:
        [row] = todo_of(user=user, until=_in(60), limit=10).sections["to_rectify"]
        assert row.pk == problem.pk
        return row.rectification.deadline

    assert due_for(staff) == _in(20)  # their measure's
    assert due_for(head) == _in(45)  # the whole rectification's: they own it
