"""履责纪实: the leader records what they did for a task's period, with evidence; the inspection team
accepts the record or returns it with a reason."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import PostKind
from core.errors import ApplicationError
from core.versions import StaleEdit
from responsibility.duties.models import PerformanceRecord, ReviewStatus, TaskOccurrence
from responsibility.duties.services.assignments import (
    RecordInput,
    performance_record_create,
    performance_record_review,
    post_handover,
)
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.rules import EvidenceRefused
from tests.factories import PostFactory
from tests.responsibility.duties.conftest import TODAY, first_open_occurrence
from tests.responsibility.inspections.conftest import pdf_upload

from .conftest import duty_state, evidence_stored, fresh

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def record_input(**overrides) -> RecordInput:
    values = {
        "performed_on": datetime.date(2026, 5, 12),
        "summary": "听取法制工作委员会一季度党风廉政建设工作汇报，提出三项要求。",
        "participants": "张主任、李副主任、各处室负责人",
        "files": [],
    }
    values.update(overrides)
    return RecordInput(**values)


@pytest.fixture
def occurrence(duties) -> TaskOccurrence:
    """The head's first open period: the first quarter's report, due 31 March (overdue on TODAY)."""
    return first_open_occurrence(duties.head_assignment)


@pytest.fixture
def head(duties):
    return fresh(duties.head_assignment.leader)


@pytest.fixture
def record(occurrence, head) -> PerformanceRecord:
    return performance_record_create(occurrence=occurrence, data=record_input(), recorded_by=head)


def review(record, who, *, accept: bool, reason: str = "", version=None):
    return performance_record_review(
        record=record,
        reviewed_by=fresh(who),
        accept=accept,
        reason=reason,
        expected_version=record.version if version is None else version,
    )


# --- Recording ------------------------------------------------------------------------------------


def test_performance_record_create_by_the_responsible_leader_marks_the_period_done(
    occurrence, head, media_root
):
    # given
    assert occurrence.due_date == datetime.date(2026, 3, 31)

    # when the head records it a little late, with the minutes
    record = performance_record_create(
        occurrence=occurrence,
        data=record_input(summary="  听取汇报。  ", files=[pdf_upload(content=PDF)]),
        recorded_by=head,
    )

    # then the record is kept, awaiting review, and the period is done
    record.refresh_from_db()
    assert record.recorded_by == head
    assert record.summary == "听取汇报。"
    assert record.participants == "张主任、李副主任、各处室负责人"
    assert record.review_status == ReviewStatus.PENDING
    occurrence.refresh_from_db()
    assert occurrence.done_at == timezone.now()
    # the evidence is stored with its hash, under a random name
    [evidence] = record.evidence.all()
    assert evidence.original_name == "会议记录.pdf"
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.uploaded_by == head
    assert evidence_stored(media_root) == [media_root / evidence.file.name]


def test_performance_record_create_on_the_day_itself(occurrence, head):
    record = performance_record_create(
        occurrence=occurrence, data=record_input(performed_on=TODAY), recorded_by=head
    )
    assert record.performed_on == TODAY


def test_performance_record_create_a_second_record_keeps_the_first_done_time(record, occurrence, head, clock):
    # given the period was done by the first record
    occurrence.refresh_from_db()
    first_done = occurrence.done_at

    # when a second record is kept an hour later
    clock.shift(datetime.timedelta(hours=1))
    performance_record_create(occurrence=occurrence, data=record_input(), recorded_by=head)

    # then
    occurrence.refresh_from_db()
    assert occurrence.done_at == first_done
    assert occurrence.records.count() == 2


@pytest.mark.parametrize(
    "who",
    [
        lambda duties: duties.org.heads[1],
        lambda duties: duties.deputy_assignment.leader,
        lambda duties: duties.org.secretary,
        lambda duties: duties.org.office_admin,
        lambda duties: duties.org.inspector,
    ],
    ids=["another head", "the deputy of the unit", "party group", "office", "inspection team"],
)
def test_performance_record_create_refuses_someone_elses_task(duties, occurrence, who, media_root):
    before = duty_state()
    with pytest.raises(PermissionDenied, match="only for your own tasks"):
        performance_record_create(
            occurrence=occurrence,
            data=record_input(files=[pdf_upload()]),
            recorded_by=fresh(who(duties)),
        )
    assert duty_state() == before
    assert evidence_stored(media_root) == []


def test_performance_record_create_refuses_the_previous_holder_after_a_handover(duties, occurrence, head):
    # given the head handed the post over today
    successor = PostFactory(
        unit=duties.org.head_posts[1].unit, title="副主任", kind=PostKind.DEPUTY_HEAD
    ).holder
    post_handover(
        post=duties.head_assignment.post,
        new_holder=successor,
        handed_over_on=TODAY,
        handed_over_by=duties.org.office_admin,
    )
    before = duty_state()

    # when / then
    with pytest.raises(PermissionDenied, match="only for your own tasks"):
        performance_record_create(occurrence=occurrence, data=record_input(), recorded_by=head)
    assert duty_state() == before


def test_performance_record_create_refuses_an_inactive_leader(occurrence, head):
    head.is_active = False
    head.save(update_fields=["is_active"])
    before = duty_state()
    with pytest.raises(PermissionDenied):
        performance_record_create(occurrence=occurrence, data=record_input(), recorded_by=fresh(head))
    assert duty_state() == before


@pytest.mark.parametrize(
    ("performed_on", "words"),
    [
        (TODAY + datetime.timedelta(days=1), "cannot be in the future"),
        (datetime.date(2026, 12, 31), "cannot be in the future"),
        (datetime.date(2025, 12, 31), "must be in 2026"),
        (datetime.date(2024, 6, 1), "must be in 2026"),
    ],
    ids=["tomorrow", "year end", "last day of last year", "two years ago"],
)
def test_performance_record_create_refuses_a_date_in_the_future_or_outside_the_year(
    occurrence, head, performed_on, words
):
    before = duty_state()
    with pytest.raises(ApplicationError, match=words):
        performance_record_create(
            occurrence=occurrence, data=record_input(performed_on=performed_on), recorded_by=head
        )
    assert duty_state() == before


@pytest.mark.parametrize("summary", ["", "   \n ", None])
def test_performance_record_create_refuses_an_empty_summary(occurrence, head, summary, media_root):
    before = duty_state()
    with pytest.raises(ApplicationError, match="Describe what was done"):
        performance_record_create(
            occurrence=occurrence, data=record_input(summary=summary, files=[pdf_upload()]), recorded_by=head
        )
    assert duty_state() == before
    assert evidence_stored(media_root) == []


def _html():
    return SimpleUploadedFile(
        "会议纪要.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "application/pdf"
    )


def _exe():
    return SimpleUploadedFile("签到表.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56, "application/pdf")


def _svg():
    return SimpleUploadedFile("照片.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/png")


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        pytest.param(_html, "not an accepted file", id="HTML named .pdf"),
        pytest.param(_exe, "not an accepted file", id="EXE named .pdf"),
        pytest.param(_svg, "not an accepted file", id="SVG named .png"),
        pytest.param(
            lambda: pdf_upload(name="大文件.pdf", content=b"%PDF-1.7\n" + b"0" * 200),
            "大文件.pdf” is 209",
            id="over the size limit",
        ),
    ],
)
def test_performance_record_create_refuses_a_forbidden_or_oversize_file_and_stores_nothing(
    occurrence, head, media_root, settings, upload, words
):
    # given a limit of 100 bytes, and a good file beside the bad one
    settings.EVIDENCE_MAX_BYTES = 100
    before = duty_state()

    # when
    with pytest.raises(EvidenceRefused, match=words):
        performance_record_create(
            occurrence=occurrence,
            data=record_input(files=[pdf_upload(content=PDF), upload()]),
            recorded_by=head,
        )

    # then no record, no evidence row, the period still open and no file in storage
    assert duty_state() == before
    assert evidence_stored(media_root) == []
    occurrence.refresh_from_db()
    assert occurrence.done_at is None


# --- Review ---------------------------------------------------------------------------------------


def test_performance_record_review_accepts(duties, record, occurrence):
    # when
    reviewed = review(record, duties.org.inspector, accept=True, reason="ignored")

    # then
    reviewed.refresh_from_db()
    assert reviewed.review_status == ReviewStatus.ACCEPTED
    assert reviewed.review_reason == ""
    assert reviewed.reviewed_by == duties.org.inspector
    assert reviewed.reviewed_at == timezone.now()
    assert reviewed.version == record.version + 1
    occurrence.refresh_from_db()
    assert occurrence.done_at is not None


def test_performance_record_review_returns_with_a_reason_and_reopens_the_period(duties, record, occurrence):
    # when
    reviewed = review(record, duties.org.inspector, accept=False, reason="  未附会议记录，请补充佐证材料。 ")

    # then
    reviewed.refresh_from_db()
    assert reviewed.review_status == ReviewStatus.RETURNED
    assert reviewed.review_reason == "未附会议记录，请补充佐证材料。"
    occurrence.refresh_from_db()
    assert occurrence.done_at is None
    assert occurrence in TaskOccurrence.objects.overdue(TODAY)


def test_performance_record_review_return_keeps_the_period_done_while_another_record_stands(
    duties, record, occurrence, head
):
    # given a second record of the same period
    performance_record_create(occurrence=occurrence, data=record_input(), recorded_by=head)

    # when the first is returned
    review(record, duties.org.inspector, accept=False, reason="内容不完整。")

    # then the period stays done
    occurrence.refresh_from_db()
    assert occurrence.done_at is not None


def test_performance_record_review_return_of_every_record_reopens_the_period(
    duties, record, occurrence, head
):
    # given two records of the period, the first already returned
    second = performance_record_create(occurrence=occurrence, data=record_input(), recorded_by=head)
    review(record, duties.org.inspector, accept=False, reason="内容不完整。")

    # when the second is returned too
    review(second, duties.org.inspector, accept=False, reason="仍未附佐证材料。")

    # then
    occurrence.refresh_from_db()
    assert occurrence.done_at is None


def test_performance_record_after_a_return_makes_the_period_done_again(duties, record, occurrence, head):
    review(record, duties.org.inspector, accept=False, reason="未附佐证材料。")
    performance_record_create(
        occurrence=occurrence, data=record_input(files=[pdf_upload()]), recorded_by=head
    )
    occurrence.refresh_from_db()
    assert occurrence.done_at is not None


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_performance_record_review_return_needs_a_reason(duties, record, reason):
    before = duty_state()
    with pytest.raises(ApplicationError, match="Give the reason"):
        review(record, duties.org.inspector, accept=False, reason=reason)
    assert duty_state() == before


def test_performance_record_review_refuses_an_overlong_reason(duties, record):
    before = duty_state()
    with pytest.raises(ApplicationError, match="at most 1000 characters"):
        review(record, duties.org.inspector, accept=False, reason="理" * 1001)
    assert duty_state() == before


@pytest.mark.parametrize(
    "who",
    [
        lambda duties: duties.org.office_admin,
        lambda duties: duties.org.secretary,
        lambda duties: duties.head_assignment.leader,
        lambda duties: duties.org.heads[1],
        lambda duties: duties.org.outsider,
    ],
    ids=["office", "party group", "the leader", "another head", "outsider"],
)
@pytest.mark.parametrize("accept", [True, False], ids=["accept", "return"])
def test_performance_record_review_is_for_the_inspection_team_only(duties, record, who, accept):
    before = duty_state()
    with pytest.raises(PermissionDenied, match="Only the discipline inspection team"):
        review(record, who(duties), accept=accept, reason="原因")
    assert duty_state() == before


@pytest.mark.parametrize("first", [True, False], ids=["accepted", "returned"])
@pytest.mark.parametrize("second", [True, False], ids=["then accept", "then return"])
def test_performance_record_review_twice_is_refused(duties, record, first, second):
    # given
    reviewed = review(record, duties.org.inspector, accept=first, reason="请补充。")
    before = duty_state()

    # when / then
    with pytest.raises(ApplicationError, match="already been reviewed"):
        review(reviewed, duties.org.inspector, accept=second, reason="再次审核。")
    assert duty_state() == before


def test_performance_record_review_refuses_a_stale_version(duties, record):
    # given the page was opened before the record was accepted by a colleague
    opened = record.version
    review(record, duties.org.inspector, accept=True)
    before = duty_state()

    # when / then
    with pytest.raises(StaleEdit, match="Someone else changed this record"):
        review(record, duties.org.inspector, accept=False, reason="退回。", version=opened)
    assert duty_state() == before


def test_performance_record_evidence_stays_with_a_returned_record(duties, occurrence, head):
    # given a record with evidence, returned
    record = performance_record_create(
        occurrence=occurrence, data=record_input(files=[pdf_upload()]), recorded_by=head
    )
    review(record, duties.org.inspector, accept=False, reason="请补充签到表。")

    # then
    assert EvidenceFile.objects.filter(performance_record=record).count() == 1
