"""Every 廉政档案 and 廉政意见回复 page × every role: the answer each one gets, as a table asserted cell
by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page;
- a file exists for its cadre, the inspection team, and whoever holds an approved access request in its
  period; for everyone else it does not exist (404). Reading it, or downloading one of its documents,
  logs an opening (and only then);
- anyone who does not read every file may ask for access to someone else's (the team: 403);
- the team adds documents (the cadre and a requester who read the file: 403); an inspector who need not
  step aside decides a request (its requester, who sees it: 403; an inspector who must step aside: 403);
  a request is seen by its requester and the team only (404 for everyone else);
- the log of openings is the team head's (403 for everyone else);
- the replies exist for the team only: their list is a 403 for everyone else, a reply a 404.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from accounts.models import User
from responsibility.cadres.files import file_access_request
from responsibility.cadres.models import (
    CadreEvent,
    CadreEventKind,
    FileAccessRequest,
    FileDocument,
    IntegrityOpinion,
    IntegrityOpinionDocument,
)
from responsibility.cadres.opinions import opinion_issue, opinion_register, opinion_save
from tests.responsibility.cadres.conftest import (
    ACCESS_FROM,
    ACCESS_UNTIL,
    Files,
    access_approved,
    document_added,
    pdf_upload,
)
from tests.responsibility.duties import conftest as duty_setup

pytestmark = pytest.mark.django_db


# The organisation and its year's assignments, made once for the module's cells.
duties = duty_setup.duties_shared


ROLES = (
    "anonymous",
    "outsider",
    "cadre",
    "requester",
    "other_head",
    "inspector",
    "aside",
    "team_head",
    "office",
    "party_group",
)
DONE = "302 done"
LOGIN = "302 login"

# fmt: off
# Columns in ROLES order: anon, outs(ider), cadre, req(uester, approved), other (head, a pending request of
# their own), insp(ector), aside (an inspector with a post in the cadre's committee), head (of the team),
# office, pg (Party Group).
TABLE = {
    # page, method                        anon   outs  cadre  req   other  insp  aside  head  office pg
    ("integrity-file-list", "GET"):       (LOGIN, 200,  200,  200,  200,  200,  200,  200,  200,  200),
    ("integrity-file-list", "POST"):      (LOGIN, DONE, DONE, DONE, DONE, 403,  403,  403,  DONE, DONE),
    ("integrity-file-detail", "GET"):     (LOGIN, 404,  200,  200,  404,  200,  200,  200,  404,  404),
    ("file-document-add", "GET"):         (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405,  405),
    ("file-document-add", "POST"):        (LOGIN, 404,  403,  403,  404,  DONE, DONE, DONE, 404,  404),
    ("file-document-download", "GET"):    (LOGIN, 404,  200,  200,  404,  200,  200,  200,  404,  404),
    ("file-access-decide", "GET"):        (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405,  405),
    ("file-access-decide", "POST"):       (LOGIN, 404,  404,  404,  403,  DONE, 403,  DONE, 404,  404),
    ("file-opening-list", "GET"):         (LOGIN, 403,  403,  403,  403,  403,  403,  200,  403,  403),
    ("opinion-list", "GET"):              (LOGIN, 403,  403,  403,  403,  200,  200,  200,  403,  403),
    ("opinion-list", "POST"):             (LOGIN, 403,  403,  403,  403,  DONE, DONE, DONE, 403,  403),
    ("opinion-detail", "GET"):            (LOGIN, 404,  404,  404,  404,  200,  200,  200,  404,  404),
    ("opinion-save", "GET"):              (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405,  405),
    ("opinion-save", "POST"):             (LOGIN, 404,  404,  404,  404,  DONE, DONE, DONE, 404,  404),
    ("opinion-issue", "GET"):             (LOGIN, 405,  405,  405,  405,  405,  405,  405,  405,  405),
    ("opinion-issue", "POST"):            (LOGIN, 404,  404,  404,  404,  DONE, DONE, DONE, 404,  404),
    ("opinion-document", "GET"):          (LOGIN, 404,  404,  404,  404,  200,  200,  200,  404,  404),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}
# Reading these shows the file: an opening is logged exactly when the page answers 200.
OPENING_PAGES = {"integrity-file-detail", "file-document-download"}
SEALING_PAGES = {"opinion-issue", "opinion-document"}  # a real render and seal: only their cells pay for it


@dataclass
class World:
    files: Files
    document: FileDocument | None
    pending: FileAccessRequest | None  # the other head's request for the cadre's file
    opinion: IntegrityOpinion | None
    users: dict[str, User | None]


def world_for(page: str, files: Files, request) -> World:
    """Only what the page needs: the requester's approved request for the file's pages, the other head's
    pending request for the decision, a document for its download, a reply for the replies' pages."""
    org = files.duties.org
    if page in ("integrity-file-detail", "file-document-add", "file-document-download"):
        access_approved(files)
    pending = None
    if page == "file-access-decide":
        pending = file_access_request(
            cadre=files.cadre,
            requester=org.heads[1],
            reason="了解情况",
            valid_from=ACCESS_FROM,
            valid_until=ACCESS_UNTIL,
        )
    if page in SEALING_PAGES or page in ("file-document-add", "file-document-download"):
        request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"
    if page in SEALING_PAGES:
        request.getfixturevalue("report_seal")
    document = document_added(files) if page == "file-document-download" else None
    opinion = None
    if page.startswith("opinion-"):
        opinion = opinion_register(
            cadre=files.cadre,
            registered_by=files.inspector,
            purpose="拟提拔任用",
            requested_by="机关党委",
            received_on=ACCESS_FROM,
        )
        opinion = opinion_save(
            opinion=opinion,
            saved_by=files.inspector,
            conclusion="未发现问题。",
            recheck=False,
            expected_version=1,
        )
        if page == "opinion-document":
            opinion_issue(opinion=opinion, issued_by=files.inspector)
        opinion = IntegrityOpinion.objects.get(pk=opinion.pk)
    return World(
        files=files,
        document=document,
        pending=pending,
        opinion=opinion,
        users={
            "anonymous": None,
            "outsider": org.outsider,
            "cadre": files.cadre,
            "requester": files.requester,
            "other_head": org.heads[1],
            "inspector": files.inspector,
            "aside": files.inspector_aside,
            "team_head": files.team_head,
            "office": org.office_admin,
            "party_group": org.secretary,
        },
    )


def page_url(page: str, world: World) -> str:
    cadre = world.files.cadre.pk
    if page in ("integrity-file-list", "file-opening-list", "opinion-list"):
        args = []
    elif page in ("integrity-file-detail", "file-document-add"):
        args = [cadre]
    elif page == "file-document-download":
        args = [cadre, world.document.pk, world.document.evidence.get().pk]
    elif page == "file-access-decide":
        args = [world.pending.pk]
    elif page == "opinion-document":
        args = [world.opinion.pk, 1]
    else:
        args = [world.opinion.pk]
    return reverse(f"responsibility:{page}", args=args)


def post_data(page: str, world: World) -> dict:
    org = world.files.duties.org
    return {
        "integrity-file-list": {
            "cadre": str(org.staff[1].pk),  # 法规处处长: nobody of the table
            "reason": "核实有关情况",
            "valid_from": ACCESS_FROM.isoformat(),
            "valid_until": ACCESS_UNTIL.isoformat(),
        },
        "file-document-add": {
            "kind": "commitment",
            "title": "廉洁承诺书",
            "dated": "2026-03-01",
            "summary": "",
            "files": pdf_upload("廉洁承诺书.pdf"),
        },
        "file-access-decide": {"decision": "approve", "note": "", "version": "1"},
        "opinion-list": {
            "cadre": str(org.staff[1].pk),
            "purpose": "评优评先",
            "requested_by": "机关党委",
            "request_reference": "",
            "received_on": ACCESS_FROM.isoformat(),
        },
        "opinion-save": {"conclusion": "经查未发现问题。", "version": "2", "save": ""},
    }.get(page, {})


def world_snapshot() -> tuple:
    """Everything a page may change, but the log of openings (asserted on its own)."""
    return (
        sorted(FileAccessRequest.objects.values_list("pk", "status", "version")),
        FileDocument.objects.count(),
        sorted(IntegrityOpinion.objects.values_list("pk", "status", "version")),
        IntegrityOpinionDocument.objects.count(),
        CadreEvent.objects.exclude(kind=CadreEventKind.FILE_OPENED).count(),
    )


def openings() -> int:
    return CadreEvent.objects.filter(kind=CadreEventKind.FILE_OPENED).count()


def assert_outcome(response, expected) -> None:
    login = reverse("accounts:login")
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(login)
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response.url.startswith(login)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*cell, outcome, id=" ".join(cell)) for cell, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(request, client, files, page, method, role, expected):
    world = world_for(page, files, request)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before, opened = world_snapshot(), openings()

    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page, world))

    assert_outcome(response, expected)
    assert (world_snapshot() != before) == (expected == DONE)
    assert openings() - opened == (1 if page in OPENING_PAGES and expected == 200 else 0)


REFUSED_POSTS = [
    pytest.param(page, role, outcome, id=f"{page} {role}")
    for (page, method, role), outcome in EXPECTED.items()
    if method == "POST" and outcome in (403, 404)
]


@pytest.mark.parametrize(("page", "role", "expected"), REFUSED_POSTS)
def test_a_refused_post_is_refused_before_its_input_is_read(request, client, files, page, role, expected):
    world = world_for(page, files, request)
    client.force_login(world.users[role])
    before = world_snapshot()

    response = client.post(page_url(page, world), {})

    assert response.status_code == expected
    assert world_snapshot() == before
