"""The posts a person holds or held, as the system's own records show them: the posts they hold now, the
posts they handed over (交接), the posts of their duty assignments (一岗双责, a year each) and the posts they
signed a responsibility letter for (a year each).

The 廉政档案 lists them (任职情况), and the 回避 rule reads their units (`units_held_by_each`): an
inspector who holds or held a post in a unit where the cadre holds or held one does not decide on access
to the cadre's file.
"""

import datetime
from dataclasses import dataclass, field

from accounts.models import Post
from responsibility.duties.models import DutyAssignment, PostHandover
from responsibility.letters.models.letters import LIVE_STATUSES, Letter


@dataclass
class PostHeld:
    """One post in a person's record: whether they hold it now, since when, until when, in which years."""

    post_id: int
    title: str  # the post as people name it: 法制工作委员会主任
    unit_id: int
    leading: bool  # a post that answers for "one post, two responsibilities" (LEADING_POST_KINDS)
    current: bool = False
    since: datetime.date | None = None  # the term's start, for a post held now
    handed_over_on: datetime.date | None = None  # the last day they held it, for a post handed over
    years: set[int] = field(default_factory=set)  # years of duty assignments and letters for it

    @property
    def years_text(self) -> str:
        return "、".join(str(year) for year in sorted(self.years))


def posts_held_by(user) -> list[PostHeld]:
    """Every post the records show the person holding, the posts held now first (four queries)."""
    found: dict[int, PostHeld] = {}

    def entry(post: Post) -> PostHeld:
        if post.pk not in found:
            found[post.pk] = PostHeld(
                post_id=post.pk, title=post.full_title, unit_id=post.unit_id, leading=post.is_leading
            )
        return found[post.pk]

    for post in Post.objects.filter(holder=user).select_related("unit"):
        held = entry(post)
        held.current, held.since = True, post.term_start
    for handover in PostHandover.objects.filter(previous_holder=user).select_related("post__unit"):
        held = entry(handover.post)
        if held.handed_over_on is None or handover.handed_over_on > held.handed_over_on:
            held.handed_over_on = handover.handed_over_on
    for assignment in DutyAssignment.objects.filter(leader=user).select_related("post__unit"):
        entry(assignment.post).years.add(assignment.year)
    letters = Letter.objects.filter(signer=user, status__in=LIVE_STATUSES)
    for letter in letters.select_related("signer_post__unit", "campaign"):
        entry(letter.signer_post).years.add(letter.campaign.year)
    return sorted(
        found.values(), key=lambda held: (not held.current, -max(held.years, default=0), held.title)
    )


def has_integrity_file(person) -> bool:
    """A 廉政档案 exists for whoever holds or held a post on record."""
    return bool(posts_held_by(person))


def units_held_by_each(user_ids) -> dict[int, set[int]]:
    """For each person, the units of every post they hold or held, from the same records as
    `posts_held_by` (four queries, however many people)."""
    units: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    rows = (
        Post.objects.filter(holder_id__in=units).values_list("holder_id", "unit_id"),
        PostHandover.objects.filter(previous_holder_id__in=units).values_list(
            "previous_holder_id", "post__unit_id"
        ),
        DutyAssignment.objects.filter(leader_id__in=units).values_list("leader_id", "post__unit_id"),
        Letter.objects.filter(signer_id__in=units, status__in=LIVE_STATUSES).values_list(
            "signer_id", "signer_post__unit_id"
        ),
    )
    for pairs in rows:
        for user_id, unit_id in pairs:
            units[user_id].add(unit_id)
    return units
