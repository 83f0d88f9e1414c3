"""Evidence downloads: the stored bytes as an attachment, only for those who may see the record."""

import logging
from pathlib import Path

import pytest
from django.urls import reverse

from responsibility.evidence.models import EvidenceFile
from responsibility.supervision.models import CheckOutcome
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.rectifications import SubmissionInput, rectification_submit
from tests.responsibility.inspections.conftest import inspector_of, pdf_upload

pytestmark = pytest.mark.django_db

REPORT = b"%PDF-1.7\n% rectification report\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Read the pages in English (the language switch's cookie), so the assertions read the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def report(finding) -> EvidenceFile:
    """The owner's report, attached when they submitted the rectification."""
    rectification_submit(
        rectification=finding.rectification,
        data=SubmissionInput(measures="已整改。", files=[pdf_upload("整改报告（终稿）.pdf", REPORT)]),
        submitted_by=finding.rectification.owner,
        expected_version=None,
    )
    return EvidenceFile.objects.get(rectification__finding=finding)


def _download(client, evidence: EvidenceFile):
    return client.get(reverse("responsibility:evidence-download", args=[evidence.pk]))


def _stored_path(evidence: EvidenceFile) -> Path:
    return Path(evidence.file.path)


def test_the_owner_downloads_the_stored_bytes_as_an_attachment(client, finding, report):
    client.force_login(finding.rectification.owner)

    response = _download(client, report)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == REPORT
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")  # never inline
    assert (
        "filename*=utf-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A%EF%BC%88%E7%BB%88%E7%A8%BF%EF%BC%89.pdf"
        in (disposition)
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_team_and_the_office_may_download_it_too(client, supervision, finding, report):
    for user in (supervision.inspectors[0], supervision.outside_inspector, supervision.org.office_admin):
        client.force_login(user)
        assert _download(client, report).status_code == 200


def test_the_finding_page_links_its_evidence_for_download(client, finding, report):
    client.force_login(finding.rectification.owner)
    page = client.get(reverse("responsibility:finding-detail", args=[finding.pk])).content.decode()
    assert reverse("responsibility:evidence-download", args=[report.pk]) in page
    assert "整改报告（终稿）.pdf" in page


@pytest.mark.parametrize("who", ["outsider", "other unit head"])
def test_evidence_is_404_for_those_who_cannot_see_its_finding(client, supervision, finding, report, who):
    user = supervision.org.outsider if who == "outsider" else supervision.org.heads[1]
    client.force_login(user)

    response = _download(client, report)

    assert response.status_code == 404
    assert REPORT not in response.content


def test_evidence_of_a_check_result_is_404_for_the_unit_head(client, supervision, committee_inspection):
    # given evidence attached to a checkpoint result (the inspection is the team's, not the unit's)
    result = check_result_record(
        inspection=committee_inspection,
        checkpoint=committee_inspection.plan.checkpoints.get(number=1),
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes="有会议记录。", files=[pdf_upload()]),
        recorded_by=inspector_of(committee_inspection),
    )
    evidence = result.evidence.get()

    client.force_login(supervision.heads[committee_inspection.unit_id])
    assert _download(client, evidence).status_code == 404
    client.force_login(supervision.inspectors[1])
    assert _download(client, evidence).status_code == 200


def test_an_unknown_evidence_number_is_404(client, supervision):
    client.force_login(supervision.inspectors[0])
    assert client.get(reverse("responsibility:evidence-download", args=[999999])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, report):
    response = _download(client, report)
    assert response.status_code == 302
    assert "/login" in response.url


def test_a_tampered_file_is_refused_with_a_clear_page_and_logged(client, finding, report, caplog):
    # given someone overwrote the stored file behind the system's back
    _stored_path(report).write_bytes(REPORT.replace(b"rectification report", b"forged  report!!!!!!"))
    client.force_login(finding.rectification.owner)

    # when the owner downloads it
    with caplog.at_level(logging.ERROR, logger="responsibility.supervision.views.findings"):
        response = _download(client, report)

    # then it is refused (not a server error), the page says why, and it is logged
    body = response.content.decode()
    assert response.status_code == 409
    assert "Content-Disposition" not in response
    assert "does not match the one recorded at upload" in body
    assert report.sha256 in body
    assert reverse("responsibility:finding-detail", args=[finding.pk]) in body
    assert f"Evidence file {report.pk}" in caplog.text
    assert "forged" not in body


def test_a_missing_file_is_refused_as_gone(client, finding, report, caplog):
    _stored_path(report).unlink()
    client.force_login(finding.rectification.owner)

    with caplog.at_level(logging.ERROR, logger="responsibility.supervision.views.findings"):
        response = _download(client, report)

    assert response.status_code == 410
    assert "can no longer be found" in response.content.decode()
    assert f"Evidence file {report.pk}" in caplog.text
