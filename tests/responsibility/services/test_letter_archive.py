import pytest
from django.core.exceptions import PermissionDenied

from core.errors import TransitionNotAllowed
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import LetterEvent, LetterStatus
from responsibility.letters.services.letters import letter_archive

pytestmark = pytest.mark.django_db


def _fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def test_letter_archive_files_a_countersigned_letter(org, countersigned_letter):
    # when
    letter_archive(letter=countersigned_letter, archived_by=org.office_admin, ip_address="10.3.3.3")

    # then
    stored = _fresh(countersigned_letter)
    assert stored.status == LetterStatus.ARCHIVED
    assert stored.archived_at is not None
    event = LetterEvent.objects.get(letter=countersigned_letter, kind="archived")
    assert (event.from_status, event.to_status) == ("countersigned", "archived")
    assert (event.actor, event.ip_address) == (org.office_admin, "10.3.3.3")
    assert audit_chain_verify() is None


@pytest.mark.parametrize("who", ["issuer", "signer", "inspector", "outsider"])
def test_letter_archive_refuses_anyone_but_the_office(org, countersigned_letter, who):
    user = {
        "issuer": org.secretary,
        "signer": countersigned_letter.signer,
        "inspector": org.inspector,
        "outsider": org.outsider,
    }[who]
    with pytest.raises(PermissionDenied):
        letter_archive(letter=countersigned_letter, archived_by=user)
    assert _fresh(countersigned_letter).status == LetterStatus.COUNTERSIGNED
    assert not LetterEvent.objects.filter(kind="archived").exists()


@pytest.mark.parametrize("fixture", ["issued_letter", "signed_letter"])
def test_letter_archive_refuses_a_letter_not_yet_countersigned(org, request, fixture):
    # given
    letter = request.getfixturevalue(fixture)

    # when / then
    with pytest.raises(TransitionNotAllowed, match="Only a countersigned letter"):
        letter_archive(letter=letter, archived_by=org.office_admin)
    assert _fresh(letter).status == fixture.removesuffix("_letter")
    assert not LetterEvent.objects.filter(kind="archived").exists()


def test_letter_archive_twice_is_refused(org, countersigned_letter):
    letter_archive(letter=countersigned_letter, archived_by=org.office_admin)
    with pytest.raises(TransitionNotAllowed):
        letter_archive(letter=countersigned_letter, archived_by=org.office_admin)
    assert LetterEvent.objects.filter(kind="archived").count() == 1
