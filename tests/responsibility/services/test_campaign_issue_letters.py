import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_perms

from accounts.models import PostKind, User
from core.errors import ApplicationError
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import Letter, LetterEvent, LetterStatus, TemplateClause
from responsibility.letters.services.campaigns import campaign_close
from responsibility.letters.services.issuing import campaign_issue_letters
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _issue(org, posts, *, issued_by=None, issuer_post=None, ip_address=None):
    return campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=issuer_post or org.secretary_post,
        signer_posts=posts,
        issued_by=issued_by or org.office_admin,
        ip_address=ip_address,
    )


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # Django caches permissions per user instance


def test_campaign_issue_letters_issues_one_letter_per_signer_post_with_the_template_clauses(org):
    # when
    result = campaign_issue_letters(
        campaign=org.campaign,
        issuer_post=org.secretary_post,
        signer_posts=org.head_posts,
        issued_by=org.office_admin,
    )

    # then
    assert [letter.signer for letter in result.issued] == org.heads
    for letter in result.issued:
        letter.refresh_from_db()
        assert letter.status == LetterStatus.ISSUED
        assert letter.issuer == org.secretary
        assert [c.text for c in letter.clauses.all()] == [
            c.text for c in org.campaign.template.clauses.order_by("number")
        ]
        assert len(letter.content_hash) == 64
        assert letter.signer.has_perm("responsibility.sign_letter", letter)
        assert not org.heads[1 - result.issued.index(letter)].has_perm("responsibility.sign_letter", letter)
    assert [r for r in result.issued][0].reference == "人常廉责〔2026〕1号"
    assert LetterEvent.objects.filter(kind="issued").count() == 2
    assert audit_chain_verify() is None


def test_campaign_issue_letters_twice_issues_nothing_new_and_says_so(org, issued_letters):
    with pytest.raises(ApplicationError, match="No letter was issued|未签发"):
        campaign_issue_letters(
            campaign=org.campaign,
            issuer_post=org.secretary_post,
            signer_posts=org.head_posts,
            issued_by=org.office_admin,
        )
    assert org.campaign.letters.count() == 2


def test_campaign_issue_letters_records_the_letter_details_and_the_issue_event(org):
    # when
    result = _issue(org, org.head_posts, ip_address="10.0.0.7")

    # then each letter carries the template text, the parties' posts and a consecutive number
    first, second = (Letter.objects.get(pk=letter.pk) for letter in result.issued)
    template = org.campaign.template
    assert (first.number, second.number) == (1, 2)
    assert second.reference == "人常廉责〔2026〕2号"
    assert (first.title, first.preamble, first.closing) == (
        template.title,
        template.preamble,
        template.closing,
    )
    assert (first.issuer_label, first.signer_label) == (template.issuer_label, template.signer_label)
    assert first.issuer_post == org.secretary_post
    assert (first.signer_post, first.signer_unit) == (org.head_posts[0], org.head_posts[0].unit)
    assert first.parent is None and first.root is None and first.version == 1
    assert first.issued_at is not None
    assert first.content_hash != second.content_hash
    event = LetterEvent.objects.get(letter=first)
    assert (event.kind, event.from_status, event.to_status) == ("issued", "draft", "issued")
    assert (event.actor, event.ip_address, event.content_hash) == (
        org.office_admin,
        "10.0.0.7",
        first.content_hash,
    )
    org.campaign.refresh_from_db()
    assert org.campaign.last_number == 2


def test_campaign_issue_letters_skips_vacant_and_inactive_posts_and_the_issuers_own_post(org):
    # given a vacant post, a post whose holder has left, and the issuer's own post among the chosen ones
    vacant = PostFactory(unit=org.head_posts[0].unit, title="副主任", kind=PostKind.DEPUTY_HEAD, holder=None)
    departed = PostFactory(unit=org.head_posts[1].unit, title="副主任", kind=PostKind.DEPUTY_HEAD)
    User.objects.filter(pk=departed.holder_id).update(is_active=False)

    # when
    result = _issue(org, [*org.head_posts, vacant, departed, org.secretary_post])

    # then only the heads get letters; the others are reported with a reason
    assert sorted(letter.signer_post_id for letter in result.issued) == sorted(p.pk for p in org.head_posts)
    skipped = {post.pk: reason for post, reason in result.skipped}
    assert set(skipped) == {vacant.pk, departed.pk, org.secretary_post.pk}
    assert "no active holder" in skipped[vacant.pk]
    assert "no active holder" in skipped[departed.pk]
    assert "themselves" in skipped[org.secretary_post.pk]
    assert Letter.objects.count() == 2


def test_campaign_issue_letters_issues_only_the_posts_still_without_a_letter(org, issued_letters):
    # given both heads already have their letter
    # when the office issues again to the heads and a deputy head
    result = _issue(org, [*org.head_posts, org.staff_posts[0]])

    # then only the deputy head gets a new letter, numbered after the others
    assert [letter.signer_post for letter in result.issued] == [org.staff_posts[0]]
    assert result.issued[0].number == 3
    assert len(result.skipped) == 2
    assert Letter.objects.count() == 3


def test_campaign_issue_letters_refuses_a_closed_campaign(org):
    # given
    campaign_close(campaign=org.campaign, closed_by=org.office_admin)

    # when / then
    with pytest.raises(ApplicationError, match="campaign is closed"):
        _issue(org, org.head_posts)
    assert Letter.objects.count() == 0
    assert LetterEvent.objects.count() == 0


def test_campaign_issue_letters_refuses_a_template_without_clauses(org):
    # given the campaign's template lost its clauses
    TemplateClause.objects.filter(template=org.campaign.template).delete()

    # when / then
    with pytest.raises(ApplicationError, match="no clauses"):
        _issue(org, org.head_posts)
    assert Letter.objects.count() == 0


def test_campaign_issue_letters_refuses_an_empty_choice_of_posts(org):
    with pytest.raises(ApplicationError, match="at least one post"):
        _issue(org, [])
    assert Letter.objects.count() == 0


def test_campaign_issue_letters_refuses_an_issuing_post_without_holder(org):
    # given
    vacant = PostFactory(
        unit=org.secretary_post.unit, title="党组成员", kind=PostKind.PARTY_MEMBER, holder=None
    )

    # when / then
    with pytest.raises(ApplicationError, match="no holder"):
        _issue(org, org.head_posts, issuer_post=vacant)
    assert Letter.objects.count() == 0


@pytest.mark.parametrize("who", ["head", "secretary", "inspector", "outsider"])
def test_campaign_issue_letters_refuses_anyone_but_the_office(org, who):
    # given a user without the office administrator's role
    user = {
        "head": org.heads[0],
        "secretary": org.secretary,
        "inspector": org.inspector,
        "outsider": org.outsider,
    }[who]

    # when / then
    with pytest.raises(PermissionDenied):
        _issue(org, org.head_posts, issued_by=user)
    assert Letter.objects.count() == 0


def test_campaign_issue_letters_grants_the_signer_view_and_sign_and_the_issuer_view_and_countersign(org):
    # when
    letter = _issue(org, org.head_posts[:1]).issued[0]

    # then the object grants follow the parties of the letter, and nobody else gets any
    signer_perms = set(get_perms(_fresh(org.heads[0]), letter))
    issuer_perms = set(get_perms(_fresh(org.secretary), letter))
    assert signer_perms == {"view_letter", "sign_letter"}
    # the issuer also revises a returned letter (issue) and may withdraw it (void)
    assert issuer_perms == {"view_letter", "countersign_letter", "issue_letter", "void_letter"}
    for other in (org.heads[1], org.office_admin, org.inspector, org.outsider):
        assert get_perms(_fresh(other), letter) == []


def test_campaign_issue_letters_grants_allow_only_the_named_parties_to_sign_and_countersign(org):
    # given
    letter = _issue(org, org.head_posts).issued[0]

    # then
    signer, issuer, other_head = _fresh(org.heads[0]), _fresh(org.secretary), _fresh(org.heads[1])
    assert signer.has_perm("responsibility.view_letter", letter)
    assert signer.has_perm("responsibility.sign_letter", letter)
    assert not signer.has_perm("responsibility.countersign_letter", letter)
    assert issuer.has_perm("responsibility.view_letter", letter)
    assert issuer.has_perm("responsibility.countersign_letter", letter)
    assert not other_head.has_perm("responsibility.view_letter", letter)


def test_campaign_issue_letters_keeps_letters_of_a_new_head_apart_from_the_old_holders(org, issued_letters):
    # given the first committee's head post changes hands
    new_head = UserFactory(full_name="新主任")
    org.head_posts[0].holder = new_head
    org.head_posts[0].save()

    # when the office issues again
    result = _issue(org, org.head_posts)

    # then the new holder gets their own letter; the old holder's letter stays
    assert [letter.signer for letter in result.issued] == [new_head]
    assert Letter.objects.filter(signer_post=org.head_posts[0]).count() == 2
