"""An evidence file downloads under the extension of what its bytes are, never the uploaded name's: a
PDF/HTML polyglot uploaded as 整改报告.html is kept as a PDF and downloads as 整改报告.pdf."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from responsibility.evidence.models import EvidenceFile
from responsibility.supervision.services.rectifications import SubmissionInput, rectification_submit
from tests.responsibility.inspections.conftest import pdf_upload
from tests.responsibility.inspections.tampering import _raw_update

pytestmark = pytest.mark.django_db

POLYGLOT = (
    b"%PDF-1.7\n% <html><body><script>alert(document.cookie)</script></body></html>\n"
    b"1 0 obj<<>>endobj\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _submit(finding, name: str, content: bytes) -> EvidenceFile:
    rectification_submit(
        rectification=finding.rectification,
        data=SubmissionInput(measures="已整改。", files=[pdf_upload(name, content)]),
        submitted_by=finding.rectification.owner,
        expected_version=None,
    )
    return EvidenceFile.objects.get(rectification__finding=finding)


def test_a_pdf_html_polyglot_named_html_is_kept_and_served_as_a_pdf(client, finding):
    # given a PDF that also reads as a web page, uploaded as 整改报告.html
    evidence = _submit(finding, "整改报告.html", POLYGLOT)

    # then it is kept as the PDF it is
    assert (evidence.content_type, evidence.original_name) == ("application/pdf", "整改报告.pdf")

    # and it downloads as 整改报告.pdf, application/pdf, an attachment the browser may not sniff
    client.force_login(finding.rectification.owner)
    response = client.get(reverse("responsibility:evidence-download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"filename*=utf-8''{quote('整改报告.pdf')}" in response["Content-Disposition"]
    assert ".html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_stored_before_under_a_misleading_name_downloads_with_its_true_extension(client, finding):
    # given evidence stored before the rule, under the name it was uploaded with
    evidence = _submit(finding, "整改报告.pdf", POLYGLOT)
    # (on PostgreSQL the database refuses to rename stored evidence: written past its trigger, as old data)
    _raw_update(EvidenceFile, evidence.pk, original_name="整改报告.html")

    client.force_login(finding.rectification.owner)
    response = client.get(reverse("responsibility:evidence-download", args=[evidence.pk]))

    assert response.status_code == 200
    assert f"filename*=utf-8''{quote('整改报告.pdf')}" in response["Content-Disposition"]
