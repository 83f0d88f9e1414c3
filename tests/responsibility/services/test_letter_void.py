import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError, TransitionNotAllowed
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import Letter, LetterEvent, LetterStatus, Signature
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import (
    MAX_REASON_LENGTH,
    letter_archive,
    letter_return,
    letter_void,
)

pytestmark = pytest.mark.django_db


def _fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def test_letter_void_by_the_issuer_withdraws_the_letter_and_keeps_it(org, issued_letter):
    # when the issuer withdraws the letter
    letter_void(letter=issued_letter, voided_by=org.secretary, reason="  人事调整  ", ip_address="10.2.2.2")

    # then it stays, marked voided, with the reason
    stored = _fresh(issued_letter)
    assert stored.status == LetterStatus.VOIDED
    assert stored.voided_at is not None
    assert stored.void_reason == "人事调整"
    assert stored.clauses.count() == 3
    event = LetterEvent.objects.get(letter=issued_letter, kind="voided")
    assert (event.from_status, event.to_status) == ("issued", "voided")
    assert (event.actor, event.note, event.ip_address) == (org.secretary, "人事调整", "10.2.2.2")
    assert audit_chain_verify() is None


def test_letter_void_by_the_office_administrator_keeps_the_signatures(org, countersigned_letter):
    # when the office withdraws a letter both parties had signed
    letter_void(letter=countersigned_letter, voided_by=org.office_admin, reason="机构改革")

    # then the letter and both signatures stay on record
    assert _fresh(countersigned_letter).status == LetterStatus.VOIDED
    assert Signature.objects.filter(letter=countersigned_letter).count() == 2
    assert Letter.objects.filter(pk=countersigned_letter.pk).exists()


def test_letter_void_frees_the_post_for_a_new_letter_in_the_campaign(org, issued_letter):
    # given
    letter_void(letter=issued_letter, voided_by=org.office_admin, reason="内容有误")

    # when the office issues again to the same head
    result = campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=org.secretary_post,
        signer_posts=[issued_letter.signer_post],
        issued_by=org.office_admin,
    )

    # then the head gets a new letter with a new number; the voided one remains
    new = result.issued[0]
    assert new.number == 3
    assert Letter.objects.filter(signer_post=issued_letter.signer_post).count() == 2


@pytest.mark.parametrize("reason", ["", "    "])
def test_letter_void_requires_a_reason(org, issued_letter, reason):
    with pytest.raises(ApplicationError) as refusal:
        letter_void(letter=issued_letter, voided_by=org.office_admin, reason=reason)
    assert refusal.value.code == "reason_missing"
    assert _fresh(issued_letter).status == LetterStatus.ISSUED
    assert not LetterEvent.objects.filter(kind="voided").exists()


def test_letter_void_refuses_a_reason_over_the_maximum_length(org, issued_letter):
    with pytest.raises(ApplicationError) as refusal:
        letter_void(letter=issued_letter, voided_by=org.office_admin, reason="x" * (MAX_REASON_LENGTH + 1))
    assert refusal.value.code == "reason_too_long"
    assert _fresh(issued_letter).status == LetterStatus.ISSUED


@pytest.mark.parametrize("who", ["signer", "other_head", "inspector", "outsider"])
def test_letter_void_refuses_anyone_but_the_issuer_or_the_office(org, issued_letter, who):
    user = {
        "signer": issued_letter.signer,
        "other_head": org.heads[1],
        "inspector": org.inspector,
        "outsider": org.outsider,
    }[who]
    with pytest.raises(PermissionDenied):
        letter_void(letter=issued_letter, voided_by=user, reason="不要了")
    assert _fresh(issued_letter).status == LetterStatus.ISSUED
    assert not LetterEvent.objects.filter(kind="voided").exists()


def test_letter_void_refuses_the_issuer_of_another_letter(org, issued_letters, staff_letters):
    # given the head issued staff letters; the head may void those, not the secretary's letter to them
    head = org.heads[0]
    letter_void(letter=staff_letters[0], voided_by=head, reason="岗位调整")

    # when / then
    with pytest.raises(PermissionDenied):
        letter_void(letter=issued_letters[1], voided_by=head, reason="不要了")
    assert _fresh(staff_letters[0]).status == LetterStatus.VOIDED
    assert _fresh(issued_letters[1]).status == LetterStatus.ISSUED


def test_letter_void_refuses_an_archived_letter(org, countersigned_letter):
    # given
    letter_archive(letter=countersigned_letter, archived_by=org.office_admin)

    # when / then
    with pytest.raises(TransitionNotAllowed) as refusal:
        letter_void(letter=countersigned_letter, voided_by=org.office_admin, reason="清理")
    assert refusal.value.code == "archived_to_voided"
    assert _fresh(countersigned_letter).status == LetterStatus.ARCHIVED


def test_letter_void_refuses_a_returned_letter(org, issued_letter):
    letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason="条款不符")
    with pytest.raises(TransitionNotAllowed):
        letter_void(letter=issued_letter, voided_by=org.office_admin, reason="清理")
    assert _fresh(issued_letter).status == LetterStatus.RETURNED


def test_letter_void_twice_is_refused(org, issued_letter):
    letter_void(letter=issued_letter, voided_by=org.office_admin, reason="第一次")
    with pytest.raises(TransitionNotAllowed):
        letter_void(letter=issued_letter, voided_by=org.office_admin, reason="第二次")
    assert _fresh(issued_letter).void_reason == "第一次"
    assert LetterEvent.objects.filter(kind="voided").count() == 1
