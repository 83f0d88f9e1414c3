"""Every assessment page × every role: the answer each one gets, as a table asserted cell by cell.

The rules the table encodes:
- anonymous visitors are sent to the login page from every page;
- a draft scheme exists for the office, the inspection team and the Party Group; for everyone else it
  does not exist (404); a published one exists for everyone signed in (tested below the table);
- only the office imports, publishes, replaces and discards (403 for the others who see the draft);
- an action the user may take runs the real service with valid data and redirects ("302 done").
"""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from responsibility.assessment.models import AssessmentScheme, SchemeItem
from tests.responsibility.assessment.workbooks import scheme_xlsx

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "unit_head", "inspector", "office_admin", "party_group")

DONE = "302 done"
LOGIN = "302 login"

# fmt: off
# Columns in ROLES order: anon, outs(ider), head (a committee head), insp(ector), office, pg (Party Group).
TABLE = {
    # page, method                          anon    outs   head   insp   office pg
    ("scheme-list", "GET"):                (LOGIN, 200,   200,   200,   200,   200),
    ("scheme-import", "GET"):              (LOGIN, 403,   403,   403,   200,   403),
    ("scheme-import", "POST"):             (LOGIN, 403,   403,   403,   DONE,  403),
    ("scheme-template", "GET"):            (LOGIN, 403,   403,   403,   200,   403),
    ("scheme-detail", "GET"):              (LOGIN, 404,   404,   200,   200,   200),
    ("scheme-export", "GET"):              (LOGIN, 404,   404,   200,   200,   200),
    ("scheme-import-version", "GET"):      (LOGIN, 404,   404,   403,   200,   403),
    ("scheme-import-version", "POST"):     (LOGIN, 404,   404,   403,   DONE,  403),
    ("scheme-publish", "GET"):             (LOGIN, 405,   405,   405,   405,   405),
    ("scheme-publish", "POST"):            (LOGIN, 404,   404,   403,   DONE,  403),
    ("scheme-discard", "GET"):             (LOGIN, 405,   405,   405,   405,   405),
    ("scheme-discard", "POST"):            (LOGIN, 404,   404,   403,   DONE,  403),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}


@dataclass
class World:
    published: AssessmentScheme
    draft: AssessmentScheme
    users: dict[str, User | None]


@pytest.fixture
def world(org, published, draft) -> World:
    return World(
        published=published,
        draft=draft,
        users={
            "anonymous": None,
            "outsider": org.outsider,
            "unit_head": org.heads[0],
            "inspector": org.inspector,
            "office_admin": org.office_admin,
            "party_group": org.secretary,
        },
    )


def page_url(page: str, world: World) -> str:
    args = [] if page in ("scheme-list", "scheme-import", "scheme-template") else [world.draft.pk]
    return reverse(f"responsibility:{page}", args=args)


def post_data(page: str) -> dict:
    if page in ("scheme-import", "scheme-import-version"):
        return {"workbook": SimpleUploadedFile("考核方案.xlsx", scheme_xlsx(name="第三稿"))}
    return {}


def world_snapshot() -> tuple:
    return (
        sorted(AssessmentScheme.objects.values_list("pk", "name", "version", "status", "source_sha256")),
        SchemeItem.objects.count(),
    )


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*key, outcome, id=" ".join(key)) for key, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(client, world, page, method, role, expected):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = world_snapshot()

    url = page_url(page, world)
    response = client.get(url) if method == "GET" else client.post(url, post_data(page))

    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    elif expected == DONE:
        assert response.status_code == 302, response.content.decode()[:2000]
    else:
        assert response.status_code == expected
    if expected == DONE:
        assert world_snapshot() != before
    else:
        assert world_snapshot() == before
    if expected == 404:
        assert world.draft.name not in response.content.decode()


@pytest.mark.parametrize("role", ["outsider", "unit_head", "inspector", "office_admin", "party_group"])
def test_a_published_scheme_is_read_and_exported_by_everyone_signed_in(client, world, role):
    client.force_login(world.users[role])

    page = client.get(reverse("responsibility:scheme-detail", args=[world.published.pk]))
    export = client.get(reverse("responsibility:scheme-export", args=[world.published.pk]))

    assert page.status_code == 200 and world.published.name in page.content.decode()
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("role", ["outsider", "unit_head"])
def test_the_list_shows_only_published_versions_to_those_who_may_not_read_drafts(client, world, role):
    client.force_login(world.users[role])

    page = client.get(reverse("responsibility:scheme-list")).content.decode()

    assert world.published.name in page
    assert world.draft.name not in page
