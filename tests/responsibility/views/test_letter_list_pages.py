"""The letter list: newest first in keyset pages of 50 that keep the filters, in a fixed number of
queries whatever the number of letters; the campaign tree's top level in pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import PostKind
from responsibility.letters.models.letters import Letter
from responsibility.letters.services.issuing import campaign_issue_letters, letter_issue_to_staff
from responsibility.letters.services.letters import letter_sign
from tests.conftest import attestation_for
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

LETTERS = reverse("responsibility:letter-list")


def _issue(org, count: int) -> list[Letter]:
    """`count` more unit heads receive a letter from the secretary."""
    posts = [PostFactory(kind=PostKind.UNIT_HEAD) for _ in range(count)]
    return campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued


def _queries(client, user, path, query=None) -> int:
    client.force_login(user)
    client.get(path, query)  # warm the per-process caches (content types) so that only the data varies
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", [None, {"status": "issued"}, {"q": "RL"}])
def test_the_office_letter_list_runs_the_same_queries_for_3_and_30_rows(client, org, query):
    _issue(org, 3)
    few = _queries(client, org.office_admin, LETTERS, query)

    _issue(org, 27)
    many = _queries(client, org.office_admin, LETTERS, query)

    assert few == many


def test_a_heads_letter_list_runs_the_same_queries_for_3_and_30_rows(client, org, issued_letters):
    # given a head who signed their letter and issued letters to staff (object grants, not a role)
    head_letter = issued_letters[0]
    head = head_letter.signer
    letter_sign(letter=head_letter, signed_by=head, attestation=attestation_for(head_letter))

    def issue_to_staff(count):
        posts = [PostFactory(unit=head_letter.signer_unit, kind=PostKind.STAFF) for _ in range(count)]
        letter_issue_to_staff(
            parent=head_letter, template=org.unit_template, signer_posts=posts, issued_by=head
        )

    issue_to_staff(2)
    few = _queries(client, head, LETTERS)
    issue_to_staff(27)
    many = _queries(client, head, LETTERS)

    assert few == many
    assert len(client.get(LETTERS).context["letters"]) == 30


def test_the_letter_list_pages_newest_first_and_keeps_its_filters_in_the_links(client, org):
    # given 52 issued letters and one signed one
    letters = _issue(org, 53)
    letter_sign(letter=letters[0], signed_by=letters[0].signer, attestation=attestation_for(letters[0]))
    issued = sorted(letters[1:], key=lambda letter: -letter.pk)
    client.force_login(org.office_admin)

    # when the office filters by status and follows the links
    first = client.get(LETTERS, {"status": "issued", "campaign": org.campaign.pk})
    second = client.get(f"{LETTERS}?{first.context['page'].next_query}")
    back = client.get(f"{LETTERS}?{second.context['page'].previous_query}")

    # then
    assert list(first.context["letters"]) == issued[:50]
    body = first.content.decode()
    assert f'href="?status=issued&amp;campaign={org.campaign.pk}&amp;after={issued[49].pk}"' in body
    assert not first.context["page"].has_previous
    assert list(second.context["letters"]) == issued[50:]
    assert second.context["page"].has_previous and not second.context["page"].has_next
    assert f'href="?status=issued&amp;campaign={org.campaign.pk}"' in second.content.decode()  # newest
    assert list(back.context["letters"]) == issued[:50]
    assert not back.context["page"].has_previous


@pytest.mark.parametrize("cursor", [{"after": "abc"}, {"before": "-1"}, {"page": "7"}])
def test_a_malformed_or_old_page_parameter_shows_the_first_page(client, org, issued_letters, cursor):
    client.force_login(org.office_admin)

    response = client.get(LETTERS, cursor)

    assert response.status_code == 200
    assert list(response.context["letters"]) == sorted(issued_letters, key=lambda letter: -letter.pk)


def test_a_page_before_the_newest_letters_is_the_first_page(client, org):
    letters = _issue(org, 5)
    client.force_login(org.office_admin)

    response = client.get(LETTERS, {"before": letters[1].pk})

    assert list(response.context["letters"]) == sorted(letters, key=lambda letter: -letter.pk)
    assert not response.context["page"].has_previous


def test_the_letter_list_shows_a_head_only_the_letters_they_may_see(client, org, issued_letters):
    client.force_login(issued_letters[0].signer)

    response = client.get(LETTERS)

    assert list(response.context["letters"]) == [issued_letters[0]]


def test_the_campaign_tree_pages_its_top_level_by_50_with_the_same_queries(client, org):
    letters = _issue(org, 3)
    top = reverse("responsibility:campaign-tree", args=[org.campaign.pk])
    few = _queries(client, org.office_admin, top)

    letters += _issue(org, 50)
    many = _queries(client, org.office_admin, top)
    second = client.get(top, {"page": 2})

    assert few == many
    assert len(client.get(top).context["nodes"]) == 50
    assert len(second.context["nodes"]) == 3
    assert {node.children_count for node in second.context["nodes"]} == {0}
