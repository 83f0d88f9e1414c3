"""permissions.py as a matrix: per action, which grant counts (none, model-level, other letter, this one)."""

import pytest
from guardian.shortcuts import assign_perm

from accounts.models import User
from accounts.roles import Role
from responsibility.letters.models.letters import LetterUserObjectPermission
from responsibility.letters.permissions import (
    CampaignAction,
    LetterAction,
    campaign_user_can,
    letter_perm,
    letter_user_can,
)
from responsibility.letters.selectors import letter_list_visible_to
from responsibility.letters.services.campaigns import campaign_close
from responsibility.letters.services.letters import (
    letter_archive,
    letter_countersign,
    letter_return,
    letter_sign,
)
from tests.conftest import attestation_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GRANTS = ("none", "model-level", "other letter", "this letter")


def with_only_grant(user: User, *, grant: str, action: LetterAction, letter, other) -> User:
    """The user holding exactly one grant of the action's permission (the issuing grants are removed)."""
    LetterUserObjectPermission.objects.filter(user=user).delete()
    perm = letter_perm(action)
    if grant == "model-level":
        assign_perm(perm, user)
    elif grant == "other letter":
        assign_perm(perm, user, other)
    elif grant == "this letter":
        assign_perm(perm, user, letter)
    return User.objects.get(pk=user.pk)  # Django caches permissions per user instance


# --- actions a role may hold globally -----------------------------------------------------------


@pytest.mark.parametrize(
    "action", [LetterAction.VIEW, LetterAction.REVISE, LetterAction.VOID, LetterAction.ARCHIVE]
)
@pytest.mark.parametrize(
    ("grant", "expected"),
    [
        ("none", False),
        ("model-level", True),  # the office and the inspectors act on every letter through their role
        ("other letter", False),
        ("this letter", True),
    ],
)
def test_letter_user_can_accepts_a_model_level_or_this_letters_grant(
    org, issued_letters, action, grant, expected
):
    # given a user with no relation to the letter and only the grant under test
    letter, other = issued_letters
    user = with_only_grant(UserFactory(), grant=grant, action=action, letter=letter, other=other)

    # when / then
    assert letter_user_can(user=user, action=action, letter=letter) is expected


# --- personal actions: signing and countersigning -----------------------------------------------

NAMED_PARTY = {LetterAction.SIGN: "signer", LetterAction.COUNTERSIGN: "issuer"}


@pytest.mark.parametrize("action", [LetterAction.SIGN, LetterAction.COUNTERSIGN])
@pytest.mark.parametrize(
    ("who", "grant", "expected"),
    [
        ("named party", "none", False),
        ("named party", "model-level", False),  # signing is personal: a global grant is never enough
        ("named party", "other letter", False),
        ("named party", "this letter", True),
        ("someone else", "none", False),
        ("someone else", "model-level", False),
        ("someone else", "other letter", False),
        ("someone else", "this letter", False),  # a grant does not make anyone the named signer
    ],
)
def test_letter_user_can_sign_or_countersign_only_as_the_named_party_with_a_grant_on_this_letter(
    org, issued_letters, action, who, grant, expected
):
    # given the person named on the letter for the action (or a stranger) holding only the grant under test
    letter, other = issued_letters
    subject = getattr(letter, NAMED_PARTY[action]) if who == "named party" else org.outsider
    user = with_only_grant(subject, grant=grant, action=action, letter=letter, other=other)

    # when / then
    assert letter_user_can(user=user, action=action, letter=letter) is expected


@pytest.mark.parametrize("action", [LetterAction.SIGN, LetterAction.COUNTERSIGN, LetterAction.ISSUE_TO_STAFF])
def test_letter_user_can_never_lets_a_superuser_act_for_the_named_party(org, signed_letter, action):
    # given a superuser who also holds every grant on the letter
    superuser = UserFactory(is_superuser=True, is_staff=True)
    for codename in ("sign_letter", "countersign_letter"):
        assign_perm(f"responsibility.{codename}", superuser, signed_letter)
    superuser = User.objects.get(pk=superuser.pk)

    # when / then: signing and issuing below a letter stay personal
    assert letter_user_can(user=superuser, action=action, letter=signed_letter) is False


# --- issuing to staff: a relationship, not a grant ----------------------------------------------


def letter_in_state(letter, state: str):
    """Drive the issued letter to a state through the services, as a user would."""
    if state in ("signed", "countersigned", "archived", "signed, campaign closed"):
        letter = letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))
    if state in ("countersigned", "archived"):
        letter = letter_countersign(
            letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
        )
    if state == "archived":
        office_admin = User.objects.get(groups__name=Role.OFFICE_ADMIN)
        letter = letter_archive(letter=letter, archived_by=office_admin)
    if state == "returned":
        letter = letter_return(letter=letter, returned_by=letter.signer, reason="条款需要调整")
    if state == "signed, campaign closed":
        office_admin = User.objects.get(groups__name=Role.OFFICE_ADMIN)
        campaign_close(campaign=letter.campaign, closed_by=office_admin)
    return type(letter).objects.select_related("campaign").get(pk=letter.pk)


@pytest.mark.parametrize(
    ("who", "state", "expected"),
    [
        ("signer", "issued", False),  # sign your own letter before passing duties down
        ("signer", "returned", False),
        ("signer", "signed", True),
        ("signer", "countersigned", True),
        ("signer", "archived", True),
        ("signer", "signed, campaign closed", False),
        ("issuer", "signed", False),
        ("office admin", "signed", False),  # every model-level grant, still not the head of the unit
        ("outsider", "signed", False),
    ],
)
def test_letter_user_can_issue_to_staff_only_as_the_signer_of_a_signed_letter_in_an_open_campaign(
    org, issued_letter, who, state, expected
):
    # given
    letter = letter_in_state(issued_letter, state)
    user = {
        "signer": letter.signer,
        "issuer": letter.issuer,
        "office admin": org.office_admin,
        "outsider": org.outsider,
    }[who]

    # when / then
    assert letter_user_can(user=user, action=LetterAction.ISSUE_TO_STAFF, letter=letter) is expected


# --- campaigns and templates: role grants -------------------------------------------------------

#                      VIEW_PROGRESS  MANAGE  CREATE  ISSUE_LETTERS  MANAGE_TEMPLATES
CAMPAIGN_MATRIX = {
    "office admin": (True, True, True, True, True),
    "party group": (True, False, False, False, False),
    "inspection team": (True, False, False, False, False),
    "unit head": (False, False, False, False, False),
    "outsider": (False, False, False, False, False),
}
CAMPAIGN_ACTIONS = (
    CampaignAction.VIEW_PROGRESS,
    CampaignAction.MANAGE,
    CampaignAction.CREATE,
    CampaignAction.ISSUE_LETTERS,
    CampaignAction.MANAGE_TEMPLATES,
)


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        (role, action, allowed)
        for role, row in CAMPAIGN_MATRIX.items()
        for action, allowed in zip(CAMPAIGN_ACTIONS, row, strict=True)
    ],
)
def test_campaign_user_can_follows_the_role(org, issued_letters, role, action, expected):
    # given (the unit head holds a letter in the campaign, which grants nothing on the campaign itself)
    user = {
        "office admin": org.office_admin,
        "party group": org.secretary,
        "inspection team": org.inspector,
        "unit head": org.heads[0],
        "outsider": org.outsider,
    }[role]

    # when / then
    assert campaign_user_can(user=user, action=action, campaign=org.campaign) is expected


# --- an inactive account --------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(LetterAction))
def test_letter_user_can_refuses_everything_to_an_inactive_user(org, signed_letter, action):
    # given the signer, the issuer and the office admin, each with their grants, then deactivated
    users = [signed_letter.signer, signed_letter.issuer, org.office_admin]
    User.objects.filter(pk__in=[user.pk for user in users]).update(is_active=False)

    # when
    allowed = [
        letter_user_can(user=User.objects.get(pk=user.pk), action=action, letter=signed_letter)
        for user in users
    ]

    # then
    assert allowed == [False, False, False]


@pytest.mark.parametrize("action", CAMPAIGN_ACTIONS)
def test_campaign_user_can_refuses_everything_to_an_inactive_office_admin(org, action):
    # given
    User.objects.filter(pk=org.office_admin.pk).update(is_active=False)

    # when / then
    inactive = User.objects.get(pk=org.office_admin.pk)
    assert campaign_user_can(user=inactive, action=action, campaign=org.campaign) is False


def test_letter_list_visible_to_built_once_reads_the_grants_as_they_are_when_it_runs(org, issued_letters):
    """The visibility query is kept on the user instance; each call's copy still reads the grants when it
    runs, so a grant made or removed afterwards shows in the next list, and one list read does not answer
    for the next."""
    staff = org.staff_posts[0].holder
    letter = issued_letters[0]
    first = letter_list_visible_to(user=staff)
    assert list(first) == []

    assign_perm("view_letter", staff, letter)
    assert list(letter_list_visible_to(user=staff)) == [letter]
    assert list(first) == []  # the copy already read keeps its rows; the next one is fresh

    LetterUserObjectPermission.objects.filter(user=staff).delete()
    assert list(letter_list_visible_to(user=staff)) == []
