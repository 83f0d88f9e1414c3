"""廉政意见回复: a request registered, every source checked and listed with what it showed, the conclusion
written, the reply sealed (廉复〔2026〕N号) and verifiable; a changed byte does not verify; issued, it never
changes.

Real renders and seals (about 0.5 s each; the first in a process also loads the fonts, about 1.5 s).
"""

import datetime
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from core.errors import ApplicationError
from core.integrity import INTEGRITY_CHECKS
from core.verification import Standing, sealed_record_by_code
from responsibility.cadres.models import (
    CadreEvent,
    CadreEventKind,
    FileDocumentKind,
    IntegrityOpinion,
    IntegrityOpinionDocument,
    OpinionStatus,
)
from responsibility.cadres.opinions import opinion_issue, opinion_register, opinion_save
from responsibility.letters.verify import VerificationOutcome, pdf_verify
from responsibility.supervision.services.problems import problem_batch_open, problem_record
from tests.accounts.anchors.conftest import raw_sql
from tests.responsibility.cadres.conftest import document_added
from tests.responsibility.inspections.conftest import batch_input, problem_input
from tests.responsibility.inspections.ledger_helpers import make_overdue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

SOURCES = ["任职情况", "责任书签订", "一岗双责", "廉政谈话", "述责述廉", "问题整改", "考核结果", "档案材料"]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_overdue_rectification(files):
    """A problem of a democratic life meeting's list in the cadre's committee, which they answer for,
    past its deadline."""

    def make(cadre) -> None:
        office = files.duties.org.office_admin
        batch = problem_batch_open(data=batch_input(), opened_by=office)
        finding = problem_record(batch=batch, data=problem_input(cadre.posts.get().unit), recorded_by=office)
        make_overdue(finding)

    return make


def registered(files, *, cadre=None, **change) -> IntegrityOpinion:
    data = {
        "purpose": "拟提拔为常委会副秘书长",
        "requested_by": "机关党委",
        "request_reference": "机党函〔2026〕12号",
        "received_on": datetime.date(2026, 5, 14),
        **change,
    }
    return opinion_register(cadre=cadre or files.cadre, registered_by=files.inspector, **data)


def stored(document) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def _weighed(opinion: IntegrityOpinion) -> list[str]:
    """The sources that showed something to weigh, by their names in SOURCES' order."""
    return [name for name, finding in zip(SOURCES, opinion.findings, strict=True) if finding["attention"]]


def test_registering_checks_every_source_and_says_what_each_showed(files):
    opinion = registered(files)

    assert len(opinion.findings) == len(SOURCES) and all(finding["showed"] for finding in opinion.findings)
    assert "法制工作委员会主任" in opinion.findings[0]["showed"]  # the post held now
    # the head's duty periods due before today are not done: the one thing to weigh, so no wording is
    # suggested
    assert _weighed(opinion) == ["一岗双责"]
    assert "10" in opinion.findings[2]["showed"]
    assert opinion.conclusion == ""
    event = CadreEvent.objects.get(subject=f"opinion:{opinion.pk}")
    assert event.kind == CadreEventKind.OPINION_REGISTERED and event.payload["sources"] == len(SOURCES)
    assert event.payload["attention"] == 1


def test_when_no_source_shows_anything_to_weigh_the_usual_wording_is_suggested(files):
    section_chief = files.duties.org.staff[1]  # 法规处处长: no duty assignment, nothing on file
    opinion = registered(files, cadre=section_chief)

    assert _weighed(opinion) == []
    assert section_chief.get_full_name() in opinion.conclusion


def test_a_complaint_in_the_file_is_a_matter_to_weigh(files):
    document_added(files, kind=FileDocumentKind.COMPLAINT)

    assert _weighed(registered(files)) == ["一岗双责", "档案材料"]


def test_an_overdue_rectification_they_answer_for_is_a_matter_to_weigh(files, make_overdue_rectification):
    make_overdue_rectification(files.cadre)

    assert _weighed(registered(files)) == ["一岗双责", "问题整改"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"purpose": " "}, "purpose"),
        ({"requested_by": ""}, "requested_by"),
        ({"received_on": datetime.date(2026, 5, 16)}, "received_on"),
    ],
)
def test_a_request_with_bad_input_is_refused_and_nothing_is_recorded(files, change, code):
    with pytest.raises(ApplicationError) as refused:
        registered(files, **change)
    assert refused.value.code == code
    assert (
        not IntegrityOpinion.objects.exists()
        and not CadreEvent.objects.filter(subject__startswith="opinion").exists()
    )


def test_only_the_team_registers_and_reads_replies(client, files):
    with pytest.raises(PermissionDenied):
        opinion_register(
            cadre=files.cadre,
            registered_by=files.duties.org.office_admin,
            purpose="评优",
            requested_by="机关党委",
            received_on=datetime.date(2026, 5, 14),
        )
    opinion = registered(files)
    for user in (files.cadre, files.requester, files.duties.org.secretary):
        client.force_login(user)
        assert client.get(reverse("responsibility:opinion-detail", args=[opinion.pk])).status_code == 404
        assert client.get(reverse("responsibility:opinion-list")).status_code == 403


def test_saving_again_with_a_recheck_reads_the_sources_anew(files, clock):
    opinion = registered(files)
    document_added(files, kind=FileDocumentKind.MEASURE)
    clock.move_to(datetime.datetime(2026, 5, 15, 15, 0))

    saved = opinion_save(
        opinion=opinion,
        saved_by=files.inspector,
        conclusion="该同志受到组织处理一次，已按期整改。",
        recheck=True,
        expected_version=opinion.version,
    )

    assert saved.checked_at > opinion.checked_at
    assert any(finding["attention"] for finding in saved.findings)
    assert list(INTEGRITY_CHECKS["integrity_opinions"].run()) == []


def test_a_reply_changed_in_the_database_shows_in_the_integrity_report(files):
    opinion = registered(files)
    raw_sql("UPDATE responsibility_integrityopinion SET conclusion = %s WHERE id = %s", ["改写", opinion.pk])

    [problem] = INTEGRITY_CHECKS["integrity_opinions"].run()
    assert files.cadre.get_full_name() in problem.subject


def test_a_reply_is_issued_only_with_a_conclusion(files, report_seal):
    opinion = registered(files)
    opinion = opinion_save(
        opinion=opinion,
        saved_by=files.inspector,
        conclusion=" ",
        recheck=False,
        expected_version=opinion.version,
    )
    with pytest.raises(ApplicationError, match="请先填写意见"):
        opinion_issue(opinion=opinion, issued_by=files.inspector)
    assert not IntegrityOpinionDocument.objects.exists()


def test_the_sealed_reply_lists_every_source_and_verifies_and_a_changed_byte_does_not(
    files, report_seal, tmp_path
):
    opinion = registered(files)
    opinion = opinion_save(
        opinion=opinion,
        saved_by=files.inspector,
        conclusion="经查，该同志部分履责任务未按期完成，已督促整改；未发现违反廉洁纪律的问题。",
        recheck=False,
        expected_version=opinion.version,
    )

    document = opinion_issue(opinion=opinion, issued_by=files.inspector).document

    path = tmp_path / "reply.pdf"
    path.write_bytes(stored(document))
    text = "".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode().split()
    )
    assert f"廉复〔2026〕{opinion.pk}号" in text and "关于" in text and "机关党委：" in text
    assert all(finding["source"] in text for finding in opinion.findings) and "已督促整改" in text
    with translation.override("en"):
        assert pdf_verify(pdf=stored(document)).outcome == VerificationOutcome.AUTHENTIC
        record = sealed_record_by_code(document.verification_code)
    assert record.kind_label == "Integrity opinion" and record.standing == Standing.IN_FORCE
    event = CadreEvent.objects.get(kind=CadreEventKind.OPINION_ISSUED)
    assert event.digest == document.sha256
    # a changed byte does not verify
    pdf = bytearray(stored(document))
    pdf[len(pdf) // 2] = (pdf[len(pdf) // 2] + 1) % 256
    assert not pdf_verify(pdf=bytes(pdf)).authentic
    # issued, it never changes: issuing again returns the same version, saving is refused
    opinion = IntegrityOpinion.objects.get(pk=opinion.pk)
    assert opinion.status == OpinionStatus.ISSUED
    again = opinion_issue(opinion=opinion, issued_by=files.inspector)
    assert not again.issued and again.document == document
    with pytest.raises(ApplicationError, match="issued|已出具"):
        opinion_save(
            opinion=opinion,
            saved_by=files.inspector,
            conclusion="改",
            recheck=False,
            expected_version=opinion.version,
        )
    assert list(INTEGRITY_CHECKS["integrity_opinion_documents"].run()) == []
