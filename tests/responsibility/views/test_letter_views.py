import base64
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from responsibility.letters.models.letters import LetterEvent, LetterStatus, Signature, SignatureMethod
from responsibility.letters.signing import CONSENT_TEXT
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def drawn_signature() -> str:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (280, 30)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def sign_post(letter, **overrides):
    data = {
        "password": TEST_PASSWORD,
        "consent": "on",
        "method": SignatureMethod.DRAWN,
        "drawing": drawn_signature(),
        "typed_name": "",
        "content_hash": letter.content_hash,
    }
    data.update(overrides)
    return data


def test_signer_reads_and_signs_their_letter(client, issued_letter):
    # given
    client.force_login(issued_letter.signer)
    page = client.get(reverse("responsibility:letter-detail", args=[issued_letter.pk]))
    assert page.status_code == 200
    assert CONSENT_TEXT in page.content.decode()
    for clause in issued_letter.clauses.all():
        assert clause.text in page.content.decode()
    for post in (issued_letter.issuer_post, issued_letter.signer_post):  # each party with their post
        assert post.full_title in page.content.decode()

    # when
    response = client.post(
        reverse("responsibility:letter-sign", args=[issued_letter.pk]), sign_post(issued_letter)
    )

    # then
    assert response.status_code == 302
    issued_letter.refresh_from_db()
    assert issued_letter.status == LetterStatus.SIGNED
    signature = Signature.objects.get(letter=issued_letter)
    assert signature.method == SignatureMethod.DRAWN
    assert bytes(signature.image_png).startswith(b"\x89PNG")
    assert signature.consent_text == CONSENT_TEXT
    assert signature.content_hash == issued_letter.content_hash
    assert signature.ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"password": "wrong-password"}, "The password is not correct."),
        ({"consent": ""}, "Please tick the consent"),
        ({"drawing": ""}, "Please draw your signature"),
        ({"drawing": "data:image/png;base64,not-base64!!"}, "damaged"),
        ({"drawing": "data:image/png;base64," + "A" * 400_000}, "too large"),
        ({"method": "typed", "typed_name": "别人的名字"}, "does not match"),
        ({"content_hash": "0" * 64}, "changed since you opened it"),
        ({"password": ""}, "Please enter your password to confirm"),
    ],
)
def test_bad_sign_requests_explain_themselves_and_change_nothing(
    client, issued_letter, overrides, expected, settings
):
    settings.LANGUAGE_CODE = "en"
    client.force_login(issued_letter.signer)

    response = client.post(
        reverse("responsibility:letter-sign", args=[issued_letter.pk]),
        sign_post(issued_letter, **overrides),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert expected in response.content.decode()
    issued_letter.refresh_from_db()
    assert issued_letter.status == LetterStatus.ISSUED
    assert not Signature.objects.exists()
    assert not LetterEvent.objects.filter(kind="signed").exists()


def test_expired_reauthentication_asks_for_the_password_again(client, issued_letter, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(issued_letter.signer)
    url = reverse("responsibility:letter-sign", args=[issued_letter.pk])
    # given a password confirmed by a first attempt the letter refused (it changed while open)
    client.post(url, sign_post(issued_letter, content_hash="0" * 64), HTTP_ACCEPT_LANGUAGE="en")

    # when signing six minutes later without entering it again
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=6)):
        response = client.post(url, sign_post(issued_letter, password=""), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_fresh_reauthentication_lets_the_signer_sign_without_retyping(client, issued_letter):
    client.force_login(issued_letter.signer)
    url = reverse("responsibility:letter-sign", args=[issued_letter.pk])
    # given a password confirmed by an attempt the letter refused (it changed while open)
    client.post(url, sign_post(issued_letter, content_hash="0" * 64))
    # and the page says, in one sentence, that it is not asked again
    page = client.get(reverse("responsibility:letter-detail", args=[issued_letter.pk])).content.decode()
    assert "data-reauth-fresh" in page
    assert 'name="password"' not in page

    response = client.post(url, sign_post(issued_letter, password=""))

    assert response.status_code == 302
    assert Signature.objects.filter(letter=issued_letter).count() == 1


def test_signing_someone_elses_letter_is_a_404_even_with_the_link(client, org, issued_letters):
    other = issued_letters[1]
    client.force_login(issued_letters[0].signer)

    response = client.post(reverse("responsibility:letter-sign", args=[other.pk]), sign_post(other))

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == LetterStatus.ISSUED


def test_the_office_may_see_a_letter_but_not_sign_it(client, org, issued_letter):
    client.force_login(org.office_admin)

    response = client.post(
        reverse("responsibility:letter-sign", args=[issued_letter.pk]), sign_post(issued_letter)
    )

    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_double_submitted_sign_form_gives_one_signature(client, issued_letter):
    client.force_login(issued_letter.signer)
    url = reverse("responsibility:letter-sign", args=[issued_letter.pk])

    first = client.post(url, sign_post(issued_letter))
    second = client.post(url, sign_post(issued_letter))

    # then the second (a double tap, the back button) lands on the same completion page
    done = reverse("responsibility:letter-signed", args=[issued_letter.pk])
    assert (first.status_code, first["Location"]) == (302, done)
    assert (second.status_code, second["Location"]) == (302, done)
    assert Signature.objects.filter(letter=issued_letter).count() == 1


def test_issuer_countersigns_many_letters_with_one_password(client, org, issued_letters):
    for letter in issued_letters:
        client.force_login(letter.signer)
        client.post(reverse("responsibility:letter-sign", args=[letter.pk]), sign_post(letter))
    client.force_login(org.secretary)
    page = client.get(reverse("responsibility:letter-countersign-batch"))
    assert page.status_code == 200

    data = sign_post(issued_letters[0])
    data.pop("content_hash")
    data["letters"] = [letter.pk for letter in issued_letters]
    data.update({f"hash_{letter.pk}": letter.content_hash for letter in issued_letters})
    response = client.post(reverse("responsibility:letter-countersign-batch"), data)

    assert response.status_code == 302
    for letter in issued_letters:
        letter.refresh_from_db()
        assert letter.status == LetterStatus.COUNTERSIGNED
    assert Signature.objects.filter(role="issuer").count() == 2


def test_signer_returns_a_letter_with_a_reason_and_the_issuer_revises_it(client, org, issued_letter):
    client.force_login(issued_letter.signer)
    first_page = client.get(reverse("responsibility:letter-detail", args=[issued_letter.pk])).content.decode()
    assert 'class="timeline"' not in first_page  # a first version has no other versions to list
    empty = client.post(reverse("responsibility:letter-return", args=[issued_letter.pk]), {"reason": "  "})
    assert empty.status_code == 400
    client.post(
        reverse("responsibility:letter-return", args=[issued_letter.pk]), {"reason": "第三条表述有误"}
    )
    issued_letter.refresh_from_db()
    assert issued_letter.status == LetterStatus.RETURNED

    client.force_login(org.office_admin)
    form = client.get(reverse("responsibility:letter-revise", args=[issued_letter.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("responsibility:letter-revise", args=[issued_letter.pk]),
        {
            "title": issued_letter.title,
            "preamble": issued_letter.preamble,
            "closing": issued_letter.closing,
            "clauses-TOTAL_FORMS": "2",
            "clauses-INITIAL_FORMS": "0",
            "clauses-MIN_NUM_FORMS": "0",
            "clauses-MAX_NUM_FORMS": "60",
            "clauses-0-category": "principal",
            "clauses-0-text": "修订后的第一条。",
            "clauses-1-category": "self_discipline",
            "clauses-1-text": "修订后的第二条。",
        },
    )
    assert response.status_code == 302
    new = issued_letter.next_version
    assert new.status == LetterStatus.ISSUED
    assert new.reference.endswith("-2")
    assert [c.text for c in new.clauses.all()] == ["修订后的第一条。", "修订后的第二条。"]
    # each version's page lists both, linking to the other
    for shown, other in ((new, issued_letter), (issued_letter, new)):
        page = client.get(reverse("responsibility:letter-detail", args=[shown.pk])).content.decode()
        versions = page[page.index('class="timeline"') :]
        assert issued_letter.reference in versions and new.reference in versions
        assert reverse("responsibility:letter-detail", args=[other.pk]) in versions


def test_todo_lists_what_waits_for_each_person(client, org, issued_letters):
    client.force_login(issued_letters[0].signer)
    page = client.get(reverse("responsibility:todo")).content.decode()
    assert issued_letters[0].title in page
    assert reverse("responsibility:letter-detail", args=[issued_letters[0].pk]) in page
    assert reverse("responsibility:letter-detail", args=[issued_letters[1].pk]) not in page


def test_head_issues_letters_to_staff_after_signing(client, org, signed_letter):
    client.force_login(signed_letter.signer)
    url = reverse("responsibility:letter-issue-to-staff", args=[signed_letter.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"template": org.unit_template.pk, "posts": [p.pk for p in org.staff_posts]})

    assert response.status_code == 302
    assert signed_letter.children.count() == 2


def test_letter_list_filters_and_searches(client, org, issued_letters):
    client.force_login(org.office_admin)
    response = client.get(reverse("responsibility:letter-list"), {"q": issued_letters[1].signer.full_name})
    body = response.content.decode()
    assert issued_letters[1].reference in body
    assert issued_letters[0].reference not in body


def test_a_staff_letter_links_to_its_parent_only_for_those_who_may_open_it(client, staff_letters):
    staff_letter = staff_letters[0]
    parent_url = reverse("responsibility:letter-detail", args=[staff_letter.parent_id])

    client.force_login(staff_letter.signer)
    assert (
        parent_url
        not in client.get(reverse("responsibility:letter-detail", args=[staff_letter.pk])).content.decode()
    )

    client.force_login(staff_letter.issuer)  # the head, who signed the parent
    assert (
        parent_url
        in client.get(reverse("responsibility:letter-detail", args=[staff_letter.pk])).content.decode()
    )


def test_a_letters_state_shows_as_its_badge_on_the_list_and_its_page(client, org, issued_letters):
    client.force_login(org.office_admin)
    badge = f'<span class="badge status-issued">{LetterStatus.ISSUED.label}</span>'
    listed = client.get(reverse("responsibility:letter-list")).content.decode()
    assert listed.count(badge) == len(issued_letters)
    page = client.get(reverse("responsibility:letter-detail", args=[issued_letters[0].pk])).content.decode()
    assert badge in page
