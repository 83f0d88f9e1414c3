"""廉政档案: who reads a cadre's file and on what ground, access requests (调阅) and their decision with 回避,
the documents the inspection team adds, and the log of every opening, driven through the services and
the pages as users would."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import ApplicationError
from core.integrity import INTEGRITY_CHECKS
from responsibility.cadres.audit import cadre_chain_verify
from responsibility.cadres.files import file_access_decide, file_access_request, file_document_add
from responsibility.cadres.models import (
    AccessStatus,
    CadreEvent,
    CadreEventKind,
    FileAccessRequest,
    FileDocument,
    FileDocumentKind,
)
from responsibility.cadres.selectors import FileBasis, integrity_file_reading
from responsibility.duties.models import PostHandover
from responsibility.evidence.models import EvidenceFile
from tests.accounts.anchors.conftest import raw_sql
from tests.factories import PostFactory, UserFactory
from tests.responsibility.cadres.conftest import (
    ACCESS_UNTIL,
    access_approved,
    access_requested,
    document_added,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def _openings(cadre) -> list[CadreEvent]:
    return list(CadreEvent.objects.filter(kind=CadreEventKind.FILE_OPENED, subject=f"file:{cadre.pk}"))


def _state() -> tuple:
    return (
        sorted(FileAccessRequest.objects.values_list("pk", "status", "version")),
        FileDocument.objects.count(),
        EvidenceFile.objects.count(),
        CadreEvent.objects.count(),
    )


# --- Who reads a file ------------------------------------------------------------------------------------


def test_the_cadre_reads_their_own_file_the_team_every_file_and_nobody_else_without_a_request(files):
    org = files.duties.org
    assert integrity_file_reading(user=files.cadre, cadre=files.cadre).basis == FileBasis.OWN
    assert integrity_file_reading(user=files.inspector, cadre=files.cadre).basis == FileBasis.TEAM
    for stranger in (files.requester, org.heads[1], org.office_admin, org.secretary):
        assert integrity_file_reading(user=stranger, cadre=files.cadre) is None


def test_an_approved_request_opens_the_file_from_its_first_to_its_last_day_only(files, clock):
    access_approved(files)
    reading = integrity_file_reading(user=files.requester, cadre=files.cadre)
    assert reading.basis == FileBasis.ACCESS and reading.access_request.status == AccessStatus.APPROVED
    assert integrity_file_reading(user=files.requester, cadre=files.cadre, today=ACCESS_UNTIL) is not None
    after = ACCESS_UNTIL + datetime.timedelta(days=1)
    assert integrity_file_reading(user=files.requester, cadre=files.cadre, today=after) is None
    # and the request opens this cadre's file only
    assert integrity_file_reading(user=files.requester, cadre=files.duties.org.heads[1]) is None


def test_every_opening_is_logged_with_who_and_on_what_ground(client, files):
    access = access_approved(files)
    url = reverse("responsibility:integrity-file-detail", args=[files.cadre.pk])
    for user in (files.cadre, files.inspector, files.requester):
        client.force_login(user)
        assert client.get(url).status_code == 200

    grounds = [
        (event.actor_id, event.payload["basis"], event.payload["request"]) for event in _openings(files.cadre)
    ]
    assert grounds == [
        (files.cadre.pk, "own", None),
        (files.inspector.pk, "team", None),
        (files.requester.pk, "access", access.pk),
    ]
    assert cadre_chain_verify() is None


def test_a_file_opened_after_the_approved_period_is_refused_clearly_and_nothing_is_logged(
    client, files, clock
):
    access_approved(files)
    clock.move_to(datetime.datetime(2026, 5, 22, 9, 0))  # the day after ACCESS_UNTIL
    client.force_login(files.requester)
    before = _state()

    response = client.get(reverse("responsibility:integrity-file-detail", args=[files.cadre.pk]))

    assert response.status_code == 403
    page = response.content.decode()
    assert "2026-05-21" in page and files.cadre.get_full_name() in page
    assert "履责" not in page  # nothing of the file is shown
    assert _state() == before


def test_a_file_is_a_404_for_whoever_may_not_read_it_and_for_someone_with_no_post(client, files):
    client.force_login(files.requester)
    assert (
        client.get(reverse("responsibility:integrity-file-detail", args=[files.cadre.pk])).status_code == 404
    )
    client.force_login(files.inspector)
    nobody = UserFactory(full_name="无职务")
    assert client.get(reverse("responsibility:integrity-file-detail", args=[nobody.pk])).status_code == 404
    assert _openings(files.cadre) == []


# --- Access requests and 回避 ------------------------------------------------------------------------------


def test_a_request_is_recorded_pending_with_its_reason_and_period(files):
    access = access_requested(files)

    assert access.status == AccessStatus.PENDING
    event = CadreEvent.objects.get(subject=f"access:{access.pk}")
    assert event.kind == CadreEventKind.ACCESS_REQUESTED and event.actor_id == files.requester.pk
    assert event.note == access.reason and event.payload["until"] == ACCESS_UNTIL.isoformat()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"reason": "  "}, "reason"),
        ({"valid_from": datetime.date(2026, 5, 14)}, "valid_from"),
        ({"valid_until": datetime.date(2026, 5, 14)}, "valid_until"),
        ({"valid_until": datetime.date(2026, 6, 14)}, "valid_until"),  # 31 days
    ],
)
def test_a_request_with_bad_input_is_refused_and_nothing_is_recorded(files, change, code):
    before = _state()
    data = {
        "reason": "了解情况",
        "valid_from": datetime.date(2026, 5, 15),
        "valid_until": datetime.date(2026, 5, 20),
        **change,
    }
    with pytest.raises(ApplicationError) as refused:
        file_access_request(cadre=files.cadre, requester=files.requester, **data)
    assert refused.value.code == code
    assert _state() == before


def test_a_second_request_while_one_awaits_its_decision_is_refused(files):
    access_requested(files)
    before = _state()
    with pytest.raises(ApplicationError, match="wait for the decision|等待"):
        access_requested(files)
    assert _state() == before


def test_no_request_for_ones_own_file_nor_from_those_who_read_every_file(files):
    with pytest.raises(PermissionDenied):
        access_requested(files, requester=files.cadre)
    with pytest.raises(PermissionDenied):
        access_requested(files, requester=files.inspector)
    assert FileAccessRequest.objects.count() == 0


def test_an_inspector_approves_and_the_decision_is_chained(files):
    access = access_approved(files)

    assert access.status == AccessStatus.APPROVED and access.decided_by == files.inspector
    kinds = list(CadreEvent.objects.filter(subject=f"access:{access.pk}").values_list("kind", flat=True))
    assert kinds == [CadreEventKind.ACCESS_REQUESTED, CadreEventKind.ACCESS_APPROVED]


def test_a_refusal_needs_its_reason(files):
    access = access_requested(files)
    before = _state()
    with pytest.raises(ApplicationError, match="reason|理由"):
        file_access_decide(
            access_request=access, decided_by=files.inspector, approve=False, expected_version=access.version
        )
    assert _state() == before
    refused = file_access_decide(
        access_request=access,
        decided_by=files.inspector,
        approve=False,
        note="与工作无关",
        expected_version=access.version,
    )
    assert refused.status == AccessStatus.REFUSED
    assert integrity_file_reading(user=files.requester, cadre=files.cadre) is None


def test_a_request_is_never_approved_by_its_own_requester(files):
    # given someone who may approve requests (the permission alone) and asks for a file
    approver = UserFactory(full_name="吴审批")
    approver.user_permissions.add(Permission.objects.get(codename="approve_fileaccessrequest"))
    access = access_requested(files, requester=approver)
    before = _state()

    with pytest.raises(PermissionDenied, match="someone other than its requester|申请人以外"):
        file_access_decide(access_request=access, decided_by=approver, approve=True, expected_version=1)

    assert _state() == before


def test_an_inspector_who_holds_a_post_in_the_cadres_unit_steps_aside(files):
    access = access_requested(files)
    before = _state()

    with pytest.raises(PermissionDenied, match="回避"):
        file_access_decide(
            access_request=access, decided_by=files.inspector_aside, approve=True, expected_version=1
        )

    assert _state() == before


def test_an_inspector_who_held_a_post_in_the_cadres_unit_before_steps_aside_too(files):
    # given an inspector who handed over a post in the cadre's committee last year
    committee = files.cadre.posts.get().unit
    former = UserFactory(full_name="郑曾任", roles=["inspection_team"])
    post = PostFactory(unit=committee, title="综合处处长", holder=UserFactory())
    PostHandover.objects.create(
        post=post,
        previous_holder=former,
        new_holder=post.holder,
        handed_over_on=datetime.date(2025, 9, 1),
        handed_over_by=files.duties.org.office_admin,
    )
    access = access_requested(files)

    with pytest.raises(PermissionDenied, match="回避"):
        file_access_decide(access_request=access, decided_by=former, approve=True, expected_version=1)
    # while an inspector with no post there decides it
    assert (
        file_access_decide(
            access_request=access, decided_by=files.inspector, approve=True, expected_version=1
        ).status
        == AccessStatus.APPROVED
    )


def test_a_request_whose_period_ended_can_only_be_refused(files, clock):
    access = access_requested(files)
    clock.move_to(datetime.datetime(2026, 5, 25, 9, 0))
    with pytest.raises(ApplicationError, match="can only be refused|只能"):
        file_access_decide(
            access_request=access, decided_by=files.inspector, approve=True, expected_version=1
        )
    assert FileAccessRequest.objects.get(pk=access.pk).status == AccessStatus.PENDING


def test_a_decided_request_is_not_decided_again(files):
    access = access_approved(files)
    with pytest.raises(ApplicationError, match="already decided|已"):
        file_access_decide(
            access_request=access, decided_by=files.inspector, approve=False, note="撤回", expected_version=2
        )


# --- Documents ------------------------------------------------------------------------------------------


def test_the_team_adds_a_document_whose_files_are_evidence_and_whose_digest_is_chained(files):
    document = document_added(files)

    [evidence] = document.evidence.all()
    assert evidence.original_name == "个人有关事项报告.pdf" and len(evidence.sha256) == 64
    event = CadreEvent.objects.get(kind=CadreEventKind.FILE_DOCUMENT_ADDED)
    assert (
        event.subject == f"file:{files.cadre.pk}" and event.payload["files"][0]["sha256"] == evidence.sha256
    )
    assert list(INTEGRITY_CHECKS["integrity_file_documents"].run()) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"title": " "}, "title"),
        ({"dated": datetime.date(2026, 5, 16)}, "dated"),
        ({"uploads": []}, "files"),
        ({"kind": "gossip"}, "kind"),
    ],
)
def test_a_document_with_bad_input_is_refused_and_nothing_is_stored(files, change, code):
    before = _state()
    data = {
        "kind": FileDocumentKind.COMPLAINT,
        "title": "信访件核查情况",
        "dated": datetime.date(2026, 5, 1),
        "uploads": [pdf_upload()],
        **change,
    }
    with pytest.raises(ApplicationError) as refused:
        file_document_add(cadre=files.cadre, added_by=files.inspector, **data)
    assert refused.value.code == code
    assert _state() == before


def test_a_file_that_is_no_accepted_type_is_refused(files):
    before = _state()
    with pytest.raises(ApplicationError, match="not an accepted file|不是允许上传"):
        file_document_add(
            cadre=files.cadre,
            added_by=files.inspector,
            kind=FileDocumentKind.OTHER,
            title="网页",
            dated=datetime.date(2026, 5, 1),
            uploads=[pdf_upload("a.html", b"<html>hi</html>")],
        )
    assert _state() == before


def test_only_the_team_adds_documents(files):
    with pytest.raises(PermissionDenied):
        file_document_add(
            cadre=files.cadre,
            added_by=files.cadre,
            kind=FileDocumentKind.OTHER,
            title="自述",
            dated=datetime.date(2026, 5, 1),
            uploads=[pdf_upload()],
        )


def test_a_documents_file_is_downloaded_only_from_the_file_and_each_download_is_logged(client, files):
    document = document_added(files)
    evidence = document.evidence.get()
    client.force_login(files.cadre)

    # the general evidence address does not serve it (it would not be logged)
    assert client.get(reverse("responsibility:evidence-download", args=[evidence.pk])).status_code == 404
    response = client.get(
        reverse("responsibility:file-document-download", args=[files.cadre.pk, document.pk, evidence.pk])
    )

    assert response.status_code == 200 and b"".join(response.streaming_content) == evidence.file.open().read()
    [opening] = _openings(files.cadre)
    assert opening.payload["document"] == {"id": document.pk, "title": document.title}


def test_a_document_changed_in_the_database_shows_in_the_integrity_report(files):
    document = document_added(files)
    raw_sql("UPDATE responsibility_filedocument SET title = %s WHERE id = %s", ["改过的标题", document.pk])

    [problem] = INTEGRITY_CHECKS["integrity_file_documents"].run()
    assert "改过的标题" in problem.subject


# --- The log of openings -----------------------------------------------------------------------------------


def test_the_log_of_openings_is_read_by_the_team_head_only(client, files):
    client.force_login(files.cadre)
    client.get(reverse("responsibility:integrity-file-detail", args=[files.cadre.pk]))
    url = reverse("responsibility:file-opening-list")

    client.force_login(files.team_head)
    page = client.get(url)
    assert page.status_code == 200
    assert files.cadre.get_full_name() in page.content.decode()
    for user in (files.inspector, files.cadre, files.requester):
        client.force_login(user)
        assert client.get(url).status_code == 403


# --- The pages: a fixed number of queries, bad input said plainly ----------------------------------------


def _queries_to_open(client, cadre) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("responsibility:integrity-file-detail", args=[cadre.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_file_page_costs_the_same_queries_however_much_the_file_holds(client, files):
    client.force_login(files.inspector)
    document_added(files)
    few = _queries_to_open(client, files.cadre)
    for kind in (FileDocumentKind.COMPLAINT, FileDocumentKind.MEASURE, FileDocumentKind.OTHER):
        document_added(files, kind=kind)
    access_approved(files)

    assert _queries_to_open(client, files.cadre) == few
    assert few <= 40


def test_the_team_list_costs_the_same_queries_at_two_sizes(client, files):
    client.force_login(files.inspector)
    url = reverse("responsibility:integrity-file-list")
    access_requested(files)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for number in range(6):
        PostFactory(unit=files.cadre.posts.get().unit, title=f"科员{number}", kind="staff")
    access_requested(files, requester=files.duties.org.heads[1])
    file_access_request(
        cadre=files.duties.org.heads[1],
        requester=files.requester,
        reason="了解情况",
        valid_from=datetime.date(2026, 5, 15),
        valid_until=datetime.date(2026, 5, 16),
    )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    assert len(large) == len(small)


def test_a_request_with_bad_input_on_the_page_is_sent_back_in_chinese_and_nothing_is_recorded(client, files):
    client.force_login(files.requester)
    before = _state()

    response = client.post(
        reverse("responsibility:integrity-file-list"),
        {
            "cadre": files.cadre.pk,
            "reason": "了解情况",
            "valid_from": "2026-05-01",
            "valid_until": "2026-05-03",
        },
    )

    assert response.status_code == 400
    assert "调阅开始日期不能早于今天" in response.content.decode()
    assert _state() == before


def test_a_document_without_its_file_on_the_page_is_sent_back_and_nothing_is_stored(client, files):
    client.force_login(files.inspector)
    before = _state()

    response = client.post(
        reverse("responsibility:file-document-add", args=[files.cadre.pk]),
        {"kind": "complaint", "title": "信访件核查情况", "dated": "2026-05-01", "summary": ""},
    )

    assert response.status_code == 400
    assert "请上传材料文件" in response.content.decode()
    assert _state() == before


def test_a_pending_request_waits_on_the_inspection_teams_to_do_page_only(client, files):
    access_requested(files)
    todo = reverse("responsibility:todo")
    client.force_login(files.inspector)
    assert "孙调阅申请调阅" in client.get(todo).content.decode()
    for user in (files.cadre, files.requester):
        client.force_login(user)
        assert "申请调阅" not in client.get(todo).content.decode()


def test_the_list_tells_an_inspector_who_must_step_aside_and_offers_them_no_decision(client, files):
    access = access_requested(files)
    decide = reverse("responsibility:file-access-decide", args=[access.pk])
    client.force_login(files.inspector_aside)
    page = client.get(reverse("responsibility:integrity-file-list")).content.decode()
    assert "应当回避" in page and decide not in page
    client.force_login(files.inspector)
    page = client.get(reverse("responsibility:integrity-file-list")).content.decode()
    assert "应当回避" not in page and decide in page


def test_a_search_with_a_nul_character_finds_by_the_rest_instead_of_failing(client, files):
    """PostgreSQL refuses NUL in text: the words are searched for without it (core.http.search_words)."""
    client.force_login(files.inspector)
    name = files.cadre.full_name

    response = client.get(reverse("responsibility:integrity-file-list"), {"q": name[:1] + "\x00" + name[1:]})

    assert response.status_code == 200 and name in response.content.decode()
