import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responsibility.letters.models.letters import LetterEvent, Signature
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_letter_admin_lists_letters_with_a_fixed_number_of_queries(
    admin_client, signed_letter, staff_letters
):
    # given the list with the two organ-level letters and two staff letters
    url = reverse("admin:responsibility_letter_changelist")
    with CaptureQueriesContext(connection) as four_letters:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 4

    # when only the letters to one signer are listed
    with CaptureQueriesContext(connection) as one_letter:
        response = admin_client.get(url, {"q": signed_letter.signer.full_name})

    # then the page shows the letter and costs the same queries whatever the number of rows
    assert [letter.pk for letter in response.context["cl"].result_list] == [signed_letter.pk]
    assert len(one_letter) == len(four_letters)


def test_letter_admin_shows_a_letter_read_only(admin_client, countersigned_letter):
    # when
    response = admin_client.get(reverse("admin:responsibility_letter_change", args=[countersigned_letter.pk]))

    # then every field is read-only and nothing can be saved or deleted
    page = response.content.decode()
    assert response.status_code == 200
    assert countersigned_letter.reference in page
    assert response.context["adminform"].form.fields == {}
    assert 'name="_save"' not in page
    assert reverse("admin:responsibility_letter_delete", args=[countersigned_letter.pk]) not in page


@pytest.mark.parametrize("action", ["add", "change", "delete"])
def test_letter_admin_refuses_to_add_change_or_delete_even_for_a_superuser(
    admin_client, signed_letter, action
):
    # given
    url = {
        "add": reverse("admin:responsibility_letter_add"),
        "change": reverse("admin:responsibility_letter_change", args=[signed_letter.pk]),
        "delete": reverse("admin:responsibility_letter_delete", args=[signed_letter.pk]),
    }[action]

    # when
    response = admin_client.post(url, {"title": "改过的标题", "post": "yes"})

    # then
    assert response.status_code == 403
    signed_letter.refresh_from_db()
    assert signed_letter.title != "改过的标题"


def test_signature_admin_does_not_render_the_image(admin_client, signed_letter):
    # given
    signature = Signature.objects.get(letter=signed_letter)

    # when
    response = admin_client.get(reverse("admin:responsibility_signature_change", args=[signature.pk]))

    # then
    assert response.status_code == 200
    assert "image_png" not in [
        line.field["name"] for fieldset in response.context["adminform"] for row in fieldset for line in row
    ]
    assert signature.content_hash in response.content.decode()


def test_letter_event_admin_lists_events_in_sequence_order(admin_client, countersigned_letter):
    # when
    response = admin_client.get(reverse("admin:responsibility_letterevent_changelist"))

    # then
    sequences = [event.sequence for event in response.context["cl"].result_list]
    assert sequences == sorted(LetterEvent.objects.values_list("sequence", flat=True))
    assert response.context["has_add_permission"] is False


@pytest.mark.parametrize("model", ["lettertemplate", "campaign", "signature", "letterevent"])
def test_admin_lists_of_templates_campaigns_signatures_and_events_are_read_only(
    admin_client, signed_letter, model
):
    # when
    listed = admin_client.get(reverse(f"admin:responsibility_{model}_changelist"))
    added = admin_client.get(reverse(f"admin:responsibility_{model}_add"))

    # then
    assert listed.status_code == 200
    assert listed.context["cl"].result_count >= 1
    assert added.status_code == 403
