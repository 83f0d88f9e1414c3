"""duty_report_render: a leader's year-end performance report (履责报告) as a PDF in the letters' layout.

Real renders, read back with poppler's pdftotext. Today is 15 May 2026 (the duties' clock): the first
quarter (due 31 March) is past, every other period of the common tasks is still to come.
"""

import datetime
import shutil
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.models import PostKind
from responsibility.duties.models import PerformanceRecord, TaskOccurrence
from responsibility.duties.pdf import duty_report_context, duty_report_render, duty_report_title
from responsibility.duties.services.assignments import (
    RecordInput,
    duty_assignment_confirm,
    performance_record_create,
    performance_record_review,
    post_handover,
)
from tests.factories import PostFactory
from tests.responsibility.duties.conftest import TODAY, first_open_occurrence
from tests.responsibility.inspections.conftest import pdf_upload
from tests.responsibility.pdf.reading import compact, pdf_glyph_report, pdf_text

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script> & 听取汇报 <b>加粗</b>"


@pytest.fixture(autouse=True)
def media_root(settings) -> Path:
    """Evidence files in a fresh folder under the test VAR_DIR, removed afterwards."""
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="media-", dir=settings.VAR_DIR))
    settings.MEDIA_ROOT = root
    yield root
    shutil.rmtree(root, ignore_errors=True)


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def occurrence_of(assignment, *, title: str, sequence: int) -> TaskOccurrence:
    return TaskOccurrence.objects.get(task__assignment=assignment, task__title=title, sequence=sequence)


def record(occurrence: TaskOccurrence, *, on: datetime.date, summary: str, files=()) -> PerformanceRecord:
    return performance_record_create(
        occurrence=occurrence,
        data=RecordInput(performed_on=on, summary=summary, participants="法规处全体人员", files=list(files)),
        recorded_by=fresh(occurrence.responsible),
    )


QUARTERLY = "听取分管单位党风廉政建设工作汇报"


@pytest.fixture
def kept(duties):
    """The head confirmed the assignment, recorded the first quarter's work (done on 20 March, in time)
    only on 15 May, with a minutes PDF, and the second quarter early; the team accepted the first record."""
    assignment = duties.head_assignment
    head = fresh(assignment.leader)
    duty_assignment_confirm(assignment=assignment, confirmed_by=head, expected_version=assignment.version)
    first = record(
        occurrence_of(assignment, title=QUARTERLY, sequence=1),
        on=datetime.date(2026, 3, 20),
        summary="听取法制工作委员会一季度党风廉政建设工作汇报，部署二季度工作。",
        files=[pdf_upload("一季度汇报会议纪要.pdf")],
    )
    second = record(
        occurrence_of(assignment, title=QUARTERLY, sequence=2),
        on=datetime.date(2026, 5, 12),
        summary="听取二季度汇报。",
    )
    performance_record_review(
        record=first, reviewed_by=fresh(duties.org.inspector), accept=True, expected_version=first.version
    )
    return first, second


def test_duty_report_render_shows_the_assignment_tasks_records_and_figures(duties, kept):
    # given the head's assignment with two quarters recorded, one accepted
    assignment = duties.head_assignment
    first, _second = kept

    # when
    pdf = duty_report_render(assignment=assignment)

    # then it is a PDF whose text carries the title, the leader, the tasks, the records and the figures
    assert pdf.startswith(b"%PDF-")
    text = compact(pdf_text(pdf))
    assert compact(duty_report_title(2026)) in text
    assert "2026年度履行党风廉政建设“一岗双责”情况报告" in text
    assert assignment.leader.get_full_name() in text
    assert "法制工作委员会主任" in text
    for task in assignment.tasks.all():
        assert compact(task.title) in text
    assert "每季度一次" in text
    assert compact(first.summary) in text
    assert "法规处全体人员" in text
    assert "一季度汇报会议纪要.pdf" in text
    assert first.evidence.get().sha256[:16] in text
    assert "已认可" in text and "待审核" in text
    # 10 periods (4 quarters, 2 halves, 1 year, 2 of twice a year, 1 once): 2 done, both on time (judged
    # by the date of the work, not of the record), and the report says when the first was recorded
    assert "全年应完成履责任务10个期次，已完成2个，完成率20.0%" in text
    assert "按期完成2个，按期完成率20.0%" in text
    assert "按期完成（2026年3月20日完成，2026年5月15日记录）" in text
    assert "按期完成（2026年5月12日完成，2026年5月15日记录）" in text
    assert "记录日期：2026年5月15日" in text
    assert "履责纪实共2条，纪检监察组已认可1条、退回0条，待审核1条" in text
    assert "本年度本岗位未发生交接" in text


def test_duty_report_render_is_a_working_draft_marked_as_such_and_never_sealed(duties):
    # when the report is rendered for checking (the assignment page's 工作稿 download)
    pdf = duty_report_render(assignment=duties.head_assignment)

    # then it says it is a draft, carries no number, version or verification block, and no seal
    text = compact(pdf_text(pdf))
    assert "工作稿：未经盖章，仅供核对，不作为正式报告" in text
    assert "履责〔" not in text and "验证码" not in text and "链头存证" not in text
    assert b"/ByteRange" not in pdf


def test_duty_report_context_counts_periods_and_records_by_state(duties, kept):
    # given the first quarter's work done in time but recorded late, the second's recorded early; a
    # returned record on the yearly task
    assignment = duties.head_assignment
    yearly = record(
        occurrence_of(assignment, title="开展廉政风险点排查", sequence=1),
        on=datetime.date(2026, 5, 14),
        summary="排查廉政风险点。",
    )
    performance_record_review(
        record=yearly,
        reviewed_by=fresh(duties.org.inspector),
        accept=False,
        reason="未附排查清单。",
        expected_version=yearly.version,
    )

    # when the report is read on 1 July (the second quarter and the first half-year are now past)
    report = duty_report_context(assignment=assignment, today=datetime.date(2026, 7, 1))

    # then
    figures = report.figures
    assert (figures.periods, figures.done, figures.done_on_time, figures.overdue, figures.open) == (
        10,
        2,
        2,  # by the date of the work: both
        2,  # the first half-year's talk and the first of the twice-a-year studies, due 30 June
        6,
    )
    assert (figures.records, figures.accepted, figures.returned, figures.pending) == (3, 1, 1, 1)
    assert figures.completion_rate == "20.0%"
    quarterly = next(task for task in report.tasks if task.title == QUARTERLY)
    assert [(period.name, period.state) for period in quarterly.periods] == [
        ("第一季度", "按期完成"),  # done on 20 March, recorded on 15 May
        ("第二季度", "按期完成"),
        ("第三季度", "未到期"),
        ("第四季度", "未到期"),
    ]
    [returned] = next(task for task in report.tasks if task.title == "开展廉政风险点排查").periods[0].records
    assert (returned.review, returned.review_reason) == ("已退回", "未附排查清单。")


def test_duty_report_render_prints_hostile_text_as_text(duties):
    # given a summary and participants written as markup
    assignment = duties.head_assignment
    record(first_open_occurrence(assignment), on=datetime.date(2026, 3, 20), summary=HOSTILE)

    # when
    text = pdf_text(duty_report_render(assignment=assignment))

    # then the markup is printed, not interpreted (a <script> or <b> element would not show its tags)
    assert compact(HOSTILE) in compact(text)
    assert "&amp;" not in text


def test_duty_report_render_of_an_assignment_without_records(duties):
    # given the deputy's assignment, nothing recorded yet
    assignment = duties.deputy_assignment

    # when
    pdf = duty_report_render(assignment=assignment)

    # then it renders, with the figures at zero and every period without records
    assert pdf.startswith(b"%PDF-")
    text = compact(pdf_text(pdf))
    assert assignment.leader.get_full_name() in text
    assert "已完成0个，完成率0.0%" in text
    assert "尚无履责纪实" in text
    assert "法规处" in text  # the unit the deputy oversees


def test_duty_report_render_after_a_handover_names_both_holders(duties, kept):
    # given the head handed the post over on 15 May, after recording two quarters
    assignment = duties.head_assignment
    previous = assignment.leader
    successor = PostFactory(
        unit=duties.org.head_posts[1].unit, title="副主任", kind=PostKind.DEPUTY_HEAD
    ).holder
    post_handover(
        post=assignment.post,
        new_holder=successor,
        handed_over_on=TODAY,
        handed_over_by=fresh(duties.org.office_admin),
    )
    assignment.refresh_from_db()

    # when
    text = compact(pdf_text(duty_report_render(assignment=assignment)))

    # then the new holder leads the report, the handover is told, and the old records name their keeper
    assert assignment.leader == successor
    assert successor.get_full_name() in text
    assert f"2026年5月15日，本岗位由{previous.get_full_name()}交接给{successor.get_full_name()}" in text
    assert f"记录人：{previous.get_full_name()}（前任）" in text
    assert f"责任人：{previous.get_full_name()}" in text  # the periods they completed stay theirs


def test_duty_report_render_draws_every_character_and_numbers_the_pages(duties, kept):
    # when
    pdf = duty_report_render(assignment=duties.head_assignment)

    # then no character fell to a missing glyph (a box), and pages are numbered like the letters
    report = pdf_glyph_report(pdf)
    assert report.drawn
    assert report.notdef == set()
    text = compact(pdf_text(pdf))
    assert "—1—" in text and "—2—" in text


def test_duty_report_context_reads_in_a_fixed_number_of_queries(duties, kept, django_assert_max_num_queries):
    # given more records on more tasks
    assignment = duties.head_assignment
    record(
        occurrence_of(assignment, title="开展廉政风险点排查", sequence=1),
        on=datetime.date(2026, 5, 14),
        summary="排查廉政风险点。",
        files=[pdf_upload("清单.pdf"), pdf_upload("照片.pdf")],
    )

    # when / then: assignment, units, clauses, tasks, periods, records, evidence, handovers
    with django_assert_max_num_queries(8):
        report = duty_report_context(assignment=assignment, today=TODAY)
    assert report.figures.records == 3
