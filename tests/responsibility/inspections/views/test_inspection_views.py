"""A drawn unit's checklist through the client: reading it, recording results with evidence, completing it."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import OrgUnit
from responsibility.evidence.models import EvidenceFile
from responsibility.letters.models.letters import ClauseCategory, LetterClause
from responsibility.supervision.models import (
    CheckOutcome,
    CheckResult,
    Inspection,
    InspectionEvent,
    InspectionStatus,
)
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.plans import (
    CheckpointInput,
    PlanInput,
    checkpoint_create,
    inspection_plan_create,
)
from responsibility.supervision.services.rectifications import finding_record
from tests.responsibility.inspections.conftest import finding_input, inspector_of, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Read the pages in English (the language switch's cookie), so the assertions read the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence of this test only."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def url(name: str, *args) -> str:
    return reverse(f"responsibility:{name}", args=args)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def checkpoint_of(inspection: Inspection, number: int):
    return inspection.plan.checkpoints.get(number=number)


def record_url(inspection: Inspection, checkpoint) -> str:
    return url("check-result-record", inspection.pk, checkpoint.pk)


def nothing_recorded(inspection: Inspection) -> bool:
    return (
        not CheckResult.objects.filter(inspection=inspection).exists()
        and not EvidenceFile.objects.exists()
        and not InspectionEvent.objects.filter(subject=f"inspection:{inspection.pk}").exists()
        and Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.PENDING
    )


def other_inspection(committee_inspection: Inspection) -> Inspection:
    """The inspection of a unit without a signed letter, in the same draw."""
    return Inspection.objects.filter(draw=committee_inspection.draw, unit__name="办公室").get()


# --- Reading the checklist ----------------------------------------------------------------------------


def test_inspection_detail_shows_each_checkpoint_with_the_clauses_the_unit_signed(
    client, supervision, committee_inspection
):
    client.force_login(supervision.org.office_admin)

    response = client.get(url("inspection-detail", committee_inspection.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert "研究部署党风廉政建设工作，有会议记录。" in body
    rows = response.context["rows"]
    first_categories = {clause.category for clause in rows[0]["clauses"]}
    assert first_categories and first_categories <= {ClauseCategory.PRINCIPAL, ClauseCategory.POLITICAL}
    signed = LetterClause.objects.filter(
        letter__signer_unit=committee_inspection.unit, category=ClauseCategory.PRINCIPAL
    ).first()
    assert signed.letter.reference in body and signed.text in body
    assert "has no signed responsibility letter" not in body


def test_inspection_detail_gives_the_result_forms_only_to_the_assigned_inspector(
    client, supervision, committee_inspection
):
    inspector = inspector_of(committee_inspection)
    colleague = next(member for member in supervision.inspectors if member != inspector)

    client.force_login(inspector)
    own = client.get(url("inspection-detail", committee_inspection.pk)).content.decode()
    client.force_login(colleague)
    colleague_page = client.get(url("inspection-detail", committee_inspection.pk)).content.decode()
    client.force_login(supervision.org.office_admin)
    office_page = client.get(url("inspection-detail", committee_inspection.pk)).content.decode()

    checkpoint = checkpoint_of(committee_inspection, 1)
    assert record_url(committee_inspection, checkpoint) in own
    assert 'enctype="multipart/form-data"' in own
    assert 'name="version" value="0"' in own
    # the sign-off is not offered while checkpoints lack a result: the page says which
    assert url("inspection-complete", committee_inspection.pk) not in own
    missing = "、".join(str(number) for number in range(1, committee_inspection.plan.checkpoints.count() + 1))
    assert f"Record a result for every checkpoint first; missing: {missing}." in own
    assert url("finding-create", committee_inspection.pk) in own
    for page in (colleague_page, office_page):
        assert record_url(committee_inspection, checkpoint) not in page
        assert url("inspection-complete", committee_inspection.pk) not in page
    assert url("finding-create", committee_inspection.pk) in colleague_page  # a team member raises findings
    assert url("finding-create", committee_inspection.pk) not in office_page


def test_inspection_detail_says_plainly_when_the_unit_signed_no_letter(
    client, supervision, committee_inspection
):
    inspection = other_inspection(committee_inspection)
    client.force_login(supervision.inspectors[0])

    response = client.get(url("inspection-detail", inspection.pk))

    assert "办公室 has no signed responsibility letter" in response.content.decode()
    assert not response.context["has_signed_letter"]


def test_inspection_detail_lists_results_evidence_and_findings(client, supervision, finding):
    inspection = finding.inspection
    check_result_record(
        inspection=inspection,
        checkpoint=checkpoint_of(inspection, 1),
        data=ResultInput(
            outcome=CheckOutcome.MOSTLY_CONFORMING, notes="会议记录不全。", files=[pdf_upload()]
        ),
        recorded_by=inspector_of(inspection),
    )
    evidence = EvidenceFile.objects.get()
    client.force_login(supervision.org.secretary)

    response = client.get(url("inspection-detail", inspection.pk))

    body = response.content.decode()
    assert "会议记录不全。" in body and "Mostly conforming" in body
    assert url("evidence-download", evidence.pk) in body and "会议记录.pdf" in body
    assert url("finding-detail", finding.pk) in body and finding.reference in body


def test_inspection_detail_is_a_404_for_a_unit_head(client, supervision, committee_inspection):
    client.force_login(supervision.org.heads[0])

    assert client.get(url("inspection-detail", committee_inspection.pk)).status_code == 404


def test_inspection_detail_query_count_does_not_grow_with_results_evidence_and_findings(
    client, supervision, committee_inspection, django_assert_max_num_queries
):
    inspector = inspector_of(committee_inspection)
    client.force_login(inspector)

    def count() -> int:
        with django_assert_max_num_queries(40) as captured:
            response = client.get(url("inspection-detail", committee_inspection.pk))
        assert response.status_code == 200
        return len(captured.captured_queries)

    # one of each first (a prefetch runs only when there is something to fetch), then many
    first = check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint_of(committee_inspection, 2),
        data=ResultInput(outcome=CheckOutcome.NONCONFORMING, notes="", files=[pdf_upload()]),
        recorded_by=inspector,
    )
    finding_record(
        inspection=committee_inspection,
        data=finding_input(committee_inspection, check_result=first),
        recorded_by=inspector,
    )
    small = count()
    for number in range(3):
        checkpoint_create(
            plan=committee_inspection.plan,
            data=CheckpointInput(f"检查点{number}", "标准", [ClauseCategory.SELF_DISCIPLINE], 10, False),
            created_by=supervision.inspectors[0],
        )
    for checkpoint in committee_inspection.plan.checkpoints.exclude(number=2):
        result = check_result_record(
            inspection=committee_inspection,
            checkpoint=checkpoint,
            data=ResultInput(
                outcome=CheckOutcome.NONCONFORMING, notes="", files=[pdf_upload(), pdf_upload("b.pdf")]
            ),
            recorded_by=inspector,
        )
    for _ in range(2):
        finding_record(
            inspection=committee_inspection,
            data=finding_input(committee_inspection, check_result=result),
            recorded_by=inspector,
        )

    assert count() == small


# --- Recording a result -------------------------------------------------------------------------------


def test_check_result_record_get_goes_back_to_the_checkpoint(client, supervision, committee_inspection):
    checkpoint = checkpoint_of(committee_inspection, 1)
    client.force_login(supervision.org.office_admin)

    response = client.get(record_url(committee_inspection, checkpoint))

    assert response.status_code == 302
    assert (
        response["Location"]
        == url("inspection-detail", committee_inspection.pk) + f"#checkpoint-{checkpoint.pk}"
    )


def test_check_result_record_stores_the_result_with_its_evidence(client, supervision, committee_inspection):
    checkpoint = checkpoint_of(committee_inspection, 1)
    client.force_login(inspector_of(committee_inspection))

    response = client.post(
        record_url(committee_inspection, checkpoint),
        {
            "outcome": CheckOutcome.CONFORMING,
            "notes": "有专题会议记录。",
            "files": [pdf_upload(), pdf_upload("纪要.pdf")],
            "version": 0,
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#checkpoint-{checkpoint.pk}")
    result = CheckResult.objects.get(inspection=committee_inspection, checkpoint=checkpoint)
    assert (result.outcome, result.notes, result.version) == (CheckOutcome.CONFORMING, "有专题会议记录。", 1)
    assert sorted(result.evidence.values_list("original_name", flat=True)) == ["会议记录.pdf", "纪要.pdf"]
    assert Inspection.objects.get(pk=committee_inspection.pk).status == InspectionStatus.IN_PROGRESS


def test_check_result_record_corrects_a_result_from_its_current_version(
    client, supervision, committee_inspection
):
    checkpoint = checkpoint_of(committee_inspection, 2)
    inspector = inspector_of(committee_inspection)
    check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint,
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes=""),
        recorded_by=inspector,
    )
    client.force_login(inspector)

    response = client.post(
        record_url(committee_inspection, checkpoint),
        {"outcome": CheckOutcome.NONCONFORMING, "notes": "超标准接待。", "version": 1},
    )

    result = CheckResult.objects.get(inspection=committee_inspection, checkpoint=checkpoint)
    assert response.status_code == 302
    assert (result.outcome, result.version) == (CheckOutcome.NONCONFORMING, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"outcome": CheckOutcome.CONFORMING, "files": [SimpleUploadedFile("a.exe", b"MZ\x90\x00binary")]},
            "“a.exe” is not an accepted file.",
        ),
        (
            {
                "outcome": CheckOutcome.CONFORMING,
                "files": [SimpleUploadedFile("假.pdf", b"<html>not a pdf</html>")],
            },
            "“假.pdf” is not an accepted file.",
        ),
        ({"outcome": CheckOutcome.CONFORMING}, "Checkpoint 1 needs evidence: attach at least one file."),
        ({"outcome": ""}, "Choose a result."),
    ],
)
def test_check_result_record_refuses_bad_input_shows_the_message_and_records_nothing(
    client, supervision, committee_inspection, data, message
):
    checkpoint = checkpoint_of(committee_inspection, 1)  # evidence required
    client.force_login(inspector_of(committee_inspection))

    response = client.post(
        record_url(committee_inspection, checkpoint), {"notes": "我的备注", "version": 0, **data}
    )

    assert response.status_code == 400
    assert message in message_texts(response)[0]
    assert "我的备注" in response.content.decode()  # the input is kept
    assert nothing_recorded(committee_inspection)


def test_check_result_record_refuses_an_oversized_file(client, settings, supervision, committee_inspection):
    settings.EVIDENCE_MAX_BYTES = 20
    checkpoint = checkpoint_of(committee_inspection, 1)
    client.force_login(inspector_of(committee_inspection))

    response = client.post(
        record_url(committee_inspection, checkpoint),
        {
            "outcome": CheckOutcome.CONFORMING,
            "files": [pdf_upload(content=b"%PDF-1.7\n" + b"0" * 40)],
            "version": 0,
        },
    )

    assert response.status_code == 400
    assert "files may be at most 20" in message_texts(response)[0]
    assert nothing_recorded(committee_inspection)


def test_check_result_record_refuses_a_stale_version(client, supervision, committee_inspection):
    # given the other inspector recorded the result after this page was loaded (with version 0)
    checkpoint = checkpoint_of(committee_inspection, 2)
    inspector = inspector_of(committee_inspection)
    check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint,
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes="先记录的"),
        recorded_by=inspector,
    )
    client.force_login(inspector)

    response = client.post(
        record_url(committee_inspection, checkpoint),
        {"outcome": CheckOutcome.NONCONFORMING, "notes": "后记录的", "version": 0},
    )

    result = CheckResult.objects.get(inspection=committee_inspection, checkpoint=checkpoint)
    assert response.status_code == 400
    assert "Someone else changed this result after you opened the page." in message_texts(response)[0]
    assert (result.outcome, result.notes, result.version) == (CheckOutcome.CONFORMING, "先记录的", 1)


def test_check_result_record_refuses_a_checkpoint_of_another_plan(client, supervision, committee_inspection):
    other_plan = inspection_plan_create(
        data=PlanInput(
            year=2026,
            title="另一个计划",
            description="",
            period_start=committee_inspection.plan.period_start,
            period_end=committee_inspection.plan.period_end,
            scope=[OrgUnit.objects.get(pk=committee_inspection.unit_id)],
            team=supervision.inspectors,
        ),
        created_by=supervision.inspectors[0],
    )
    foreign = checkpoint_create(
        plan=other_plan,
        data=CheckpointInput("别的检查点", "标准", [ClauseCategory.RULES], 10, False),
        created_by=supervision.inspectors[0],
    )
    client.force_login(inspector_of(committee_inspection))

    response = client.post(
        record_url(committee_inspection, foreign), {"outcome": CheckOutcome.CONFORMING, "version": 0}
    )

    assert response.status_code == 400
    assert message_texts(response) == ["This checkpoint is not part of the inspection's plan."]
    assert nothing_recorded(committee_inspection)


def test_check_result_record_is_a_404_for_an_unknown_checkpoint(client, supervision, committee_inspection):
    client.force_login(inspector_of(committee_inspection))

    response = client.post(
        url("check-result-record", committee_inspection.pk, 999999), {"outcome": "conforming"}
    )

    assert response.status_code == 404
    assert nothing_recorded(committee_inspection)


def test_check_result_record_is_forbidden_to_a_team_member_not_drawn_for_the_unit(
    client, supervision, committee_inspection
):
    colleague = next(
        member for member in supervision.inspectors if member != inspector_of(committee_inspection)
    )
    client.force_login(colleague)

    response = client.post(
        record_url(committee_inspection, checkpoint_of(committee_inspection, 2)),
        {"outcome": CheckOutcome.CONFORMING, "version": 0},
    )

    assert response.status_code == 403
    assert nothing_recorded(committee_inspection)


# --- Completing ---------------------------------------------------------------------------------------


def test_inspection_complete_refuses_while_a_checkpoint_has_no_result(
    client, supervision, committee_inspection
):
    inspector = inspector_of(committee_inspection)
    check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint_of(committee_inspection, 2),
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes=""),
        recorded_by=inspector,
    )
    client.force_login(inspector)

    response = client.post(url("inspection-complete", committee_inspection.pk), {"summary": "总体良好"})

    assert response.status_code == 400
    assert message_texts(response) == ["Record a result for every checkpoint first; missing: 1."]
    assert "总体良好" in response.content.decode()
    assert Inspection.objects.get(pk=committee_inspection.pk).status == InspectionStatus.IN_PROGRESS


def test_the_sign_off_is_offered_only_once_every_checkpoint_has_a_result(
    client, supervision, committee_inspection
):
    # given one of the plan's two checkpoints with a result
    inspector = inspector_of(committee_inspection)
    check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint_of(committee_inspection, 2),
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes=""),
        recorded_by=inspector,
    )
    client.force_login(inspector)

    # when the inspector opens the checklist
    before = client.get(url("inspection-detail", committee_inspection.pk)).content.decode()

    # then no sign-off form that could only be refused; the page says what is missing
    assert url("inspection-complete", committee_inspection.pk) not in before
    assert "Record a result for every checkpoint first; missing: 1." in before

    # when the last result is recorded, the form is there and the reason gone
    check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint_of(committee_inspection, 1),
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes="", files=[pdf_upload()]),
        recorded_by=inspector,
    )
    after = client.get(url("inspection-detail", committee_inspection.pk)).content.decode()
    assert url("inspection-complete", committee_inspection.pk) in after
    assert "Record a result for every checkpoint first" not in after


def test_inspection_complete_signs_the_check_off_and_closes_the_forms(
    client, supervision, committee_inspection
):
    inspector = inspector_of(committee_inspection)
    for number in (1, 2):
        check_result_record(
            inspection=committee_inspection,
            checkpoint=checkpoint_of(committee_inspection, number),
            data=ResultInput(outcome=CheckOutcome.CONFORMING, notes="", files=[pdf_upload()]),
            recorded_by=inspector,
        )
    client.force_login(inspector)

    response = client.post(url("inspection-complete", committee_inspection.pk), {"summary": "总体良好"})
    page = client.get(url("inspection-detail", committee_inspection.pk))

    inspection = Inspection.objects.get(pk=committee_inspection.pk)
    assert response.status_code == 302
    assert (inspection.status, inspection.summary) == (InspectionStatus.COMPLETED, "总体良好")
    assert (
        record_url(committee_inspection, checkpoint_of(committee_inspection, 1)) not in page.content.decode()
    )
    assert "总体良好" in page.content.decode()


def test_inspection_complete_is_forbidden_to_the_office(client, supervision, committee_inspection):
    client.force_login(supervision.org.office_admin)

    response = client.post(url("inspection-complete", committee_inspection.pk), {"summary": ""})

    assert response.status_code == 403
    assert Inspection.objects.get(pk=committee_inspection.pk).status == InspectionStatus.PENDING
