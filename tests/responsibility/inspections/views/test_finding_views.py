"""The finding pages through the client: record, answer, send back, verify, tick off; and every bad input."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import PostKind
from responsibility.evidence.models import EvidenceFile
from responsibility.letters.models.letters import LetterClause
from responsibility.supervision.models import (
    CheckOutcome,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.rectifications import (
    SubmissionInput,
    finding_record,
    rectification_submit,
)
from tests.factories import PostFactory
from tests.responsibility.inspections.conftest import finding_input, inspector_of, pdf_upload

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(client, settings):
    """Read the pages in English (the language switch's cookie), so the assertions read the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence of this test only."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _url(name: str, pk: int) -> str:
    return reverse(f"responsibility:{name}", args=[pk])


def _rectification(finding: Finding) -> Rectification:
    return Rectification.objects.get(finding=finding)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _kinds(finding: Finding) -> list[str]:
    return list(
        InspectionEvent.objects.filter(subject=f"finding:{finding.pk}")
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


def _submit(client, finding, *, measures="召开专题会议，形成纪要。", files=(), version=None):
    data = {
        "measures": measures,
        "version": version if version is not None else _rectification(finding).version,
    }
    if files:
        data["files"] = list(files)
    return client.post(_url("rectification-submit", finding.pk), data)


def _step(client, name: str, finding, prefix: str, version=None, **fields):
    data = {f"{prefix}-version": version if version is not None else _rectification(finding).version}
    data.update({f"{prefix}-{key}": value for key, value in fields.items()})
    return client.post(_url(name, finding.pk), data)


# --- The whole way, from the inspection to 销号 -------------------------------------------------------


def test_a_finding_goes_from_the_inspection_to_closed_through_the_pages(
    client, supervision, committee_inspection
):
    # given the inspector drawn for the committee, who recorded a nonconforming result
    inspector = inspector_of(committee_inspection)
    head = committee_inspection.unit.posts.get(kind=PostKind.UNIT_HEAD).holder
    result = check_result_record(
        inspection=committee_inspection,
        checkpoint=committee_inspection.plan.checkpoints.get(number=2),
        data=ResultInput(outcome=CheckOutcome.NONCONFORMING, notes="公务接待超标准。"),
        recorded_by=inspector,
    )
    clause = LetterClause.objects.filter(letter__signer_unit=committee_inspection.unit).order_by("number")[1]
    client.force_login(inspector)

    # when the inspector opens the form from the result
    create_url = _url("finding-create", committee_inspection.pk)
    form_page = client.get(create_url, {"result": result.pk})

    # then the clauses are grouped by letter, the result is preselected and the head is the default owner
    body = form_page.content.decode()
    assert form_page.status_code == 200
    assert f'<optgroup label="{clause.letter.reference} {clause.letter.title}">' in body
    assert f'<option value="{result.pk}" selected>' in body
    assert f'<option value="{head.pk}" selected>' in body
    default_deadline = timezone.localdate() + datetime.timedelta(days=30)
    assert f'value="{default_deadline:%Y-%m-%d}"' in body

    # when the inspector records the finding with a PDF of the problem
    deadline = timezone.localdate() + datetime.timedelta(days=20)
    response = client.post(
        create_url,
        {
            "title": "公务接待超标准",
            "description": "2026年4月接待超出标准。",
            "severity": "serious",
            "clause": clause.pk,
            "check_result": result.pk,
            "responsible": head.pk,
            "owner": head.pk,
            "requirement": "退还超标费用，完善接待制度。",
            "deadline": deadline.isoformat(),
            "evidence_required": "on",
            "files": [pdf_upload("接待清单.pdf")],
        },
    )

    # then the finding exists with its rectification open, and its page shows what was recorded
    finding = Finding.objects.get(inspection=committee_inspection)
    assert response.status_code == 302
    assert response.url == _url("finding-detail", finding.pk)
    assert (finding.clause, finding.check_result, finding.severity) == (clause, result, "serious")
    assert _rectification(finding).deadline == deadline
    assert [file.original_name for file in finding.evidence.all()] == ["接待清单.pdf"]
    page = client.get(response.url).content.decode()
    assert finding.reference in page and clause.text in page and "接待清单.pdf" in page
    assert 'class="badge light-green"' in page

    # when the owner reports the fix with a PDF
    client.force_login(head)
    assert 'id="submit"' in client.get(response.url).content.decode()
    assert _submit(client, finding, files=[pdf_upload("整改报告.pdf")]).status_code == 302
    assert _rectification(finding).status == RectificationStatus.SUBMITTED

    # when the inspector sends it back with a reason
    client.force_login(inspector)
    assert (
        _step(client, "rectification-send-back", finding, "send_back", reason="缺少制度文件。").status_code
        == 302
    )
    assert _rectification(finding).status == RectificationStatus.OPEN

    # then the owner sees the reason, and resubmits (the earlier file counts as evidence)
    client.force_login(head)
    assert "缺少制度文件。" in client.get(response.url).content.decode()
    assert _submit(client, finding, measures="已补充接待管理制度。").status_code == 302
    assert _rectification(finding).status == RectificationStatus.SUBMITTED

    # when the inspector verifies and ticks it off
    client.force_login(inspector)
    assert _step(client, "rectification-verify", finding, "verify", note="材料齐全。").status_code == 302
    assert _step(client, "rectification-close", finding, "close", note="销号。").status_code == 302

    # then it is closed, every step is in its history, and the page offers no more actions
    rectification = _rectification(finding)
    assert rectification.status == RectificationStatus.CLOSED
    assert rectification.closed_by == inspector
    assert _kinds(finding) == [
        InspectionEventKind.FINDING_RECORDED,
        InspectionEventKind.EVIDENCE_ADDED,
        InspectionEventKind.EVIDENCE_ADDED,
        InspectionEventKind.SUBMITTED,
        InspectionEventKind.SENT_BACK,
        InspectionEventKind.SUBMITTED,
        InspectionEventKind.VERIFIED,
        InspectionEventKind.CLOSED,
    ]
    page = client.get(response.url).content.decode()
    assert 'class="badge light-done"' in page
    for section in ('id="submit"', 'id="verify"', 'id="close"', _url("finding-update", finding.pk)):
        assert section not in page


def test_the_finding_page_shows_each_user_only_the_actions_they_may_take(client, supervision, finding):
    head = finding.responsible
    client.force_login(head)
    page = client.get(_url("finding-detail", finding.pk)).content.decode()
    assert 'id="submit"' in page
    assert 'id="verify"' not in page
    assert _url("finding-update", finding.pk) not in page

    client.force_login(supervision.inspectors[0])
    page = client.get(_url("finding-detail", finding.pk)).content.decode()
    assert 'id="submit"' not in page
    assert _url("finding-update", finding.pk) in page


def test_a_unit_without_signed_letters_gets_a_clause_category_instead_of_a_clause(client, supervision, drawn):
    # given the inspection of a unit that signed no letter
    inspection = Inspection.objects.get(draw=drawn, unit=supervision.units[2])
    client.force_login(inspector_of(inspection))
    url = _url("finding-create", inspection.pk)

    # when the form is shown, then it asks for a category
    body = client.get(url).content.decode()
    assert 'name="category"' in body and 'name="clause"' not in body

    # when the inspector records a finding with a category
    head = supervision.heads[inspection.unit_id]
    response = client.post(
        url,
        {
            "title": "未建立廉政风险台账",
            "description": "未建立。",
            "severity": "minor",
            "category": "rules",
            "responsible": head.pk,
            "owner": head.pk,
            "requirement": "建立台账。",
            "deadline": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        },
    )

    # then it is recorded against that category, with no clause
    assert response.status_code == 302
    finding = Finding.objects.get(inspection=inspection)
    assert (finding.clause, finding.category) == (None, "rules")
    assert _rectification(finding).evidence_required is False  # the box was left unticked


# --- Who may open the pages -----------------------------------------------------------------------


def test_the_finding_form_is_404_for_those_who_cannot_see_the_inspection_and_403_off_the_team(
    client, supervision, committee_inspection
):
    url = _url("finding-create", committee_inspection.pk)
    client.force_login(supervision.heads[committee_inspection.unit_id])
    assert client.get(url).status_code == 404
    client.force_login(supervision.outside_inspector)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "x"}).status_code == 403
    assert not Finding.objects.exists()


def test_a_finding_is_404_for_outsiders_and_other_unit_heads(client, supervision, finding):
    for user in (supervision.org.outsider, supervision.org.heads[1]):
        client.force_login(user)
        assert client.get(_url("finding-detail", finding.pk)).status_code == 404
        assert _submit(client, finding).status_code == 404
    assert _rectification(finding).status == RectificationStatus.OPEN


# --- Bad input: a clear message, nothing changed ---------------------------------------------------


def test_a_finding_with_a_past_deadline_is_refused_on_the_form_with_the_input_kept(
    client, supervision, committee_inspection
):
    client.force_login(inspector_of(committee_inspection))
    head = supervision.heads[committee_inspection.unit_id]
    clause = LetterClause.objects.filter(letter__signer_unit=committee_inspection.unit).first()

    response = client.post(
        _url("finding-create", committee_inspection.pk),
        {
            "title": "会议记录缺失",
            "description": "无记录。",
            "severity": "minor",
            "clause": clause.pk,
            "responsible": head.pk,
            "owner": head.pk,
            "requirement": "补齐记录。",
            "deadline": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "files": [pdf_upload()],
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "The rectification deadline cannot be in the past." in body
    assert "会议记录缺失" in body
    assert not Finding.objects.exists()
    assert not EvidenceFile.objects.exists()


def test_a_finding_with_a_forbidden_file_is_refused_and_nothing_is_stored(
    client, supervision, committee_inspection, media_root
):
    client.force_login(inspector_of(committee_inspection))
    head = supervision.heads[committee_inspection.unit_id]
    clause = LetterClause.objects.filter(letter__signer_unit=committee_inspection.unit).first()

    response = client.post(
        _url("finding-create", committee_inspection.pk),
        {
            "title": "会议记录缺失",
            "description": "无记录。",
            "severity": "minor",
            "clause": clause.pk,
            "responsible": head.pk,
            "owner": head.pk,
            "requirement": "补齐记录。",
            "deadline": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
            "files": [
                SimpleUploadedFile("证明.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
            ],
        },
    )

    assert response.status_code == 400
    assert "“证明.pdf” is not an accepted file." in response.content.decode()
    assert not Finding.objects.exists()
    assert not list(media_root.rglob("*.*"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("整改报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),  # an .exe
        ("整改报告.html", b"<!DOCTYPE html><html><body onload=alert(1)></body></html>"),
    ],
    ids=["exe-renamed-pdf", "html"],
)
def test_a_submission_with_a_forbidden_file_type_is_refused_and_nothing_changes(
    client, finding, media_root, name, content
):
    # given the owner on the finding page
    client.force_login(finding.rectification.owner)
    before = _rectification(finding)

    # when they submit a file that is not an accepted type by its content
    response = _submit(client, finding, files=[SimpleUploadedFile(name, content, "application/pdf")])

    # then the page says why, keeps the measures typed, and nothing was stored or changed
    body = response.content.decode()
    assert response.status_code == 400
    assert f"“{name}” is not an accepted file. Accepted: PDF、PNG、JPEG、Word、Excel." in body
    assert "召开专题会议，形成纪要。" in body
    after = _rectification(finding)
    assert (after.status, after.version, after.measures) == (before.status, before.version, "")
    assert not EvidenceFile.objects.filter(rectification=after).exists()
    assert InspectionEventKind.SUBMITTED not in _kinds(finding)


def test_a_submission_over_the_size_limit_is_refused(client, finding, settings):
    settings.EVIDENCE_MAX_BYTES = 20
    client.force_login(finding.rectification.owner)

    response = _submit(client, finding, files=[pdf_upload("大文件.pdf", PDF_BYTES)])

    assert response.status_code == 400
    assert "“大文件.pdf” is 33\xa0bytes; files may be at most 20\xa0bytes." in response.content.decode()
    assert _rectification(finding).status == RectificationStatus.OPEN
    assert not EvidenceFile.objects.filter(rectification__finding=finding).exists()


def test_a_submission_without_the_required_evidence_is_refused(client, finding):
    client.force_login(finding.rectification.owner)

    response = _submit(client, finding)

    assert response.status_code == 400
    assert "This rectification needs evidence: attach at least one file showing the fix." in (
        response.content.decode()
    )
    assert _rectification(finding).status == RectificationStatus.OPEN


def test_a_submission_without_measures_is_refused_before_the_service(client, finding):
    client.force_login(finding.rectification.owner)

    response = _submit(client, finding, measures="", files=[pdf_upload()])

    assert response.status_code == 400
    assert "Describe the measures taken." in response.content.decode()
    assert _rectification(finding).status == RectificationStatus.OPEN
    assert not EvidenceFile.objects.filter(rectification__finding=finding).exists()


def test_sending_back_without_a_reason_is_refused(client, supervision, finding):
    _submitted(finding)
    client.force_login(supervision.inspectors[0])

    response = _step(client, "rectification-send-back", finding, "send_back", reason="  ")

    assert response.status_code == 400
    assert "Give the reason the rectification is sent back." in response.content.decode()
    assert _rectification(finding).status == RectificationStatus.SUBMITTED


def test_a_step_without_the_page_version_is_refused_with_a_reload_hint(client, supervision, finding):
    _submitted(finding)
    client.force_login(supervision.inspectors[0])

    response = client.post(_url("rectification-verify", finding.pk), {"verify-note": "好"})

    assert response.status_code == 400
    assert "This page is out of date. Reload it and try again." in response.content.decode()
    assert _rectification(finding).status == RectificationStatus.SUBMITTED


def _submitted(finding: Finding) -> Rectification:
    return rectification_submit(
        rectification=_rectification(finding),
        data=SubmissionInput(measures="已整改。", files=[pdf_upload()]),
        submitted_by=finding.rectification.owner,
        expected_version=None,
    )


def test_verification_by_an_inspector_off_the_team_is_403_and_changes_nothing(client, supervision, finding):
    # given a submitted rectification
    submitted = _submitted(finding)
    events = _kinds(finding)

    # when an inspector who is not on this plan's team tries every inspector's step
    client.force_login(supervision.outside_inspector)
    page = client.get(_url("finding-detail", finding.pk))
    responses = [
        _step(client, "rectification-verify", finding, "verify"),
        _step(client, "rectification-send-back", finding, "send_back", reason="不行"),
        _step(client, "rectification-close", finding, "close"),
        client.get(_url("finding-update", finding.pk)),
    ]

    # then they may read it but every step is forbidden and nothing changed
    assert page.status_code == 200
    assert 'id="verify"' not in page.content.decode()
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    after = _rectification(finding)
    assert (after.status, after.version) == (submitted.status, submitted.version)
    assert _kinds(finding) == events


def test_the_owner_may_not_verify_their_own_rectification(client, finding):
    _submitted(finding)
    client.force_login(finding.rectification.owner)

    assert _step(client, "rectification-verify", finding, "verify").status_code == 403
    assert _rectification(finding).status == RectificationStatus.SUBMITTED


# --- Two people, or two clicks --------------------------------------------------------------------


def test_a_stale_edit_is_refused_with_a_clear_message_and_the_first_change_stays(
    supervision, finding, settings
):
    from django.test import Client

    # given both team members open the edit page of the same finding
    first, second = Client(), Client()
    for user_client in (first, second):
        user_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first.force_login(supervision.inspectors[0])
    second.force_login(supervision.inspectors[1])
    url = _url("finding-update", finding.pk)
    for user_client in (first, second):
        assert user_client.get(url).status_code == 200
    version = Finding.objects.get(pk=finding.pk).version

    def edit(user_client, title):
        return user_client.post(
            url,
            {
                "title": title,
                "description": finding.description,
                "severity": finding.severity,
                "responsible": finding.responsible_id,
                "owner": finding.rectification.owner_id,
                "requirement": finding.rectification.requirement,
                "deadline": finding.rectification.deadline.isoformat(),
                "version": version,  # what each page was loaded with
            },
        )

    # when the first saves, then the second
    assert edit(first, "第一位检查员的标题").status_code == 302
    response = edit(second, "第二位检查员的标题")

    # then the second is told, keeps their input, and the first's change stays
    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this finding after you opened the page. Nothing was saved" in body
    assert "第二位检查员的标题" in body
    assert Finding.objects.get(pk=finding.pk).title == "第一位检查员的标题"
    assert _kinds(finding).count(InspectionEventKind.FINDING_UPDATED) == 1


def test_a_double_submitted_verification_is_done_once_and_the_second_is_explained(
    client, supervision, finding
):
    # given a submitted rectification, and the page an inspector loaded
    _submitted(finding)
    version = _rectification(finding).version
    client.force_login(supervision.inspectors[0])

    # when the verify form is sent twice from the same page
    first = _step(client, "rectification-verify", finding, "verify", version=version)
    shown = client.get(first.url).content.decode()
    assert f"The rectification of {finding.reference} is verified." in shown
    second = _step(client, "rectification-verify", finding, "verify", version=version)

    # then it was verified once, and the second click is explained as already done
    assert (first.status_code, second.status_code) == (302, 302)
    assert _rectification(finding).status == RectificationStatus.VERIFIED
    assert _kinds(finding).count(InspectionEventKind.VERIFIED) == 1
    [message] = _messages(second)
    assert message.startswith("This was already done: you moved the rectification to “Verified” at ")
    assert message.endswith("Nothing more was done.")


def test_a_step_from_a_page_someone_else_moved_on_says_so(client, supervision, finding):
    # given a submitted rectification one inspector verified while the other had the page open
    _submitted(finding)
    version = _rectification(finding).version
    client.force_login(supervision.inspectors[1])
    verified = _step(client, "rectification-verify", finding, "verify", version=version)
    assert verified.status_code == 302
    client.get(verified.url)  # the message is shown on the page it leads to

    # when the other inspector sends it back from their older page
    client.force_login(supervision.inspectors[0])
    response = _step(client, "rectification-send-back", finding, "send_back", version=version, reason="不全")

    # then they are told it changed, and what it is now; nothing changed
    messages = _messages(response)
    assert response.status_code == 302
    assert messages[0].startswith("Someone else changed this rectification after you opened the page.")
    assert messages[1] == "The rectification is now “Verified”; the page below shows it as it is now."
    assert _rectification(finding).status == RectificationStatus.VERIFIED


# --- The to-do page ---------------------------------------------------------------------------------


def test_the_todo_page_lists_rectifications_and_inspections_for_each_person(client, supervision, finding):
    head = finding.rectification.owner
    client.force_login(head)
    page = client.get(reverse("responsibility:todo")).content.decode()
    assert "Rectifications waiting for you" in page
    assert _url("finding-detail", finding.pk) in page
    assert 'class="badge light-green"' in page
    assert finding.rectification.deadline.strftime("%Y-%m-%d") in page

    inspector = inspector_of(finding.inspection)
    client.force_login(inspector)
    page = client.get(reverse("responsibility:todo")).content.decode()
    assert "Rectifications to verify" not in page
    assert _url("inspection-detail", finding.inspection_id) in page

    _submitted(finding)
    page = client.get(reverse("responsibility:todo")).content.decode()
    assert "Rectifications to verify" in page
    assert _url("finding-detail", finding.pk) in page


def _queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _more_findings(inspection, count: int, *, owner=None) -> list[Finding]:
    inspector = inspector_of(inspection)
    return [
        finding_record(
            inspection=inspection,
            data=finding_input(inspection, **({"owner": owner} if owner else {})),
            recorded_by=inspector,
        )
        for _ in range(count)
    ]


def test_the_todo_page_runs_the_same_queries_for_few_and_many_rectifications(
    client, supervision, committee_inspection
):
    # given a unit head with 1 rectification to report and an inspector with 1 to verify
    head = supervision.heads[committee_inspection.unit_id]
    staff = PostFactory(unit=committee_inspection.unit, kind=PostKind.STAFF).holder
    _more_findings(committee_inspection, 1)
    for finding in _more_findings(committee_inspection, 1, owner=staff):
        _submitted(finding)
    todo = reverse("responsibility:todo")
    few = (_queries(client, head, todo), _queries(client, supervision.inspectors[0], todo))

    # when there are ten times as many
    _more_findings(committee_inspection, 10)
    for finding in _more_findings(committee_inspection, 10, owner=staff):
        _submitted(finding)
    many = (_queries(client, head, todo), _queries(client, supervision.inspectors[0], todo))

    # then the page costs the same
    assert few == many


def test_the_finding_page_runs_the_same_queries_for_few_and_many_events(client, supervision, finding):
    url = _url("finding-detail", finding.pk)
    few = _queries(client, supervision.inspectors[0], url)

    _submitted(finding)
    rectification = _rectification(finding)
    from responsibility.supervision.services.rectifications import rectification_send_back

    rectification_send_back(
        rectification=rectification,
        sent_back_by=supervision.inspectors[0],
        reason="再补",
        expected_version=None,
    )
    _submitted(finding)
    rectification_send_back(
        rectification=_rectification(finding),
        sent_back_by=supervision.inspectors[0],
        reason="还要再补",
        expected_version=None,
    )
    many = _queries(client, supervision.inspectors[0], url)  # open again, as it was: the same forms

    assert few == many
