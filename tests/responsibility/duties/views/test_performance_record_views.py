"""履责纪实 through the pages: the leader keeps a record with evidence, the inspection team accepts or
returns it; every bad input gets a clear message and stores nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from responsibility.duties.models import PerformanceRecord, ReviewStatus, TaskOccurrence
from responsibility.duties.services.assignments import RecordInput, performance_record_create
from responsibility.evidence.models import EvidenceFile
from tests.responsibility.duties.conftest import first_open_occurrence
from tests.responsibility.duties.views.conftest import messages_of, url
from tests.responsibility.inspections.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def _data(**overrides) -> dict:
    data = {
        "performed_on": "2026-03-20",
        "summary": "听取法规处党风廉政建设工作汇报。",
        "participants": "张三、李四",
    }
    data.update(overrides)
    return data


def _nothing_stored() -> bool:
    return not PerformanceRecord.objects.exists() and not EvidenceFile.objects.exists()


# --- Keeping a record -------------------------------------------------------------------------------


def test_the_leader_keeps_a_record_with_evidence_and_the_period_is_done(client, duties, media_root):
    # given the head's first open period (the first quarter, overdue)
    head = duties.head_assignment
    occurrence = first_open_occurrence(head)
    client.force_login(head.leader)

    # when the form opens, then today is the default date
    page = client.get(url("performance-record-create", occurrence.pk))
    assert page.status_code == 200
    assert 'value="2026-05-15"' in page.content.decode()

    # when they record what they did with two files
    response = client.post(
        url("performance-record-create", occurrence.pk),
        _data(files=[pdf_upload("汇报记录.pdf"), pdf_upload("签到表.pdf")]),
    )

    # then the record, its evidence and the period are stored, and the page says so
    assert response.status_code == 302
    assert response.url.endswith(f"#occurrence-{occurrence.pk}")
    record = PerformanceRecord.objects.get()
    assert (record.occurrence, record.performed_on, record.recorded_by) == (
        occurrence,
        datetime.date(2026, 3, 20),
        head.leader,
    )
    assert record.participants == "张三、李四"
    assert record.review_status == ReviewStatus.PENDING
    assert sorted(record.evidence.values_list("original_name", flat=True)) == ["汇报记录.pdf", "签到表.pdf"]
    assert TaskOccurrence.objects.get(pk=occurrence.pk).done_at is not None
    assert "It awaits review." in messages_of(response)[0]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"performed_on": "2026-05-16"}, "performed_on", "The date cannot be in the future."),
        (
            {"performed_on": "2025-12-31"},
            "performed_on",
            "The date must be in 2026, the year of the assignment.",
        ),
        ({"performed_on": ""}, "performed_on", "This field is required."),
        ({"summary": "   "}, "summary", "Describe what was done."),
    ],
)
def test_a_record_with_a_bad_date_or_no_summary_is_refused(client, duties, fields, field, message):
    head = duties.head_assignment
    occurrence = first_open_occurrence(head)
    client.force_login(head.leader)

    response = client.post(
        url("performance-record-create", occurrence.pk), _data(files=[pdf_upload()], **fields)
    )

    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert _nothing_stored()
    assert TaskOccurrence.objects.get(pk=occurrence.pk).done_at is None


def test_a_file_of_a_forbidden_type_is_refused(client, duties):
    head = duties.head_assignment
    occurrence = first_open_occurrence(head)
    client.force_login(head.leader)
    script = SimpleUploadedFile("纪要.pdf", b"#!/bin/sh\necho hello\n", content_type="application/pdf")

    response = client.post(url("performance-record-create", occurrence.pk), _data(files=[script]))

    assert response.status_code == 400
    errors = response.context["form"].errors["files"]
    assert errors and "纪要.pdf" in errors[0]
    assert _nothing_stored()


def test_a_file_over_the_size_limit_is_refused(client, duties, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    head = duties.head_assignment
    occurrence = first_open_occurrence(head)
    client.force_login(head.leader)
    big = pdf_upload("大文件.pdf", b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n")

    response = client.post(url("performance-record-create", occurrence.pk), _data(files=[big]))

    assert response.status_code == 400
    assert "大文件.pdf" in response.context["form"].errors["files"][0]
    assert _nothing_stored()


def test_a_record_for_a_task_not_one_s_own_is_refused_before_the_input_is_read(client, duties):
    # given the deputy, who may read the head's assignment (same committee) but does not answer for it
    occurrence = first_open_occurrence(duties.head_assignment)
    client.force_login(duties.deputy_assignment.leader)

    # when they try the form and send a record, even one with a bad date
    page = client.get(url("performance-record-create", occurrence.pk))
    response = client.post(
        url("performance-record-create", occurrence.pk),
        _data(performed_on="not a date", files=[pdf_upload()]),
    )

    # then
    assert page.status_code == 403
    assert response.status_code == 403
    assert _nothing_stored()


def test_a_period_the_user_cannot_see_is_not_found(client, duties):
    client.force_login(duties.org.outsider)

    response = client.post(
        url("performance-record-create", first_open_occurrence(duties.head_assignment).pk), _data()
    )

    assert response.status_code == 404
    assert _nothing_stored()


# --- Reviewing a record ------------------------------------------------------------------------------


@pytest.fixture
def record(duties) -> PerformanceRecord:
    head = duties.head_assignment
    return performance_record_create(
        occurrence=first_open_occurrence(head),
        data=RecordInput(performed_on=datetime.date(2026, 3, 20), summary="听取汇报。", participants=""),
        recorded_by=head.leader,
    )


def _review(client, record, **fields):
    data = {"version": PerformanceRecord.objects.get(pk=record.pk).version}
    data.update(fields)
    return client.post(url("performance-record-review", record.pk), data)


def _fresh(record) -> PerformanceRecord:
    return PerformanceRecord.objects.select_related("occurrence").get(pk=record.pk)


def test_the_inspection_team_accepts_a_record(client, duties, record):
    client.force_login(duties.org.inspector)

    response = _review(client, record, decision="accept")

    assert response.status_code == 302
    assert response.url.endswith(f"#record-{record.pk}")
    reviewed = _fresh(record)
    assert (reviewed.review_status, reviewed.reviewed_by) == (ReviewStatus.ACCEPTED, duties.org.inspector)
    assert messages_of(response) == ["The record was accepted."]


def test_the_inspection_team_returns_a_record_with_a_reason_and_the_period_is_open_again(
    client, duties, record
):
    client.force_login(duties.org.inspector)

    response = _review(client, record, decision="return", reason="缺少会议纪要。")

    reviewed = _fresh(record)
    assert (reviewed.review_status, reviewed.review_reason) == (ReviewStatus.RETURNED, "缺少会议纪要。")
    assert reviewed.occurrence.done_at is None
    assert messages_of(response) == ["The record was returned to its author with your reason."]


def test_returning_a_record_without_a_reason_is_refused_with_a_message(client, duties, record):
    client.force_login(duties.org.inspector)

    response = _review(client, record, decision="return", reason="  ")

    assert _fresh(record).review_status == ReviewStatus.PENDING
    assert messages_of(response) == ["Give the reason the record is returned."]


def test_a_review_from_a_stale_page_is_refused(client, duties, record):
    client.force_login(duties.org.inspector)
    _review(client, record, decision="accept")

    response = client.post(
        url("performance-record-review", record.pk), {"version": 1, "decision": "return", "reason": "晚了"}
    )

    assert _fresh(record).review_status == ReviewStatus.ACCEPTED
    assert "Someone else changed this record" in messages_of(response)[-1]


def test_a_review_without_a_decision_changes_nothing(client, duties, record):
    client.force_login(duties.org.inspector)

    response = _review(client, record, decision="maybe")

    assert _fresh(record).review_status == ReviewStatus.PENDING
    assert messages_of(response) == ["Nothing was changed: choose to accept or to return the record."]


@pytest.mark.parametrize("who", ["leader", "office"])
def test_only_the_inspection_team_reviews(client, duties, record, who):
    client.force_login(duties.head_assignment.leader if who == "leader" else duties.org.office_admin)

    response = _review(client, record, decision="accept")

    assert response.status_code == 403
    assert _fresh(record).review_status == ReviewStatus.PENDING


def test_reviewing_is_a_post(client, duties, record):
    client.force_login(duties.org.inspector)

    assert client.get(url("performance-record-review", record.pk)).status_code == 405
