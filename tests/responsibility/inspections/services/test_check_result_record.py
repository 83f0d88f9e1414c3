"""Check results: the drawn inspectors record one per checkpoint, with evidence, and complete the check."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ApplicationError
from core.versions import StaleEdit
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.rules import EvidenceRefused
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    CheckOutcome,
    CheckResult,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionStatus,
)
from responsibility.supervision.services.draws import spot_check_draw
from responsibility.supervision.services.inspections import (
    ResultInput,
    check_result_record,
    inspection_complete,
)
from responsibility.supervision.services.plans import (
    CheckpointInput,
    PlanInput,
    checkpoint_create,
    inspection_plan_close,
    inspection_plan_create,
)
from tests.responsibility.inspections.conftest import draw_input, inspector_of, pdf_upload
from tests.responsibility.inspections.services.conftest import ROLES, evidence_stored, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(committee_inspection):
    """The one inspector drawn for the committee."""
    return inspector_of(committee_inspection)


@pytest.fixture
def evidence_checkpoint(supervision):
    return supervision.plan.checkpoints.get(number=1)  # evidence required


@pytest.fixture
def plain_checkpoint(supervision):
    return supervision.plan.checkpoints.get(number=2)  # no evidence required


def result_input(outcome=CheckOutcome.CONFORMING, notes="查阅会议记录，符合要求。", files=()) -> ResultInput:
    return ResultInput(outcome=outcome, notes=notes, files=list(files))


def written(inspection: Inspection) -> tuple:
    """What recording writes: results, evidence rows, events, and the inspection's status."""
    return (
        sorted(
            CheckResult.objects.filter(inspection=inspection).values_list(
                "checkpoint_id", "outcome", "notes", "version"
            )
        ),
        EvidenceFile.objects.count(),
        InspectionEvent.objects.count(),
        Inspection.objects.get(pk=inspection.pk).status,
    )


def inspection_events(inspection: Inspection) -> list[tuple]:
    return list(
        InspectionEvent.objects.filter(subject=f"inspection:{inspection.pk}").values_list("kind", "payload")
    )


# --- Recording ------------------------------------------------------------------------------------


def test_check_result_record_by_the_assigned_inspector_stores_it_and_starts_the_inspection(
    committee_inspection, inspector, plain_checkpoint
):
    # when
    result = check_result_record(
        inspection=committee_inspection,
        checkpoint=plain_checkpoint,
        data=result_input(CheckOutcome.MOSTLY_CONFORMING, "接待记录基本完整。"),
        recorded_by=inspector,
    )

    # then
    stored = CheckResult.objects.get(pk=result.pk)
    assert (stored.outcome, stored.notes, stored.recorded_by, stored.version) == (
        CheckOutcome.MOSTLY_CONFORMING,
        "接待记录基本完整。",
        inspector,
        1,
    )
    assert Inspection.objects.get(pk=committee_inspection.pk).status == InspectionStatus.IN_PROGRESS
    assert inspection_events(committee_inspection) == [
        (InspectionEventKind.RESULT_RECORDED, {"checkpoint": 2, "outcome": "mostly", "version": 1})
    ]
    assert inspection_chain_verify() is None


def test_check_result_record_by_the_team_member_not_drawn_for_the_unit_is_refused(
    supervision, committee_inspection, inspector, plain_checkpoint
):
    # given the plan's other team member, who was not drawn for this unit (双随机)
    other = next(member for member in supervision.inspectors if member != inspector)
    before = written(committee_inspection)

    with pytest.raises(PermissionDenied):
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(),
            recorded_by=fresh(other),
        )

    assert written(committee_inspection) == before


@pytest.mark.parametrize("role", ["inspector not on the team", "office admin", "party group", "unit head"])
def test_check_result_record_by_anyone_else_is_refused(
    supervision, committee_inspection, plain_checkpoint, role
):
    before = written(committee_inspection)

    with pytest.raises(PermissionDenied):
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(),
            recorded_by=fresh(ROLES[role](supervision)),
        )

    assert written(committee_inspection) == before


def test_check_result_record_refuses_a_checkpoint_of_another_plan(
    supervision, committee_inspection, inspector
):
    # given a checkpoint of another plan of the same team
    other_plan = inspection_plan_create(
        data=PlanInput(
            year=2026,
            title="2026年度专项检查",
            description="",
            period_start=datetime.date(2026, 9, 1),
            period_end=datetime.date(2026, 9, 30),
            scope=supervision.units,
            team=supervision.inspectors,
        ),
        created_by=supervision.inspectors[0],
    )
    foreign = checkpoint_create(
        plan=other_plan,
        data=CheckpointInput("专项检查点", "标准", [ClauseCategory.RULES], 10, False),
        created_by=supervision.inspectors[0],
    )
    before = written(committee_inspection)

    # when a result is recorded for it in this plan's inspection
    with pytest.raises(ApplicationError, match="not part of the inspection's plan") as refused:
        check_result_record(
            inspection=committee_inspection, checkpoint=foreign, data=result_input(), recorded_by=inspector
        )

    # then nothing is written
    assert refused.value.code == "checkpoint"
    assert written(committee_inspection) == before


def test_check_result_record_refuses_an_unknown_result(committee_inspection, inspector, plain_checkpoint):
    before = written(committee_inspection)
    with pytest.raises(ApplicationError, match="Choose a result") as refused:
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(outcome="excellent"),
            recorded_by=inspector,
        )
    assert refused.value.code == "outcome"
    assert written(committee_inspection) == before


# --- Evidence -------------------------------------------------------------------------------------


def test_check_result_record_needs_evidence_where_the_checkpoint_requires_it(
    committee_inspection, inspector, evidence_checkpoint, media_root
):
    before = written(committee_inspection)

    with pytest.raises(ApplicationError, match="needs evidence") as refused:
        check_result_record(
            inspection=committee_inspection,
            checkpoint=evidence_checkpoint,
            data=result_input(CheckOutcome.NONCONFORMING),
            recorded_by=inspector,
        )

    assert refused.value.code == "evidence_required"
    assert written(committee_inspection) == before
    assert evidence_stored(media_root) == []


def test_check_result_record_with_evidence_stores_the_file_its_hash_and_an_event(
    committee_inspection, inspector, evidence_checkpoint, media_root
):
    # given a PDF uploaded under a name with a path in it
    upload = pdf_upload(name="C:\\会议\\党组会议记录.pdf")
    content = upload.read()

    # when
    result = check_result_record(
        inspection=committee_inspection,
        checkpoint=evidence_checkpoint,
        data=result_input(files=[upload]),
        recorded_by=inspector,
    )

    # then the file is stored under a random name, with its own name, type, size and hash kept
    [evidence] = result.evidence.all()
    assert evidence.original_name == "党组会议记录.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == inspector
    assert evidence.file.name.startswith("evidence/") and evidence.file.name.endswith(".pdf")
    assert "党组会议记录" not in evidence.file.name
    assert evidence_stored(media_root) == [media_root / evidence.file.name]
    assert (media_root / evidence.file.name).read_bytes() == content
    # and the audit chain records the result and the file's fingerprint
    events = InspectionEvent.objects.filter(subject=f"inspection:{committee_inspection.pk}")
    assert [(event.kind, event.digest) for event in events] == [
        (InspectionEventKind.RESULT_RECORDED, ""),
        (InspectionEventKind.EVIDENCE_ADDED, evidence.sha256),
    ]
    assert inspection_chain_verify() is None


def test_check_result_record_not_applicable_needs_no_evidence(
    committee_inspection, inspector, evidence_checkpoint
):
    result = check_result_record(
        inspection=committee_inspection,
        checkpoint=evidence_checkpoint,
        data=result_input(CheckOutcome.NOT_APPLICABLE, "本单位无此项工作。"),
        recorded_by=inspector,
    )
    assert result.outcome == CheckOutcome.NOT_APPLICABLE
    assert not result.evidence.exists()


def _html():
    return SimpleUploadedFile(
        "证明.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "application/pdf"
    )


def _exe():
    return SimpleUploadedFile("报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56, "application/pdf")


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        pytest.param(_html, "not an accepted file", id="HTML named .pdf"),
        pytest.param(_exe, "not an accepted file", id="EXE named .pdf"),
        pytest.param(
            lambda: pdf_upload(name="大文件.pdf", content=b"%PDF-1.7\n" + b"0" * 200),
            "大文件.pdf” is 209",
            id="over the size limit",
        ),
    ],
)
def test_check_result_record_refuses_a_forbidden_or_oversize_file_and_writes_nothing(
    committee_inspection, inspector, evidence_checkpoint, media_root, settings, upload, words
):
    # given a limit of 100 bytes, and a good file beside the bad one
    settings.EVIDENCE_MAX_BYTES = 100
    before = written(committee_inspection)

    # when
    with pytest.raises(EvidenceRefused, match=words):
        check_result_record(
            inspection=committee_inspection,
            checkpoint=evidence_checkpoint,
            data=result_input(files=[pdf_upload(), upload()]),
            recorded_by=inspector,
        )

    # then no result, no evidence row, no event and no file in storage
    assert written(committee_inspection) == before
    assert evidence_stored(media_root) == []


def test_check_result_record_refuses_a_bad_file_in_a_correction_and_keeps_the_result(
    committee_inspection, inspector, plain_checkpoint, media_root
):
    # given a recorded result
    result = check_result_record(
        inspection=committee_inspection,
        checkpoint=plain_checkpoint,
        data=result_input(),
        recorded_by=inspector,
    )
    before = written(committee_inspection)

    # when a correction comes with an HTML file
    with pytest.raises(EvidenceRefused, match="not an accepted file"):
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(CheckOutcome.NONCONFORMING, files=[_html()]),
            recorded_by=inspector,
            expected_version=result.version,
        )

    # then
    assert written(committee_inspection) == before
    assert evidence_stored(media_root) == []


# --- Corrections ----------------------------------------------------------------------------------


def test_check_result_record_correction_bumps_the_version_and_keeps_the_evidence(
    committee_inspection, inspector, evidence_checkpoint
):
    # given a result recorded with evidence
    first = check_result_record(
        inspection=committee_inspection,
        checkpoint=evidence_checkpoint,
        data=result_input(files=[pdf_upload()]),
        recorded_by=inspector,
    )

    # when it is corrected without a new file (the one attached still counts)
    corrected = check_result_record(
        inspection=committee_inspection,
        checkpoint=evidence_checkpoint,
        data=result_input(CheckOutcome.NONCONFORMING, "复核发现会议记录不完整。"),
        recorded_by=inspector,
        expected_version=1,
    )

    # then the same row changed, version 2
    assert corrected.pk == first.pk
    stored = CheckResult.objects.get(pk=first.pk)
    assert (stored.outcome, stored.notes, stored.version) == (
        CheckOutcome.NONCONFORMING,
        "复核发现会议记录不完整。",
        2,
    )
    assert stored.evidence.count() == 1
    assert CheckResult.objects.filter(inspection=committee_inspection).count() == 1
    assert inspection_events(committee_inspection)[-1] == (
        InspectionEventKind.RESULT_RECORDED,
        {"checkpoint": 1, "outcome": "nonconforming", "version": 2},
    )


def test_check_result_record_stale_correction_is_refused_and_changes_nothing(
    committee_inspection, inspector, plain_checkpoint
):
    # given a result corrected once (version 2) after a page showed version 1
    check_result_record(
        inspection=committee_inspection,
        checkpoint=plain_checkpoint,
        data=result_input(),
        recorded_by=inspector,
    )
    check_result_record(
        inspection=committee_inspection,
        checkpoint=plain_checkpoint,
        data=result_input(CheckOutcome.MOSTLY_CONFORMING, "第一次更正"),
        recorded_by=inspector,
        expected_version=1,
    )
    before = written(committee_inspection)

    # when a correction is saved from the page showing version 1
    with pytest.raises(StaleEdit, match="Someone else changed this result") as refused:
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(CheckOutcome.NONCONFORMING, "过时的更正"),
            recorded_by=inspector,
            expected_version=1,
        )

    # then the first correction stands
    assert refused.value.code == "stale"
    assert written(committee_inspection) == before
    assert before[0][0][1:] == (CheckOutcome.MOSTLY_CONFORMING, "第一次更正", 2)


def test_check_result_record_correction_of_a_result_that_does_not_exist_is_refused(
    committee_inspection, inspector, plain_checkpoint
):
    before = written(committee_inspection)
    with pytest.raises(StaleEdit):
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(),
            recorded_by=inspector,
            expected_version=3,
        )
    assert written(committee_inspection) == before


# --- Cancelled, completed and closed --------------------------------------------------------------


def test_check_result_record_refuses_an_inspection_cancelled_by_a_second_draw(
    supervision, committee_inspection, inspector, plain_checkpoint
):
    # given the plan was drawn again (with a reason) before any result
    spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=5, public_value="20260316", reason="抽签时参会人员不足，重新抽取。"),
        drawn_by=supervision.inspectors[0],
    )
    before = written(committee_inspection)
    assert before[3] == InspectionStatus.CANCELLED

    with pytest.raises(ApplicationError, match="cancelled") as refused:
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(),
            recorded_by=inspector,
        )

    assert refused.value.code == "cancelled"
    assert written(committee_inspection) == before


def record_every_checkpoint(inspection, inspector) -> None:
    for checkpoint in inspection.plan.checkpoints.order_by("number"):
        check_result_record(
            inspection=inspection,
            checkpoint=checkpoint,
            data=result_input(files=[pdf_upload()] if checkpoint.evidence_required else []),
            recorded_by=inspector,
        )


def test_inspection_complete_signs_off_an_inspection_with_every_checkpoint_recorded(
    committee_inspection, inspector
):
    # given every checkpoint has a result
    record_every_checkpoint(committee_inspection, inspector)

    # when
    completed = inspection_complete(
        inspection=committee_inspection, completed_by=inspector, summary="整体较好。"
    )

    # then
    stored = Inspection.objects.get(pk=committee_inspection.pk)
    assert completed.status == stored.status == InspectionStatus.COMPLETED
    assert stored.summary == "整体较好。"
    assert stored.completed_at is not None
    event = InspectionEvent.objects.filter(subject=f"inspection:{committee_inspection.pk}").last()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        InspectionEventKind.INSPECTION_COMPLETED,
        InspectionStatus.IN_PROGRESS,
        InspectionStatus.COMPLETED,
        inspector,
    )
    assert inspection_chain_verify() is None


@pytest.mark.parametrize(("recorded", "missing"), [((), "1、2"), ((2,), "1")])
def test_inspection_complete_needs_a_result_for_every_checkpoint(
    committee_inspection, inspector, recorded, missing
):
    for number in recorded:
        check_result_record(
            inspection=committee_inspection,
            checkpoint=committee_inspection.plan.checkpoints.get(number=number),
            data=result_input(),
            recorded_by=inspector,
        )
    before = written(committee_inspection)

    with pytest.raises(ApplicationError, match=f"missing: {missing}") as refused:
        inspection_complete(inspection=committee_inspection, completed_by=inspector, summary="")

    assert refused.value.code == "incomplete"
    assert written(committee_inspection) == before


def test_inspection_complete_by_the_team_member_not_drawn_is_refused(
    supervision, committee_inspection, inspector
):
    record_every_checkpoint(committee_inspection, inspector)
    other = next(member for member in supervision.inspectors if member != inspector)
    before = written(committee_inspection)

    with pytest.raises(PermissionDenied):
        inspection_complete(inspection=committee_inspection, completed_by=fresh(other), summary="")

    assert written(committee_inspection) == before


def test_a_completed_inspection_refuses_results_and_a_second_completion(
    committee_inspection, inspector, plain_checkpoint
):
    # given a completed inspection
    record_every_checkpoint(committee_inspection, inspector)
    inspection_complete(inspection=committee_inspection, completed_by=inspector, summary="")
    before = written(committee_inspection)
    version = CheckResult.objects.get(inspection=committee_inspection, checkpoint=plain_checkpoint).version

    # when a result is corrected, or it is completed again, then both are refused
    with pytest.raises(ApplicationError, match="completed") as refused:
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(CheckOutcome.NONCONFORMING),
            recorded_by=inspector,
            expected_version=version,
        )
    assert refused.value.code == "completed"
    with pytest.raises(ApplicationError, match="completed"):
        inspection_complete(inspection=committee_inspection, completed_by=inspector, summary="再次")

    # and nothing changed
    assert written(committee_inspection) == before
    assert Inspection.objects.get(pk=committee_inspection.pk).summary == ""


def test_check_result_record_refuses_in_a_closed_plan(
    supervision, committee_inspection, inspector, plain_checkpoint
):
    inspection_plan_close(plan=supervision.plan, closed_by=supervision.inspectors[0])
    before = written(committee_inspection)

    with pytest.raises(ApplicationError, match="This plan is closed") as refused:
        check_result_record(
            inspection=committee_inspection,
            checkpoint=plain_checkpoint,
            data=result_input(),
            recorded_by=inspector,
        )

    assert refused.value.code == "closed"
    assert written(committee_inspection) == before
