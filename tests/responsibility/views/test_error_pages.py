import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_refusal_explains_itself(client, org, issued_letter, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(org.inspector)  # may read every letter, may void none

    response = client.post(
        reverse("responsibility:letter-void", args=[issued_letter.pk]),
        {"reason": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 403
    assert issued_letter.reference in response.content.decode()


def test_an_invisible_letter_is_not_found(client, org, issued_letter):
    client.force_login(org.outsider)

    response = client.get(reverse("responsibility:letter-detail", args=[issued_letter.pk]))

    assert response.status_code == 404
    assert issued_letter.title not in response.content.decode()
