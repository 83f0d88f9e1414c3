import base64
import datetime
import io

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import OrgUnit, Post, PostKind, User
from accounts.roles import Role
from accounts.selectors import org_unit_subtree_ids
from responsibility import selectors
from responsibility.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_data_create
from responsibility.models import (
    Campaign,
    CampaignStatus,
    Letter,
    LetterEvent,
    LetterStatus,
    LetterTemplate,
    Signature,
    SignatureMethod,
)
from responsibility.services.audit import audit_chain_verify
from responsibility.signing import signature_mark_from_drawing
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed_demo()


def user(username: str) -> User:
    return User.objects.get(username=username)  # a fresh instance: permissions are cached per instance


def record_counts() -> dict[str, int]:
    models = (User, OrgUnit, Post, LetterTemplate, Campaign, Letter, LetterEvent, Signature)
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_leaves_a_letter_in_every_state_a_service_can_reach(seeded):
    # then: no service keeps a letter in draft (letters are made and issued in one step), so the
    # draft state is shown by a draft template instead
    statuses = set(Letter.objects.values_list("status", flat=True))
    assert statuses == set(LetterStatus.values) - {LetterStatus.DRAFT}
    assert LetterTemplate.objects.filter(is_published=False).exists()
    assert "Demo data loaded." in seeded


def test_seed_demo_keeps_the_audit_chain_intact(seeded):
    assert LetterEvent.objects.count() > Letter.objects.count()
    assert audit_chain_verify() is None


def test_seed_demo_gives_every_role_group_members(seeded):
    for role in Role:
        assert Group.objects.get(name=role).user_set.exists(), role


def test_seed_demo_builds_a_cascade_below_the_heads_letters(seeded):
    # when
    cascade = list(Letter.objects.filter(parent__isnull=False).select_related("parent", "signer_unit"))

    # then: letters hang below a head's signed letter, inside the head's own unit
    assert {letter.parent.signer.username for letter in cascade} == {"bgs_zhuren", "fzw_zhuren"}
    for letter in cascade:
        assert letter.parent.status in (
            LetterStatus.SIGNED,
            LetterStatus.COUNTERSIGNED,
            LetterStatus.ARCHIVED,
        )
        assert letter.issuer == letter.parent.signer
        assert letter.root_id == letter.parent_id
        assert letter.signer_unit_id in org_unit_subtree_ids(unit_id=letter.parent.signer_unit_id)


def test_seed_demo_leaves_work_in_the_to_do_lists(seeded):
    # the secretary has letters to countersign
    assert {
        letter.signer.username for letter in selectors.letter_list_to_countersign(user=user("shuji"))
    } == {
        "jkw_zhuren",
        "nnw_zhuren",
    }
    # heads have letters to sign, one of them the revision of a returned letter
    for head in ("yjs_zhuren", "sjw_zhuren", "rxw_zhuren", "chw_zhuren"):
        assert selectors.letter_list_to_sign(user=user(head)).count() == 1, head
    # staff have letters to sign, and their head has one to countersign
    for staff in ("mishu_ganbu", "zonghe_ganbu", "fagui_ganbu1", "bangongshi_admin"):
        assert selectors.letter_list_to_sign(user=user(staff)).count() == 1, staff
    assert selectors.letter_list_to_countersign(user=user("bgs_zhuren")).count() == 1
    # a head who signed may issue letters to a deputy who has none yet
    [cjw_letter] = selectors.letter_list_ready_to_cascade(user=user("cjw_zhuren"))
    assert [post.holder.username for post in selectors.post_list_staff_for(parent=cjw_letter)] == [
        "cjw_fuzhuren"
    ]
    # the inspectors see every letter
    assert selectors.letter_list_visible_to(user=user("jijian1")).count() == Letter.objects.count()


def test_seed_demo_returns_revises_and_voids_with_reasons(seeded):
    returned = Letter.objects.get(status=LetterStatus.RETURNED)
    assert returned.return_reason
    assert returned.next_version.status == LetterStatus.ISSUED
    assert returned.next_version.version == 2
    assert returned.next_version.clauses.get(number=5).text != returned.clauses.get(number=5).text
    voided = Letter.objects.get(status=LetterStatus.VOIDED)
    assert voided.void_reason
    # the voided post received its proper letter from its own head afterwards
    assert (
        Letter.objects.live()
        .filter(signer=voided.signer, campaign=voided.campaign, parent__isnull=False)
        .exists()
    )


def test_seed_demo_keeps_last_years_campaign_closed_and_archived(seeded):
    # given
    today = timezone.localdate()
    history = Campaign.objects.get(year=today.year - 1)
    current = Campaign.objects.get(year=today.year)

    # then
    assert history.status == CampaignStatus.CLOSED
    assert set(history.letters.values_list("status", flat=True)) == {LetterStatus.ARCHIVED}
    assert {letter.signed_at.year for letter in history.letters.all()} == {today.year - 1}
    assert current.status == CampaignStatus.OPEN
    assert current.deadline > today
    assert current.template.version == history.template.version + 1
    assert all(letter.issued_at < timezone.now() for letter in current.letters.all())


def test_seed_demo_signs_with_drawn_and_typed_marks(seeded):
    # then: drawn signatures are PNGs the signing rules accept, typed ones the signer's own name
    signatures = list(Signature.objects.select_related("signed_by"))
    assert {s.method for s in signatures} == {SignatureMethod.DRAWN, SignatureMethod.TYPED}
    for signature in signatures:
        if signature.method == SignatureMethod.DRAWN:
            png = bytes(signature.image_png)
            assert png.startswith(b"\x89PNG")
            signature_mark_from_drawing("data:image/png;base64," + base64.b64encode(png).decode())
        else:
            assert signature.typed_name == signature.signed_by.full_name


def test_seed_demo_accounts_sign_in_with_the_documented_password(seeded):
    for account in DEMO_ACCOUNTS:
        assert authenticate(username=account.username, password=DEMO_PASSWORD) is not None, account.username
    validate_password(DEMO_PASSWORD, user=user("shuji"))  # raises if a validator refuses it
    office_admin = user("bangongshi_admin")
    assert office_admin.is_staff and not office_admin.is_superuser
    assert user("admin").is_superuser
    assert DEMO_PASSWORD in seeded and "bangongshi_admin" in seeded
    # names outside GB2312, for the PDF fonts
    outside_gb2312 = [u.full_name for u in User.objects.all() if not _encodes(u.full_name, "gb2312")]
    assert len(outside_gb2312) >= 5


def test_seed_demo_gives_party_group_members_the_committees_they_oversee(seeded):
    members = Post.objects.filter(kind=PostKind.PARTY_MEMBER)
    assert members.count() == 3
    for post in members:
        assert post.oversees.count() >= 3
    assert Post.objects.filter(kind=PostKind.UNIT_HEAD).count() == 10


def test_seed_demo_twice_changes_nothing_and_says_so(seeded):
    # given
    before = record_counts()

    # when
    output = seed_demo()

    # then
    assert "demo data already present" in output
    assert record_counts() == before
    assert audit_chain_verify() is None


def test_seed_demo_refuses_a_database_that_holds_another_organisation():
    # given a real organisation
    OrgUnitFactory(name="某某局")
    before = record_counts()

    # when / then
    with pytest.raises(CommandError, match="already holds an organisation"):
        seed_demo()
    assert record_counts() == before


def test_seed_demo_leaves_an_existing_admin_user_alone():
    # given
    existing = UserFactory(username="admin", full_name="运维")

    # when
    output = seed_demo()

    # then
    existing.refresh_from_db()
    assert not existing.is_superuser
    assert existing.full_name == "运维"
    assert "left as it was" in output
    assert audit_chain_verify() is None


def test_demo_data_create_works_early_in_a_year():
    # when the demo is built on 3 January, the campaign's deadline still falls in its year
    summary = demo_data_create(today=datetime.date(2027, 1, 3))

    # then
    assert [c.year for c in summary.campaigns] == [2026, 2027]
    assert summary.campaigns[1].deadline == datetime.date(2027, 1, 17)
    assert summary.letters_by_status[LetterStatus.ARCHIVED] == 11
    assert audit_chain_verify() is None


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True
