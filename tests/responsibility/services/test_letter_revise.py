import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_perms

from accounts.models import User
from core.errors import ApplicationError
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.content import ClauseText, letter_stored_content_hash
from responsibility.letters.models.letters import ClauseCategory, Letter, LetterEvent, LetterStatus
from responsibility.letters.services.campaigns import campaign_close
from responsibility.letters.services.issuing import letter_revise
from responsibility.letters.services.letters import letter_return, letter_sign
from tests.conftest import attestation_for, clause_texts

pytestmark = pytest.mark.django_db

NEW_CLAUSES = [
    ClauseText(0, ClauseCategory.PRINCIPAL, "切实履行本委党风廉政建设主体责任。"),
    ClauseText(0, ClauseCategory.SELF_DISCIPLINE, "严守廉洁纪律。"),
]


def _fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


@pytest.fixture
def returned_letter(issued_letter) -> Letter:
    return letter_return(letter=issued_letter, returned_by=issued_letter.signer, reason="第二条不适用本单位")


def _revise(letter, revised_by, **changes):
    fields = {
        "title": letter.title,
        "preamble": letter.preamble,
        "closing": letter.closing,
        "clauses": NEW_CLAUSES,
    }
    fields.update(changes)
    return letter_revise(letter=letter, revised_by=revised_by, **fields)


def test_letter_revise_issues_a_new_version_with_the_same_number(org, returned_letter):
    # when the issuer revises the returned letter
    new = _revise(returned_letter, org.secretary, preamble="修订后的序言。")

    # then a second version goes out under the same number, linked to the first
    new = _fresh(new)
    old = _fresh(returned_letter)
    assert new.pk != old.pk
    assert (new.campaign, new.number, new.version) == (old.campaign, old.number, 2)
    assert new.reference == f"{old.reference}-2" == "人常廉责〔2026〕1号-2"
    assert new.previous_version == old
    assert new.status == LetterStatus.ISSUED
    assert new.issued_at is not None
    assert new.preamble == "修订后的序言。"
    assert (new.signer, new.signer_post, new.issuer, new.issuer_post) == (
        old.signer,
        old.signer_post,
        old.issuer,
        old.issuer_post,
    )
    assert [(c.number, c.category, c.text) for c in new.clauses.all()] == [
        (1, ClauseCategory.PRINCIPAL, NEW_CLAUSES[0].text),
        (2, ClauseCategory.SELF_DISCIPLINE, NEW_CLAUSES[1].text),
    ]
    assert new.content_hash != old.content_hash
    assert new.content_hash == letter_stored_content_hash(letter=new)
    # the returned version stays as it was, with its reason
    assert old.status == LetterStatus.RETURNED
    assert old.return_reason == "第二条不适用本单位"
    assert len(clause_texts(old)) == 3
    event = LetterEvent.objects.get(letter=new)
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        "revised",
        "draft",
        "issued",
        org.secretary,
    )
    assert event.payload["revision_of"] == {"id": old.pk, "reference": old.reference}
    assert audit_chain_verify() is None


def test_letter_revise_grants_the_parties_on_the_new_version_and_the_signer_can_sign_it(org, returned_letter):
    # when
    new = _revise(returned_letter, org.secretary)

    # then
    signer = User.objects.get(pk=returned_letter.signer_id)
    assert set(get_perms(signer, new)) == {"view_letter", "sign_letter"}
    assert {"view_letter", "countersign_letter"} <= set(get_perms(User.objects.get(pk=org.secretary.pk), new))
    assert get_perms(User.objects.get(pk=org.heads[1].pk), new) == []
    signed = letter_sign(letter=new, signed_by=signer, attestation=attestation_for(new))
    assert signed.status == LetterStatus.SIGNED


def test_letter_revise_by_the_office_administrator_is_allowed(org, returned_letter):
    new = _revise(returned_letter, org.office_admin)
    assert new.version == 2
    assert LetterEvent.objects.get(letter=new).actor == org.office_admin


def test_letter_revise_a_second_return_gives_a_third_version(org, returned_letter):
    # given the second version was returned too
    second = _revise(returned_letter, org.secretary)
    letter_return(letter=second, returned_by=second.signer, reason="仍需修改")

    # when
    third = _revise(_fresh(second), org.secretary)

    # then
    assert third.version == 3
    assert third.reference == "人常廉责〔2026〕1号-3"
    assert third.previous_version == second


def test_letter_revise_twice_is_refused(org, returned_letter):
    # given
    _revise(returned_letter, org.secretary)

    # when / then the returned letter has been superseded already
    with pytest.raises(ApplicationError, match="already been revised"):
        _revise(_fresh(returned_letter), org.secretary)
    assert Letter.objects.filter(number=returned_letter.number).count() == 2


def test_letter_revise_refuses_a_letter_that_was_not_returned(org, issued_letter):
    with pytest.raises(ApplicationError, match="Only a returned letter"):
        _revise(issued_letter, org.secretary)
    assert Letter.objects.filter(number=issued_letter.number).count() == 1


def test_letter_revise_refuses_a_signed_letter(org, signed_letter):
    with pytest.raises(ApplicationError, match="Only a returned letter"):
        _revise(signed_letter, org.secretary)
    assert Letter.objects.filter(number=signed_letter.number).count() == 1


@pytest.mark.parametrize("who", ["signer", "other_head", "inspector"])
def test_letter_revise_refuses_anyone_but_the_issuer_or_the_office(org, returned_letter, who):
    user = {"signer": returned_letter.signer, "other_head": org.heads[1], "inspector": org.inspector}[who]
    with pytest.raises(PermissionDenied):
        _revise(returned_letter, user)
    assert Letter.objects.filter(number=returned_letter.number).count() == 1


def test_letter_revise_refuses_a_letter_without_clauses(org, returned_letter):
    with pytest.raises(ApplicationError, match="at least one clause"):
        _revise(returned_letter, org.secretary, clauses=[])
    assert Letter.objects.filter(number=returned_letter.number).count() == 1


@pytest.mark.parametrize(
    "clause",
    [
        ClauseText(0, "no_such_category", "一条条款。"),
        ClauseText(0, ClauseCategory.RULES, "   "),
        ClauseText(0, ClauseCategory.RULES, "长" * 2001),
    ],
    ids=["unknown category", "blank text", "text too long"],
)
def test_letter_revise_refuses_a_bad_clause_and_changes_nothing(org, returned_letter, clause):
    events_before = LetterEvent.objects.count()
    with pytest.raises(ApplicationError, match="Clause 2"):
        _revise(returned_letter, org.secretary, clauses=[NEW_CLAUSES[0], clause])
    assert Letter.objects.filter(number=returned_letter.number).count() == 1
    assert LetterEvent.objects.count() == events_before


def test_letter_revise_refuses_in_a_closed_campaign(org, returned_letter):
    # given
    campaign_close(campaign=org.campaign, closed_by=org.office_admin)

    # when / then
    with pytest.raises(ApplicationError, match="campaign is closed"):
        _revise(returned_letter, org.secretary)
    assert Letter.objects.filter(number=returned_letter.number).count() == 1
