"""Supervision's audit chain: events of both chain formats verify, a changed payload shows, and
inspection_event_describe reads each kind of event as a sentence in Chinese."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from core.audit import CHAIN_FORMAT_NOTE, event_digest, event_time
from responsibility.supervision.audit import (
    inspection_chain_verify,
    inspection_event_describe,
    inspection_events_append,
)
from responsibility.supervision.models import CheckOutcome, InspectionEvent, InspectionEventKind
from responsibility.supervision.services.draws import spot_check_draw
from responsibility.supervision.services.inspections import (
    ResultInput,
    check_result_record,
    inspection_complete,
)
from responsibility.supervision.services.plans import PlanInput, inspection_plan_close, inspection_plan_update
from responsibility.supervision.services.rectifications import (
    SubmissionInput,
    finding_update,
    rectification_close,
    rectification_send_back,
    rectification_submit,
    rectification_verify,
)
from tests.responsibility.inspections.conftest import draw_input, inspector_of, pdf_upload
from tests.responsibility.inspections.services.test_finding_record import change_of
from tests.responsibility.inspections.tampering import _raw_update

pytestmark = pytest.mark.django_db


def sentences(subject: str) -> list[tuple[str, str]]:
    return [
        (event.kind, inspection_event_describe(event))
        for event in InspectionEvent.objects.filter(subject=subject).order_by("sequence")
    ]


def day(date: datetime.date) -> str:
    """How a sentence names a day in Chinese."""
    return f"{date.year}年{date.month}月{date.day}日"


# --- Chain formats ---------------------------------------------------------------------------------


def _hash_as_before_payloads(event: InspectionEvent) -> str:
    """The supervision event hash as it was computed before payloads existed, written out."""
    return event_digest(
        {
            "sequence": event.sequence,
            "plan": event.plan_id,
            "subject": event.subject,
            "kind": event.kind,
            "from": event.from_status,
            "to": event.to_status,
            "actor": event.actor_id,
            "note": event.note,
            "digest": event.digest,
            "at": event_time(event),
            "previous": event.previous_hash,
        }
    )


@pytest.fixture
def legacy_event(supervision, drawn) -> InspectionEvent:
    """A format-1 event, built as events were before payloads (its facts in the note)."""
    [event] = inspection_events_append(
        events=[
            InspectionEvent(
                plan=supervision.plan,
                subject=f"draw:{drawn.pk}",
                kind=InspectionEventKind.REDRAWN,
                actor=supervision.inspectors[0],
                note="public=20260316; units=5; reason=检查员回避",
                digest=drawn.result_hash,
                chain_format=CHAIN_FORMAT_NOTE,
            )
        ]
    )
    return InspectionEvent.objects.get(pk=event.pk)


def test_a_format_1_event_hashes_as_before_and_verifies_beside_format_2_events(drawn, legacy_event):
    # given the events the services wrote (format 2) and one written as before (format 1)
    current = InspectionEvent.objects.exclude(pk=legacy_event.pk).order_by("sequence")

    # then the format-1 event hashes exactly as before, and reads as a sentence made from its note
    assert (legacy_event.chain_format, legacy_event.payload) == (1, {})
    assert legacy_event.hash == _hash_as_before_payloads(legacy_event)
    with translation.override("en"):
        assert inspection_event_describe(legacy_event) == (
            "Drawn with public value 20260316: 5 units drawn. Reason: 检查员回避"
        )
    # and the others are format 3, their hash covering the payload
    assert {event.chain_format for event in current} == {3}
    drawn_event = current.get(subject=f"draw:{drawn.pk}")
    assert drawn_event.payload == {"draw": 1, "public_value": "20260315", "units": 5}
    assert drawn_event.hash != _hash_as_before_payloads(drawn_event)
    # and the whole chain verifies
    assert inspection_chain_verify() is None


def test_inspection_chain_verify_names_an_event_whose_payload_was_changed(drawn):
    # given someone rewrote the draw event's public value in the database
    event = InspectionEvent.objects.get(subject=f"draw:{drawn.pk}")
    _raw_update(InspectionEvent, event.pk, payload={"draw": 1, "public_value": "20260316", "units": 5})

    # when
    broken = inspection_chain_verify()

    # then
    assert (broken.sequence, broken.event_id) == (event.sequence, event.pk)
    assert broken.reason == "其内容与记录摘要不符"


def test_inspection_chain_verify_names_a_format_2_event_passed_off_as_format_1(drawn):
    # given a format-2 event set back to format 1, whose hash leaves the payload out
    event = InspectionEvent.objects.get(subject=f"draw:{drawn.pk}")
    _raw_update(InspectionEvent, event.pk, chain_format=1)

    # when / then
    broken = inspection_chain_verify()
    assert (broken.sequence, broken.event_id) == (event.sequence, event.pk)


def test_inspection_chain_verify_names_a_format_1_event_given_a_payload(legacy_event):
    _raw_update(InspectionEvent, legacy_event.pk, payload={"units": 6})

    broken = inspection_chain_verify()
    assert (broken.sequence, broken.event_id) == (legacy_event.sequence, legacy_event.pk)


def _hash_of_format_2(event: InspectionEvent) -> str:
    """A format-2 event's hash, written out: the columns of format 1, the payload and the number 2."""
    fields = {
        "sequence": event.sequence,
        "plan": event.plan_id,
        "subject": event.subject,
        "kind": event.kind,
        "from": event.from_status,
        "to": event.to_status,
        "actor": event.actor_id,
        "note": event.note,
        "digest": event.digest,
        "at": event_time(event),
        "previous": event.previous_hash,
    }
    return event_digest({**fields, "format": 2, "payload": event.payload})


def test_a_findings_events_name_and_hash_its_problem_list_and_a_plans_own_events_none(supervision, finding):
    finding_events = InspectionEvent.objects.filter(subject=f"finding:{finding.pk}")
    plan_events = InspectionEvent.objects.filter(
        subject__startswith="plan:"
    ) | InspectionEvent.objects.filter(subject__startswith="draw:")

    assert finding_events.exists() and plan_events.exists()
    assert {(event.chain_format, event.batch_id) for event in finding_events} == {(3, finding.batch_id)}
    assert {(event.chain_format, event.batch_id) for event in plan_events} == {(3, None)}
    recorded = finding_events.get(kind=InspectionEventKind.FINDING_RECORDED)
    assert recorded.hash != _hash_of_format_2(recorded)  # the problem list is in the hash
    assert inspection_chain_verify() is None


def test_a_format_2_event_hashes_as_before_beside_format_3_events(supervision, finding):
    [event] = inspection_events_append(
        events=[
            InspectionEvent(
                plan=supervision.plan,
                subject=f"finding:{finding.pk}",
                kind=InspectionEventKind.VERIFIED,
                actor=supervision.inspectors[0],
                chain_format=2,
            )
        ]
    )

    assert InspectionEvent.objects.get(pk=event.pk).hash == _hash_of_format_2(event)
    assert inspection_chain_verify() is None


def test_inspection_chain_verify_names_an_event_moved_to_another_problem_list(supervision, finding):
    from responsibility.supervision.models import ProblemBatch

    other = ProblemBatch.objects.exclude(pk=finding.batch_id).first() or ProblemBatch.objects.create(
        source=finding.batch.source,
        title="另一份问题清单",
        year=finding.batch.year,
        raised_on=finding.batch.raised_on,
        created_by=supervision.inspectors[0],
    )
    event = InspectionEvent.objects.get(
        subject=f"finding:{finding.pk}", kind=InspectionEventKind.FINDING_RECORDED
    )
    _raw_update(InspectionEvent, event.pk, batch=other.pk)

    broken = inspection_chain_verify()

    assert (broken.sequence, broken.event_id) == (event.sequence, event.pk)


def test_inspection_chain_verify_names_a_format_3_event_passed_off_as_format_2(finding):
    event = InspectionEvent.objects.get(
        subject=f"finding:{finding.pk}", kind=InspectionEventKind.FINDING_RECORDED
    )
    _raw_update(InspectionEvent, event.pk, chain_format=2)

    broken = inspection_chain_verify()

    assert (broken.sequence, broken.event_id) == (event.sequence, event.pk)


def test_a_chain_refuses_a_format_it_does_not_declare():
    from types import SimpleNamespace

    from core.audit import AuditChain, ChainFormatError

    chain = AuditChain("test", None, None, lambda event: {"sequence": event.sequence})
    event = SimpleNamespace(sequence=1, chain_format=3, payload={})

    with pytest.raises(ChainFormatError, match="not one of the test chain's"):
        chain.event_hash(event)
    assert chain.event_hash(SimpleNamespace(sequence=1, chain_format=2, payload={}))


# --- Sentences -------------------------------------------------------------------------------------


def test_inspection_event_describe_reads_a_plan_created_changed_and_closed(supervision):
    # given the plan's team changes its title, end date and scope, then closes it
    plan, editor = supervision.plan, supervision.inspectors[0]
    inspection_plan_update(
        plan=plan,
        data=PlanInput(
            year=2026,
            title="2026年度监督检查（调整）",
            description=plan.description,
            period_start=plan.period_start,
            period_end=datetime.date(2026, 11, 30),
            scope=supervision.units[:4],
            team=supervision.inspectors,
        ),
        updated_by=editor,
        expected_version=1,
    )
    inspection_plan_close(plan=plan, closed_by=editor)

    # then
    assert sentences(f"plan:{plan.pk}") == [
        (
            InspectionEventKind.PLAN_CREATED,
            "2026年度计划“2026年度党风廉政建设责任制监督检查”：检查期2026年3月1日至2026年12月31日，"
            "检查范围5个单位，检查组2人。",
        ),
        (
            InspectionEventKind.PLAN_UPDATED,
            "名称由“2026年度党风廉政建设责任制监督检查”改为“2026年度监督检查（调整）”；"
            "检查结束日期由2026年12月31日改为2026年11月30日；检查范围已调整（现为4个单位）。",
        ),
        (InspectionEventKind.PLAN_CLOSED, "计划已关闭，不再抽签或记录。"),
    ]


def test_inspection_event_describe_reads_a_draw_and_a_redraw_with_its_reason(supervision, drawn):
    # when the plan is drawn again, with a reason
    second = spot_check_draw(
        plan=supervision.plan,
        data=draw_input(requested=3, public_value="20260316", reason="检查员回避"),
        drawn_by=supervision.inspectors[0],
    )

    # then
    assert sentences(f"draw:{drawn.pk}") == [
        (InspectionEventKind.DRAWN, "第1次抽签，公开数值20260315，抽中5个单位。")
    ]
    assert sentences(f"draw:{second.pk}") == [
        (InspectionEventKind.REDRAWN, "第2次抽签，公开数值20260316，抽中3个单位。理由：检查员回避")
    ]


def test_inspection_event_describe_reads_results_evidence_and_the_completed_inspection(
    committee_inspection,
):
    # given the inspector records both checkpoints (the first with evidence), corrects one, completes
    inspector = inspector_of(committee_inspection)
    first, second = committee_inspection.plan.checkpoints.order_by("number")
    check_result_record(
        inspection=committee_inspection,
        checkpoint=first,
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes="", files=[pdf_upload("会议记录.pdf")]),
        recorded_by=inspector,
    )
    check_result_record(
        inspection=committee_inspection,
        checkpoint=second,
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes=""),
        recorded_by=inspector,
    )
    check_result_record(
        inspection=committee_inspection,
        checkpoint=second,
        data=ResultInput(outcome=CheckOutcome.NONCONFORMING, notes="公务接待超标准。"),
        recorded_by=inspector,
        expected_version=1,
    )
    inspection_complete(inspection=committee_inspection, completed_by=inspector, summary="总体较好。")

    # then
    assert sentences(f"inspection:{committee_inspection.pk}") == [
        (InspectionEventKind.RESULT_RECORDED, "检查点1：符合。"),
        (InspectionEventKind.EVIDENCE_ADDED, "上传材料：会议记录.pdf。"),
        (InspectionEventKind.RESULT_RECORDED, "检查点2：符合。"),
        (InspectionEventKind.RESULT_RECORDED, "检查点2结果更正为“不符合”（第2版）。"),
        (InspectionEventKind.INSPECTION_COMPLETED, "各检查点均已记录结果。总体情况：总体较好。"),
    ]


def test_inspection_event_describe_reads_a_finding_its_change_and_its_rectification(supervision, finding):
    # given the finding is corrected, then rectified: submitted, sent back, submitted, verified, closed
    member, deputy = supervision.inspectors[1], supervision.org.staff[0]
    old_deadline = finding.rectification.deadline
    new_deadline = old_deadline + datetime.timedelta(days=10)
    finding_update(
        finding=finding,
        data=change_of(
            finding, severity="serious", description="另查明接待超标。", owner=deputy, deadline=new_deadline
        ),
        updated_by=member,
        expected_version=1,
    )
    rectification = finding.rectification

    def version() -> int:
        rectification.refresh_from_db()
        return rectification.version

    rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="已召开专题会议。", files=[pdf_upload()]),
        submitted_by=deputy,
        expected_version=version(),
    )
    rectification_send_back(
        rectification=rectification, sent_back_by=member, reason="缺少会议纪要。", expected_version=version()
    )
    rectification_submit(
        rectification=rectification,
        data=SubmissionInput(measures="补充会议纪要。", files=[pdf_upload("会议纪要.pdf")]),
        submitted_by=deputy,
        expected_version=version(),
    )
    rectification_verify(
        rectification=rectification, verified_by=member, note="材料齐全。", expected_version=version()
    )
    rectification_close(rectification=rectification, closed_by=member, expected_version=version())

    # then
    head = finding.responsible  # the first owner
    assert sentences(f"finding:{finding.pk}") == [
        (
            InspectionEventKind.FINDING_RECORDED,
            f"问题{finding.reference}“党组会议未专题研究党风廉政建设”：由{head.get_full_name()}于"
            f"{day(old_deadline)}前完成整改。",
        ),
        (
            InspectionEventKind.FINDING_UPDATED,
            f"具体情况已修改；严重程度由较重改为严重；整改责任人由{head.get_full_name()}改为"
            f"{deputy.get_full_name()}；整改时限由{day(old_deadline)}改为{day(new_deadline)}。",
        ),
        (InspectionEventKind.EVIDENCE_ADDED, "上传材料：会议记录.pdf。"),
        (InspectionEventKind.SUBMITTED, "报告整改完成。整改措施：已召开专题会议。"),
        (InspectionEventKind.SENT_BACK, "退回整改责任人。理由：缺少会议纪要。"),
        (InspectionEventKind.EVIDENCE_ADDED, "上传材料：会议纪要.pdf。"),
        (InspectionEventKind.SUBMITTED, "报告整改完成。整改措施：补充会议纪要。"),
        (InspectionEventKind.VERIFIED, "整改经核实通过。备注：材料齐全。"),
        (InspectionEventKind.CLOSED, "对账销号，此后不再变更。"),
    ]
    assert inspection_chain_verify() is None


def test_finding_page_shows_its_history_as_sentences(client, supervision, finding):
    # given
    client.force_login(supervision.inspectors[0])

    # when
    html = client.get(reverse("responsibility:finding-detail", args=[finding.pk])).content.decode()

    # then the record reads as a sentence, not as machine text
    assert f"问题{finding.reference}“党组会议未专题研究党风廉政建设”：由" in html
    assert "owner=" not in html


# --- Events written before payloads (format 1): their machine notes read as sentences ----------------


def _legacy(finding, kind: str, note: str, **fields) -> InspectionEvent:
    [event] = inspection_events_append(
        events=[
            InspectionEvent(
                plan=finding.plan,
                subject=f"finding:{finding.pk}",
                kind=kind,
                actor=finding.responsible,
                note=note,
                chain_format=CHAIN_FORMAT_NOTE,
                **fields,
            )
        ]
    )
    return event


@pytest.mark.parametrize(
    ("kind", "note", "sentence"),
    [
        (
            InspectionEventKind.PLAN_CREATED,
            "2026 2026年度监督检查; 2026-03-01~2026-12-31; scope=3,5,8; team=7,9",
            "Plan for 2026, “2026年度监督检查”: checks from March 1, 2026 to Dec. 31, 2026, 3 units in "
            "scope, a team of 2.",
        ),
        (
            InspectionEventKind.PLAN_UPDATED,
            "2026 检查; 调整; 2026-03-01~2026-11-30; scope=3; team=7",
            "The plan was changed. Plan for 2026, “检查; 调整”: checks from March 1, 2026 to Nov. 30, 2026, "
            "1 units in scope, a team of 1.",
        ),
        (
            InspectionEventKind.RESULT_RECORDED,
            "checkpoint=2; result=nonconforming; version=2",
            "Checkpoint 2 corrected: Nonconforming (version 2).",
        ),
        (InspectionEventKind.EVIDENCE_ADDED, "会议记录.pdf", "File attached: 会议记录.pdf."),
        (
            InspectionEventKind.SUBMITTED,
            "已召开专题会议。",
            "Reported as rectified. Measures taken: 已召开专题会议。",
        ),
        # a note that does not read back is shown as it is
        (InspectionEventKind.RESULT_RECORDED, "checkpoint=2", "checkpoint=2"),
    ],
)
def test_inspection_event_describe_reads_a_format_1_note_as_a_sentence(finding, kind, note, sentence):
    # given an event written before payloads, its facts as machine text in the note
    event = _legacy(finding, kind, note)

    # when / then
    with translation.override("en"):
        assert inspection_event_describe(event) == sentence


def test_a_format_1_finding_reads_with_names_and_days_not_ids(client, supervision, finding):
    # given a finding recorded and corrected before payloads: owners by id, deadlines in ISO
    head, deputy = finding.responsible, supervision.org.staff[0]
    recorded = _legacy(
        finding,
        InspectionEventKind.FINDING_RECORDED,
        f"{finding.reference} 接待超标; 另查; owner={head.pk}; deadline=2026-05-01",
        to_status="open",
    )
    corrected = _legacy(
        finding,
        InspectionEventKind.FINDING_UPDATED,
        f"title; severity; owner={deputy.pk}; requirement; deadline=2026-05-01→2026-06-01",
    )

    # then each reads as a sentence: the people by name, the days as the site writes them
    with translation.override("en"):
        assert inspection_event_describe(recorded) == (
            f"Finding {finding.reference}, “接待超标; 另查”: {head.get_full_name()} to rectify it by "
            "May 1, 2026."
        )
        assert inspection_event_describe(corrected) == (
            f"problem changed; severity changed; owner changed to {deputy.get_full_name()}; "
            "what must be rectified changed; deadline from May 1, 2026 to June 1, 2026."
        )
    assert inspection_chain_verify() is None
    # and the finding's page, in Chinese, shows no machine text
    client.force_login(supervision.inspectors[0])
    html = client.get(reverse("responsibility:finding-detail", args=[finding.pk])).content.decode()
    assert "owner=" not in html and "deadline=" not in html
    assert f"由{head.get_full_name()}于2026年5月1日前完成整改。" in html
    assert "整改时限由2026年5月1日改为2026年6月1日" in html
