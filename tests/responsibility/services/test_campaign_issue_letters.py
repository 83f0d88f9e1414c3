import pytest

from responsibility.errors import ApplicationError
from responsibility.models import LetterEvent, LetterStatus
from responsibility.services.audit import audit_chain_verify
from responsibility.services.issuing import campaign_issue_letters

pytestmark = pytest.mark.django_db


def test_campaign_issue_letters_issues_one_letter_per_signer_post_with_the_template_clauses(org):
    # when
    result = campaign_issue_letters(
        campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=org.head_posts,
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
            campaign=org.campaign, issuer_post=org.secretary_post, signer_posts=org.head_posts,
            issued_by=org.office_admin,
        )
    assert org.campaign.letters.count() == 2
