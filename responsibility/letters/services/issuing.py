"""Creating and issuing letters: a campaign's bulk issue, the cascade to staff, and revisions."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Post
from accounts.org_tree import org_tree
from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from responsibility.letters.audit import letter_events_append
from responsibility.letters.content import ClauseText, letter_content_hash
from responsibility.letters.models.letters import (
    Campaign,
    ClauseCategory,
    Letter,
    LetterClause,
    LetterEvent,
    LetterEventKind,
    LetterStatus,
    LetterTemplate,
    LetterUserObjectPermission,
    TemplateLevel,
)
from responsibility.letters.permissions import (
    CampaignAction,
    LetterAction,
    campaign_check_permission,
    letter_check_permission,
)

# Object grants each party receives on a letter when it is issued.
_SIGNER_GRANTS = ("view_letter", "sign_letter")
_ISSUER_GRANTS = ("view_letter", "countersign_letter", "issue_letter", "void_letter")
_OVERSEER_GRANTS = ("view_letter",)  # the signers of the letters above this one


@dataclass
class IssueResult:
    """What a bulk issue did: the letters it issued and the posts it passed over, with the reason."""

    issued: list[Letter] = field(default_factory=list)
    skipped: list[tuple[Post, str]] = field(default_factory=list)


@transaction.atomic
def campaign_issue_letters(
    *,
    campaign: Campaign,
    issuer_post: Post,
    signer_posts: Iterable[Post],
    issued_by,
    ip_address: str | None = None,
) -> IssueResult:
    """One letter per signer post, in the issuer's name, from the campaign's template, issued at once.

    Posts that already have a letter in the campaign are passed over, so issuing twice never
    doubles a letter; when nothing is left to issue the whole request is refused.
    """
    campaign_check_permission(user=issued_by, action=CampaignAction.ISSUE_LETTERS, campaign=campaign)
    if issuer_post.holder_id is None:
        raise ApplicationError(_("The issuing post %(post)s has no holder.") % {"post": issuer_post})
    return _letters_issue(
        campaign=campaign,
        template=campaign.template,
        issuer=issuer_post.holder,
        issuer_post=issuer_post,
        signer_posts=signer_posts,
        parent=None,
        issued_by=issued_by,
        ip_address=ip_address,
    )


@transaction.atomic
def letter_issue_to_staff(
    *,
    parent: Letter,
    template: LetterTemplate,
    signer_posts: Iterable[Post],
    issued_by,
    ip_address: str | None = None,
) -> IssueResult:
    """层层签订: a head who has signed their own letter issues letters to the staff of their unit."""
    # The stored parent, locked: a letter voided after the head opened it must not gain children.
    parent = row_lock(Letter.objects.select_related("campaign"), pk=parent.pk)
    letter_check_permission(user=issued_by, action=LetterAction.ISSUE_TO_STAFF, letter=parent)
    if template.level != TemplateLevel.UNIT or not template.is_published:
        raise ApplicationError(_("Letters to staff are issued from a published unit-level template."))
    if template.owner_unit_id not in (None, parent.signer_unit_id):
        raise ApplicationError(_("This template belongs to another unit."))
    signer_posts = list(signer_posts)
    subtree = org_tree().subtree(parent.signer_unit_id)
    outside = [post for post in signer_posts if post.unit_id not in subtree]
    if outside:
        raise ApplicationError(
            _("%(post)s is not in your unit; letters go only to your own unit's staff.")
            % {"post": outside[0]}
        )
    return _letters_issue(
        campaign=parent.campaign,
        template=template,
        issuer=issued_by,
        issuer_post=parent.signer_post,
        signer_posts=signer_posts,
        parent=parent,
        issued_by=issued_by,
        ip_address=ip_address,
    )


@transaction.atomic
def letter_issue_for_new_holder(
    *, previous: Letter, issued_by, ip_address: str | None = None
) -> Letter | None:
    """A post changed holder: its letter is issued again, to the new holder, by the same issuer post.

    The previous holder's letter stays as it is: it records what they signed. None when the new holder
    already has a letter for the post in the campaign.
    """
    campaign_check_permission(user=issued_by, action=CampaignAction.ISSUE_LETTERS, campaign=previous.campaign)
    post = Post.objects.select_related("holder").get(pk=previous.signer_post_id)
    if (
        post.holder_id is None
        or Letter.objects.filter(
            campaign=previous.campaign,
            signer_post=post,
            signer_id=post.holder_id,
            status__in=LETTER_TAKEN_STATUSES,
        ).exists()
    ):
        return None
    issuer_post = previous.issuer_post
    issuer = issuer_post.holder if issuer_post and issuer_post.holder_id else previous.issuer
    return _letters_issue(
        campaign=previous.campaign,
        template=previous.template,
        issuer=issuer,
        issuer_post=issuer_post,
        signer_posts=[post],
        parent=previous.parent,
        issued_by=issued_by,
        ip_address=ip_address,
    ).issued[0]


def _letters_issue(
    *, campaign, template, issuer, issuer_post, signer_posts, parent, issued_by, ip_address
) -> IssueResult:
    campaign = row_lock(Campaign, pk=campaign.pk)  # serialises numbering
    if not campaign.is_open:
        raise ApplicationError(_("The campaign is closed; no more letters can be issued in it."))
    posts = list(
        Post.objects.filter(pk__in=[post.pk for post in signer_posts])
        .select_related("holder", "unit")
        .order_by("unit__sort_order", "unit__code", "sort_order", "pk")
    )
    if not posts:
        raise ApplicationError(_("Choose at least one post to issue letters to."))
    clauses = [ClauseText(c.number, c.category, c.text) for c in template.clauses.order_by("number")]
    if not clauses:
        raise ApplicationError(_("The template has no clauses; add at least one before issuing."))

    result = IssueResult()
    already = set(
        Letter.objects.filter(campaign=campaign, status__in=LETTER_TAKEN_STATUSES).values_list(
            "signer_post_id", "signer_id"
        )
    )
    to_issue = []
    for post in posts:
        if post.holder_id is None or not post.holder.is_active:
            result.skipped.append((post, _("the post has no active holder")))
        elif post.holder_id == issuer.pk:
            result.skipped.append((post, _("nobody issues a letter to themselves")))
        elif (post.pk, post.holder_id) in already:
            result.skipped.append((post, _("a letter in this campaign already exists")))
        else:
            to_issue.append(post)
    if not to_issue:
        raise ApplicationError(
            _(
                "No letter was issued: every chosen post already has a letter in this campaign "
                "or has no holder."
            )
        )

    now = clock.now()
    first_number = campaign.last_number + 1
    campaign.last_number += len(to_issue)
    campaign.save(update_fields=["last_number"])

    letters = [
        letter_build(
            campaign=campaign,
            number=first_number + offset,
            template=template,
            issuer=issuer,
            issuer_post=issuer_post,
            signer_post=post,
            parent=parent,
            clauses=clauses,
        )
        for offset, post in enumerate(to_issue)
    ]
    letters_store(letters=letters, clauses=clauses)
    _letters_mark_issued(letters=letters, at=now)
    letter_events_append(
        events=[
            letter_issued_event(letter=letter, actor=issued_by, ip_address=ip_address, at=now)
            for letter in letters
        ]
    )
    _letters_grant(letters=letters, overseers=_overseers_of(parent))
    result.issued = letters
    return result


# The bulk builders of an issue, public so that bench/ builds its data through the same code.


def letter_build(
    *,
    campaign: Campaign,
    number: int,
    template: LetterTemplate,
    issuer,
    issuer_post: Post | None,
    signer_post: Post,
    parent: Letter | None,
    clauses: Sequence[ClauseText],
) -> Letter:
    """A new letter, unsaved and a draft: version 1 of `number`, from the template to the post's holder.

    Its content hash pins `clauses`; store it with them through `letters_store`.
    """
    letter = Letter(
        campaign=campaign,
        number=number,
        version=1,
        reference=letter_reference(campaign=campaign, number=number, version=1),
        parent=parent,
        root=(parent.root or parent) if parent else None,
        template=template,
        title=template.title,
        preamble=template.preamble,
        closing=template.closing,
        issuer_label=template.issuer_label,
        signer_label=template.signer_label,
        issuer=issuer,
        issuer_post=issuer_post,
        signer=signer_post.holder,
        signer_post=signer_post,
        signer_unit=signer_post.unit,
    )
    letter.content_hash = letter_content_hash(letter=letter, clauses=clauses)
    return letter


def letters_store(*, letters: Sequence[Letter], clauses: Sequence[ClauseText]) -> list[LetterClause]:
    """Insert built letters and each one's clauses, in bulk, while the letters are drafts.

    The clauses go in while the stored rows are drafts: PostgreSQL's triggers refuse clauses for a
    letter that is no longer one.
    """
    Letter.objects.bulk_create(letters, batch_size=500)
    return LetterClause.objects.bulk_create(
        [
            LetterClause(letter=letter, number=c.number, category=c.category, text=c.text)
            for letter in letters
            for c in clauses
        ],
        batch_size=2000,
    )


def letter_issued_event(*, letter: Letter, actor, ip_address: str | None, at) -> LetterEvent:
    """The audit event of a letter's issue, unsaved: append it with `letter_events_append`."""
    return LetterEvent(
        letter=letter,
        kind=LetterEventKind.ISSUED,
        from_status=LetterStatus.DRAFT,
        to_status=LetterStatus.ISSUED,
        actor=actor,
        ip_address=ip_address,
        content_hash=letter.content_hash,
        payload={"reference": letter.reference},
        created_at=at,
    )


# A signer post counts as served while it holds one of these letters (a returned letter is
# waiting for its revision, so it counts too).
LETTER_TAKEN_STATUSES = (
    LetterStatus.DRAFT,
    LetterStatus.ISSUED,
    LetterStatus.SIGNED,
    LetterStatus.COUNTERSIGNED,
    LetterStatus.ARCHIVED,
    LetterStatus.RETURNED,
)


def letter_reference(*, campaign: Campaign, number: int, version: int) -> str:
    """The letter number in GB/T 9704 form: 人常廉责〔2026〕12号, with the version after a revision."""
    reference = f"{campaign.reference_prefix}〔{campaign.year}〕{number}号"
    return reference if version == 1 else f"{reference}-{version}"


def _letters_mark_issued(*, letters: Sequence[Letter], at) -> None:
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(
        status=LetterStatus.ISSUED, issued_at=at, updated_at=at
    )
    for letter in letters:
        letter.status, letter.issued_at = LetterStatus.ISSUED, at


def _overseers_of(parent: Letter | None) -> list[int]:
    """The signers of every letter above: a head sees all the letters issued below their own."""
    overseers = []
    while parent is not None:
        overseers.append(parent.signer_id)
        parent = parent.parent
    return overseers


def _letters_grant(*, letters: Sequence[Letter], overseers: Sequence[int]) -> None:
    """Grants are domain events: made here, in the same transaction as the issue, never in a signal."""
    permissions = letter_grant_permission_ids()
    rows = []
    for letter in letters:
        rows += letter_grants_build(letter=letter, overseers=overseers, permission_ids=permissions)
    LetterUserObjectPermission.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def letter_grant_permission_ids() -> dict[str, int]:
    """The pk of each permission an issue grants, by codename, for `letter_grants_build`."""
    codenames = {*_SIGNER_GRANTS, *_ISSUER_GRANTS, *_OVERSEER_GRANTS}
    return dict(
        Permission.objects.filter(
            content_type__app_label="responsibility", codename__in=codenames
        ).values_list("codename", "pk")
    )


def letter_grants_build(
    *, letter: Letter, overseers: Sequence[int], permission_ids: dict[str, int]
) -> list[LetterUserObjectPermission]:
    """The object grants, unsaved, that the issue of `letter` gives its signer, its issuer and `overseers`."""
    grants = {(letter.signer_id, codename) for codename in _SIGNER_GRANTS}
    grants |= {(letter.issuer_id, codename) for codename in _ISSUER_GRANTS}
    grants |= {(user_id, codename) for user_id in overseers for codename in _OVERSEER_GRANTS}
    return [
        LetterUserObjectPermission(
            user_id=user_id, permission_id=permission_ids[codename], content_object=letter
        )
        for user_id, codename in grants
    ]


@transaction.atomic
def letter_revise(
    *,
    letter: Letter,
    revised_by,
    title: str,
    preamble: str,
    closing: str,
    clauses: Sequence[ClauseText],
    ip_address: str | None = None,
) -> Letter:
    """A returned letter comes back as a new version with the same number; the old one is kept."""
    letter_check_permission(user=revised_by, action=LetterAction.REVISE, letter=letter)
    old = row_lock(Letter.objects.select_related("campaign"), pk=letter.pk)
    if old.status != LetterStatus.RETURNED:
        raise ApplicationError(_("Only a returned letter can be revised."))
    if old.is_superseded:
        raise ApplicationError(_("This letter has already been revised."))
    numbered = _revision_clauses(clauses)
    if not old.campaign.is_open:
        raise ApplicationError(_("The campaign is closed; no more letters can be issued in it."))

    now = clock.now()
    version = old.version + 1
    new = Letter(
        campaign=old.campaign,
        number=old.number,
        version=version,
        reference=letter_reference(campaign=old.campaign, number=old.number, version=version),
        parent=old.parent,
        root=old.root,
        previous_version=old,
        template=old.template,
        title=title,
        preamble=preamble,
        closing=closing,
        issuer_label=old.issuer_label,
        signer_label=old.signer_label,
        issuer=old.issuer,
        issuer_post=old.issuer_post,
        signer=old.signer,
        signer_post=old.signer_post,
        signer_unit=old.signer_unit,
    )
    new.content_hash = letter_content_hash(letter=new, clauses=numbered)
    new.full_clean(exclude=["previous_version"])
    new.save()
    LetterClause.objects.bulk_create(
        [LetterClause(letter=new, number=c.number, category=c.category, text=c.text) for c in numbered]
    )
    _letters_mark_issued(letters=[new], at=now)
    letter_events_append(
        events=[
            LetterEvent(
                letter=new,
                kind=LetterEventKind.REVISED,
                from_status=LetterStatus.DRAFT,
                to_status=LetterStatus.ISSUED,
                actor=revised_by,
                ip_address=ip_address,
                content_hash=new.content_hash,
                payload={
                    "reference": new.reference,
                    "version": new.version,
                    "revision_of": {"id": old.pk, "reference": old.reference},
                },
                created_at=now,
            )
        ]
    )
    _letters_grant(letters=[new], overseers=_overseers_of(old.parent))
    return new


def _revision_clauses(clauses: Sequence[ClauseText]) -> list[ClauseText]:
    """The revised clauses, numbered from 1. A bad one gets a message here, not a database crash."""
    if not clauses:
        raise ApplicationError(_("A letter needs at least one clause."))
    max_length = LetterClause._meta.get_field("text").max_length
    numbered = []
    for number, clause in enumerate(clauses, start=1):
        text = (clause.text or "").strip()
        if clause.category not in ClauseCategory.values or not text or len(text) > max_length:
            raise ApplicationError(
                _("Clause %(number)d needs a category and a text of at most %(max)d characters.")
                % {"number": number, "max": max_length}
            )
        numbered.append(ClauseText(number, clause.category, text))
    return numbered
