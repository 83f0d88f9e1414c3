import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError, TransitionNotAllowed
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import LetterEvent, LetterStatus
from responsibility.letters.services.letters import MAX_REASON_LENGTH, letter_return

pytestmark = pytest.mark.django_db


def _fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def _assert_still_issued(letter, events_before):
    stored = _fresh(letter)
    assert stored.status == LetterStatus.ISSUED
    assert stored.return_reason == ""
    assert stored.returned_at is None
    assert LetterEvent.objects.count() == events_before


def test_letter_return_sends_the_letter_back_with_the_reason(issued_letter):
    # when the signer returns the letter
    letter_return(
        letter=issued_letter,
        returned_by=issued_letter.signer,
        reason="  第三条与本单位职责不符  ",
        ip_address="10.1.1.1",
    )

    # then
    stored = _fresh(issued_letter)
    assert stored.status == LetterStatus.RETURNED
    assert stored.returned_at is not None
    assert stored.return_reason == "第三条与本单位职责不符"
    event = LetterEvent.objects.get(letter=issued_letter, kind="returned")
    assert (event.from_status, event.to_status) == ("issued", "returned")
    assert (event.actor, event.note, event.ip_address) == (
        issued_letter.signer,
        "第三条与本单位职责不符",
        "10.1.1.1",
    )
    assert audit_chain_verify() is None


@pytest.mark.parametrize("reason", ["", "   \n\t ", None])
def test_letter_return_requires_a_reason(issued_letter, reason):
    events_before = LetterEvent.objects.count()
    with pytest.raises(ApplicationError, match="reason") as refusal:
        letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason=reason)
    assert refusal.value.code == "reason_missing"
    _assert_still_issued(issued_letter, events_before)


def test_letter_return_refuses_a_reason_over_the_maximum_length(issued_letter):
    events_before = LetterEvent.objects.count()
    with pytest.raises(ApplicationError, match="too long") as refusal:
        letter_return(
            letter=issued_letter, returned_by=issued_letter.signer, reason="长" * (MAX_REASON_LENGTH + 1)
        )
    assert refusal.value.code == "reason_too_long"
    _assert_still_issued(issued_letter, events_before)


def test_letter_return_accepts_a_reason_of_exactly_the_maximum_length(issued_letter):
    letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason="长" * MAX_REASON_LENGTH)
    assert len(_fresh(issued_letter).return_reason) == MAX_REASON_LENGTH


@pytest.mark.parametrize("who", ["issuer", "office_admin", "other_head", "inspector"])
def test_letter_return_refuses_anyone_but_the_signer(org, issued_letter, who):
    user = {
        "issuer": org.secretary,
        "office_admin": org.office_admin,
        "other_head": org.heads[1],
        "inspector": org.inspector,
    }[who]
    events_before = LetterEvent.objects.count()
    with pytest.raises(PermissionDenied):
        letter_return(letter=issued_letter, returned_by=user, reason="不同意")
    _assert_still_issued(issued_letter, events_before)


def test_letter_return_refuses_a_signed_letter(signed_letter):
    with pytest.raises(TransitionNotAllowed) as refusal:
        letter_return(letter=signed_letter, returned_by=signed_letter.signer, reason="改主意了")
    assert refusal.value.code == "signed_to_returned"
    assert _fresh(signed_letter).status == LetterStatus.SIGNED
    assert not LetterEvent.objects.filter(kind="returned").exists()


def test_letter_return_twice_is_refused(issued_letter):
    # given
    letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason="第一次")

    # when / then
    with pytest.raises(TransitionNotAllowed):
        letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason="第二次")
    assert _fresh(issued_letter).return_reason == "第一次"
    assert LetterEvent.objects.filter(kind="returned").count() == 1
