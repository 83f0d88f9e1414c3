import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_perms

from accounts.models import PostKind, User
from core.errors import ApplicationError
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import Letter, LetterEvent, LetterStatus, TemplateLevel
from responsibility.letters.services.campaigns import campaign_close
from responsibility.letters.services.issuing import letter_issue_to_staff
from responsibility.letters.services.letters import letter_sign, letter_void
from tests.conftest import attestation_for
from tests.factories import LetterTemplateFactory, PostFactory

pytestmark = pytest.mark.django_db


def _fresh(model_instance):
    return type(model_instance).objects.get(pk=model_instance.pk)


def _cascade(org, parent, posts=None, *, template=None, issued_by=None):
    return letter_issue_to_staff(
        parent=parent,
        template=template or org.unit_template,
        signer_posts=org.staff_posts if posts is None else posts,
        issued_by=issued_by or parent.signer,
    )


def test_letter_issue_to_staff_hangs_the_staff_letters_below_the_heads_letter(org, signed_letter):
    # when the head, having signed, issues letters to the staff of their unit
    result = _cascade(org, signed_letter)

    # then
    assert [letter.signer_post for letter in result.issued] == org.staff_posts
    for letter in map(_fresh, result.issued):
        assert letter.status == LetterStatus.ISSUED
        assert letter.parent == signed_letter
        assert letter.root == signed_letter
        assert letter.campaign == signed_letter.campaign
        assert letter.issuer == signed_letter.signer
        assert letter.issuer_post == signed_letter.signer_post
        assert letter.template == org.unit_template
        assert letter.title == org.unit_template.title
        assert [c.text for c in letter.clauses.all()] == [
            c.text for c in org.unit_template.clauses.order_by("number")
        ]
        assert LetterEvent.objects.get(letter=letter).actor == signed_letter.signer
    # the campaign numbering continues after the organ-level letters
    assert sorted(letter.number for letter in result.issued) == [3, 4]
    assert result.skipped == []
    assert audit_chain_verify() is None


def test_letter_issue_to_staff_a_second_level_keeps_the_root_and_lets_every_head_above_view(
    org, staff_letters
):
    # given the deputy head signed their letter from the head
    deputy_letter = staff_letters[0]
    letter_sign(
        letter=deputy_letter, signed_by=deputy_letter.signer, attestation=attestation_for(deputy_letter)
    )
    clerk_post = PostFactory(unit=org.staff_posts[1].unit, title="科员", kind=PostKind.STAFF)

    # when the deputy head passes it on to a clerk in the section below
    letter = _cascade(org, _fresh(deputy_letter), [clerk_post]).issued[0]

    # then the letter hangs below the deputy's letter, in the head's tree
    letter = _fresh(letter)
    head_letter = deputy_letter.parent
    assert letter.parent == deputy_letter
    assert letter.root == head_letter
    # the head above (an overseer) may read it and nothing more; the parties get their own grants
    assert get_perms(_fresh(head_letter.signer), letter) == ["view_letter"]
    assert set(get_perms(_fresh(clerk_post.holder), letter)) == {"view_letter", "sign_letter"}
    assert "countersign_letter" in get_perms(_fresh(deputy_letter.signer), letter)
    assert get_perms(_fresh(org.secretary), letter) == []
    assert get_perms(_fresh(org.staff[1]), letter) == []


def test_letter_issue_to_staff_grants_the_staff_member_view_and_sign_and_the_head_view_and_countersign(
    org, staff_letters
):
    # then
    head = _fresh(org.heads[0])
    for letter, staff in zip(staff_letters, org.staff, strict=True):
        assert set(get_perms(_fresh(staff), letter)) == {"view_letter", "sign_letter"}
        assert {"view_letter", "countersign_letter"} <= set(get_perms(head, letter))
        assert not head.has_perm("responsibility.sign_letter", letter)
    # one staff member cannot see the other's letter
    assert get_perms(_fresh(org.staff[0]), staff_letters[1]) == []


def test_letter_issue_to_staff_refuses_a_head_who_has_not_signed(org, issued_letter):
    # given the head's own letter is still waiting for their signature
    # when / then
    with pytest.raises(PermissionDenied):
        _cascade(org, issued_letter)
    assert Letter.objects.filter(parent=issued_letter).count() == 0


def test_letter_issue_to_staff_refuses_a_voided_parent(org, signed_letter):
    # given the head's letter was withdrawn after they signed it
    letter_void(letter=signed_letter, voided_by=org.office_admin, reason="岗位调整")

    # when / then
    with pytest.raises(PermissionDenied):
        _cascade(org, _fresh(signed_letter))
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_refuses_a_closed_campaign(org, signed_letter):
    # given
    campaign_close(campaign=org.campaign, closed_by=org.office_admin)

    # when / then
    with pytest.raises(PermissionDenied):
        _cascade(org, _fresh(signed_letter))
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_refuses_another_head_cascading_from_someone_elses_letter(org, issued_letters):
    # given both heads have signed their own letters
    for letter in issued_letters:
        letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    first = _fresh(issued_letters[0])

    # when the second head tries to issue letters below the first head's letter
    with pytest.raises(PermissionDenied):
        _cascade(org, first, issued_by=org.heads[1])

    # then nothing was issued
    assert Letter.objects.filter(parent=first).count() == 0


@pytest.mark.parametrize("who", ["secretary", "office_admin", "inspector"])
def test_letter_issue_to_staff_refuses_anyone_but_the_signer_of_the_parent(org, signed_letter, who):
    with pytest.raises(PermissionDenied):
        _cascade(org, signed_letter, issued_by=getattr(org, who))
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_refuses_posts_outside_the_heads_unit(org, signed_letter):
    # given the other committee's head post slipped into the list
    posts = [*org.staff_posts, org.head_posts[1]]

    # when / then the whole request is refused, not just that post
    with pytest.raises(ApplicationError, match="not in your unit"):
        _cascade(org, signed_letter, posts)
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_refuses_the_party_groups_own_post(org, signed_letter):
    with pytest.raises(ApplicationError, match="not in your unit"):
        _cascade(org, signed_letter, [org.secretary_post])
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_passes_over_the_heads_own_post(org, signed_letter):
    # when the head's own post is among the chosen ones
    result = _cascade(org, signed_letter, [org.head_posts[0], *org.staff_posts])

    # then
    assert [letter.signer_post for letter in result.issued] == org.staff_posts
    assert [post for post, _reason in result.skipped] == [org.head_posts[0]]


def test_letter_issue_to_staff_refuses_an_organ_level_template(org, signed_letter):
    with pytest.raises(ApplicationError, match="published unit-level template"):
        _cascade(org, signed_letter, template=org.campaign.template)
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_refuses_an_unpublished_template(org, signed_letter):
    # given
    draft = LetterTemplateFactory(level=TemplateLevel.UNIT, created_by=org.office_admin)

    # when / then
    with pytest.raises(ApplicationError, match="published unit-level template"):
        _cascade(org, signed_letter, template=draft)
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_refuses_another_units_template(org, signed_letter):
    # given a template owned by the other committee
    theirs = LetterTemplateFactory(
        level=TemplateLevel.UNIT,
        published=True,
        owner_unit=org.head_posts[1].unit,
        created_by=org.office_admin,
    )

    # when / then
    with pytest.raises(ApplicationError, match="another unit"):
        _cascade(org, signed_letter, template=theirs)
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_accepts_the_units_own_template(org, signed_letter):
    # given a template owned by the head's committee
    ours = LetterTemplateFactory(
        level=TemplateLevel.UNIT,
        published=True,
        owner_unit=signed_letter.signer_unit,
        created_by=org.office_admin,
    )

    # when
    result = _cascade(org, signed_letter, template=ours)

    # then
    assert {letter.template_id for letter in result.issued} == {ours.pk}


def test_letter_issue_to_staff_twice_issues_nothing_new(org, signed_letter, staff_letters):
    with pytest.raises(ApplicationError, match="No letter was issued"):
        _cascade(org, _fresh(signed_letter))
    assert Letter.objects.filter(parent=signed_letter).count() == 2


def test_letter_issue_to_staff_refuses_an_inactive_head(org, signed_letter):
    # given the head left after signing
    User.objects.filter(pk=signed_letter.signer_id).update(is_active=False)

    # when / then
    with pytest.raises(PermissionDenied):
        _cascade(org, signed_letter, issued_by=_fresh(signed_letter.signer))
    assert Letter.objects.filter(parent=signed_letter).count() == 0


def test_letter_issue_to_staff_checks_the_stored_parent_not_the_callers_copy(org, signed_letter):
    # given the head opened their signed letter, and the office voided it before the head pressed "issue"
    page_copy = _fresh(signed_letter)
    letter_void(letter=_fresh(signed_letter), voided_by=org.office_admin, reason="岗位调整")

    # when the head issues from the copy they loaded earlier
    with pytest.raises(PermissionDenied):
        _cascade(org, page_copy)

    # then nothing hangs below the voided letter
    assert Letter.objects.filter(parent=signed_letter).count() == 0
