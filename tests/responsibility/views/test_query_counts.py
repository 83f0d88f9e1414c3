"""Pages that list letters run a fixed number of queries, whatever the number of letters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import PostKind
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_countersign, letter_sign
from tests.conftest import attestation_for
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _issue_and_sign(org, count: int):
    """`count` more unit heads receive a letter from the secretary and sign it."""
    posts = [PostFactory(kind=PostKind.UNIT_HEAD) for _ in range(count)]
    letters = campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=posts, issued_by=org.office_admin
    ).issued
    for letter in letters:
        letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    return letters


def _queries(client, user, path) -> int:
    client.force_login(user)
    client.get(path)  # warm the per-process caches (content types) so that only the data varies
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "page", ["responsibility:todo", "responsibility:letter-list", "responsibility:letter-countersign-batch"]
)
def test_letter_pages_for_the_issuer_run_the_same_queries_for_2_and_12_letters(client, org, page):
    _issue_and_sign(org, 2)
    few = _queries(client, org.secretary, reverse(page))

    _issue_and_sign(org, 10)
    many = _queries(client, org.secretary, reverse(page))

    assert few == many


def test_the_todo_page_of_a_head_with_staff_runs_the_same_queries_for_few_and_many_staff(client, org):
    # given a head who signed and issued letters to two staff members who signed
    head_letter = _issue_and_sign(org, 1)[0]
    head = head_letter.signer

    def staff_sign(count):
        from responsibility.letters.services.issuing import letter_issue_to_staff

        posts = [PostFactory(unit=head_letter.signer_unit, kind=PostKind.STAFF) for _ in range(count)]
        for letter in letter_issue_to_staff(
            parent=head_letter, template=org.unit_template, signer_posts=posts, issued_by=head
        ).issued:
            letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))

    staff_sign(2)
    few = _queries(client, head, reverse("responsibility:todo"))
    staff_sign(10)
    many = _queries(client, head, reverse("responsibility:todo"))

    assert few == many
    # the session, the user, the second factor (enrolled? required?), the permissions (the user's and
    # the groups'), the posts headed, the unit tree, and every section in one query
    assert many == 9


def test_a_letter_page_runs_the_same_queries_for_few_and_many_events(client, org, staff_letters):
    parent = staff_letters[0].parent
    few = _queries(client, parent.signer, reverse("responsibility:letter-detail", args=[parent.pk]))

    for letter in staff_letters:
        letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    many = _queries(client, parent.signer, reverse("responsibility:letter-detail", args=[parent.pk]))

    assert few == many
    # the letter once with its parties and units, its clauses, signatures with signers and history with
    # actors (one query each), never read a second time for the page
    assert many == 16


@pytest.mark.parametrize("countersigned", [False, True])
def test_the_completion_page_reads_the_letter_with_its_parties_in_one_query(
    client, org, signed_letter, countersigned
):
    # the signer's page after signing: waiting for the countersignature (who, by when), or in force (the
    # sealed PDF's panel)
    if countersigned:
        letter_countersign(
            letter=signed_letter,
            countersigned_by=signed_letter.issuer,
            attestation=attestation_for(signed_letter),
        )
    path = reverse("responsibility:letter-signed", args=[signed_letter.pk])

    queries = _queries(client, signed_letter.signer, path)

    # every page's 7 (the session, the user, the second factor, two of permissions, the roles, the bell),
    # then the letter with its campaign and parties, the signature, and in force the PDF
    assert queries == 7 + 2 + countersigned
