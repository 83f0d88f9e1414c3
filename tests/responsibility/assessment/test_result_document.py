"""A unit's sealed 考核结果: rendered as PDF/A, sealed, stored as a numbered version with the verification
code printed on it, recorded in the assessment chain, found by the public verification; issued again
only when it reads otherwise (after an upheld objection), the new version superseding the old.

Real renders and seals (about 0.5 s each; the first in a process also loads the fonts, about 1.5 s).
"""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from core.audit import AUDIT_CHAINS, chain_verify
from core.verification import Standing, sealed_record_by_code, sealed_record_by_sha256
from responsibility.assessment.models import AssessmentEventKind, AssessmentResultDocument
from responsibility.assessment.services.objections import objection_answer, objection_lodge
from responsibility.assessment.services.results import assessment_result_issue
from responsibility.assessment.services.rounds import RoundRefused
from responsibility.letters.verify import pdf_seal_check
from tests.responsibility.assessment.conftest import card_of, review_all, score_of
from tests.responsibility.pdf.reading import compact, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_seal")]


def _stored(document) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


@pytest.fixture
def approved_round(org, assessment_round):
    from responsibility.assessment.services.rounds import round_approve

    review_all(assessment_round, org)
    return round_approve(assessment_round=assessment_round, approved_by=org.secretary)


def test_the_office_issues_a_units_sealed_result_once_for_what_it_says(org, approved_round):
    """About 3 s: two real renders and seals, read back."""
    card = card_of(approved_round, org.head_posts[0].unit)

    first = assessment_result_issue(unit_assessment=card, issued_by=org.office_admin)

    document = first.document
    assert first.issued and document.version == 1
    pdf = _stored(document)
    assert hashlib.sha256(pdf).hexdigest() == document.sha256
    assert pdf_seal_check(pdf=pdf)
    text = compact(pdf_text(pdf))
    assert compact("法制工作委员会") in text and compact("考核结果") in text
    assert compact(f"考核〔2026〕{card.pk}号（第1版）") in text and document.verification_code in text
    assert compact("核准总分") in text and compact("41") in text and compact("考核评分明细") in text
    event = approved_round.events.get(kind=AssessmentEventKind.RESULT_ISSUED)
    assert (
        event.digest == document.sha256 and event.payload["points"] == "41" and event.payload["grade"] == "好"
    )
    # Nothing changed: the same result again is that version, not a new one.
    again = assessment_result_issue(unit_assessment=card, issued_by=org.office_admin)
    assert not again.issued and again.document.pk == document.pk
    assert AssessmentResultDocument.objects.count() == 1
    record = sealed_record_by_code(document.verification_code)
    assert (
        record is not None
        and record.standing == Standing.IN_FORCE
        and record.chain.sequence == event.sequence
    )
    assert sealed_record_by_sha256(document.sha256).reference == f"考核〔2026〕{card.pk}号"
    assert chain_verify(AUDIT_CHAINS["assessment"]) is None


def test_an_upheld_objection_makes_the_next_version_which_supersedes(org, approved_round):
    """About 3 s: two real renders and seals."""
    card = card_of(approved_round, org.head_posts[0].unit)
    first = assessment_result_issue(unit_assessment=card, issued_by=org.office_admin).document
    objection = objection_lodge(score=score_of(card, "1.3"), text="补交了谈话记录。", lodged_by=org.heads[0])
    objection_answer(
        objection=objection, upheld=True, answer="0", reply="予以采纳。", answered_by=org.inspector
    )

    second = assessment_result_issue(unit_assessment=card, issued_by=org.office_admin)

    assert second.issued and second.document.version == 2
    text = compact(pdf_text(_stored(second.document)))
    assert compact("经异议复核") in text and compact("予以采纳") in text
    assert sealed_record_by_code(first.verification_code).standing == Standing.SUPERSEDED


def test_the_result_waits_for_the_approval_and_only_the_office_issues_it(org, assessment_round):
    card = card_of(assessment_round, org.head_posts[0].unit)
    with pytest.raises(RoundRefused) as refused:
        assessment_result_issue(unit_assessment=card, issued_by=org.office_admin)
    assert refused.value.code == "not_published"
    for user in (org.inspector, org.secretary, org.heads[0]):
        with pytest.raises(PermissionDenied):
            assessment_result_issue(unit_assessment=card, issued_by=user)
    assert not AssessmentResultDocument.objects.exists()


def test_the_card_page_issues_and_hands_over_the_sealed_versions(client, org, approved_round):
    """About 2 s: one real render and seal."""
    card = card_of(approved_round, org.head_posts[0].unit)
    client.force_login(org.office_admin)
    page = client.post(
        reverse("responsibility:card-result-issue", args=[card.pk]), follow=True
    ).content.decode()
    document = AssessmentResultDocument.objects.get()
    assert (
        f"第1版考核结果已出具并盖章，验证码为{document.verification_code}。" in page
        and document.verification_code in page
    )
    client.force_login(org.heads[0])
    download = client.get(reverse("responsibility:card-result-document", args=[card.pk, 1]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == _stored(document)
    client.force_login(org.heads[1])
    assert client.get(reverse("responsibility:card-result-document", args=[card.pk, 1])).status_code == 404


postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the refusing triggers exist on PostgreSQL only (CI runs it)"
)


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE responsibility_assessmentresultdocument SET sha256 = repeat('0', 64) WHERE id = %s",
        "UPDATE responsibility_assessmentresultdocument SET version = version + 1 WHERE id = %s",
        "DELETE FROM responsibility_assessmentresultdocument WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_issued_result(org, approved_round, statement):
    """About 1.5 s: one real render and seal."""
    document = assessment_result_issue(
        unit_assessment=card_of(approved_round, org.head_posts[0].unit), issued_by=org.office_admin
    ).document
    with (
        pytest.raises(IntegrityError, match="is refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [document.pk])
    assert AssessmentResultDocument.objects.get(pk=document.pk).sha256 == document.sha256


def test_the_office_issues_the_rounds_sealed_results_every_unit_ranked(client, org, approved_round):
    """About 2 s: one real render and seal, read back."""
    from responsibility.assessment.models import AssessmentRoundResultDocument
    from responsibility.assessment.services.results import round_result_issue

    with pytest.raises(PermissionDenied):
        round_result_issue(assessment_round=approved_round, issued_by=org.inspector)
    result = round_result_issue(assessment_round=approved_round, issued_by=org.office_admin)

    document = result.document
    assert result.issued and document.version == 1
    pdf = _stored(document)
    assert pdf_seal_check(pdf=pdf)
    text = compact(pdf_text(pdf))
    assert (
        compact("结果的通报") in text and compact(f"考核通报〔2026〕{approved_round.pk}号（第1版）") in text
    )
    assert compact("法制工作委员会") in text and compact("财政经济工作委员会") in text
    event = approved_round.events.get(kind=AssessmentEventKind.ROUND_RESULT_ISSUED)
    assert event.digest == document.sha256 and event.payload["units"] == 2
    assert sealed_record_by_code(document.verification_code).chain.sequence == event.sequence
    assert not round_result_issue(assessment_round=approved_round, issued_by=org.office_admin).issued
    assert AssessmentRoundResultDocument.objects.count() == 1
    url = reverse("responsibility:round-result-document", args=[approved_round.pk, 1])
    client.force_login(org.secretary)
    assert client.get(url).status_code == 200
    client.force_login(org.heads[0])  # a unit head sees the round, not the others' results
    assert client.get(url).status_code == 404
