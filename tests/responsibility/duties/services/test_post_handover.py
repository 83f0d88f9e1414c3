"""post_handover: a post changes holder mid-year. The new holder takes over the open task periods and
gets a letter to sign; the previous holder's records, and the periods they completed, stay theirs."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import PostKind
from core.errors import ApplicationError
from responsibility.duties.models import AssignmentStatus, TaskOccurrence
from responsibility.duties.selectors import duty_assignment_list_visible_to, occurrence_list_due_for
from responsibility.duties.services.assignments import (
    RecordInput,
    duty_assignment_confirm,
    performance_record_create,
    post_handover,
)
from responsibility.letters.models.letters import Letter, LetterStatus
from tests.factories import PostFactory, UserFactory
from tests.responsibility.duties.conftest import TODAY, first_open_occurrence

from .conftest import duty_state, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def successor(duties):
    """The 财经委's deputy, moving to head the 法工委."""
    return PostFactory(unit=duties.org.head_posts[1].unit, title="副主任", kind=PostKind.DEPUTY_HEAD).holder


@pytest.fixture
def kept(duties):
    """Before the handover the head confirmed the assignment and recorded the first quarter's report."""
    assignment = duties.head_assignment
    head = fresh(assignment.leader)
    duty_assignment_confirm(assignment=assignment, confirmed_by=head, expected_version=assignment.version)
    occurrence = first_open_occurrence(assignment)
    return performance_record_create(
        occurrence=occurrence,
        data=RecordInput(
            performed_on=datetime.date(2026, 3, 30), summary="听取一季度汇报。", participants=""
        ),
        recorded_by=head,
    )


def hand_over(duties, new_holder, *, by=None, on=TODAY):
    return post_handover(
        post=duties.head_assignment.post,
        new_holder=new_holder,
        handed_over_on=on,
        handed_over_by=fresh(by or duties.org.office_admin),
    )


def test_post_handover_moves_the_open_periods_and_leaves_the_done_ones(duties, kept, successor):
    # given
    previous = duties.head_assignment.leader
    occurrences = TaskOccurrence.objects.filter(task__assignment=duties.head_assignment)
    open_before = set(occurrences.open().values_list("pk", flat=True))

    # when
    handover = hand_over(duties, successor)

    # then every open period moved; the done one and its record stay with the previous holder
    assert set(occurrences.filter(responsible=successor).values_list("pk", flat=True)) == open_before
    assert list(occurrences.filter(responsible=previous)) == [kept.occurrence]
    assert handover.occurrences_moved == len(open_before) == 9
    kept.refresh_from_db()
    assert kept.recorded_by == previous
    assert handover.previous_holder == previous and handover.new_holder == successor
    assert handover.handed_over_on == TODAY


def test_post_handover_makes_the_new_holder_the_leader_who_must_confirm_again(duties, kept, successor):
    # when
    hand_over(duties, successor)

    # then
    assignment = duties.head_assignment
    assignment.refresh_from_db()
    assert assignment.leader == successor
    assert assignment.status == AssignmentStatus.DRAFT
    assert assignment.confirmed_at is None
    assignment.post.refresh_from_db()
    assert assignment.post.holder == successor and assignment.post.term_start == TODAY
    # and the new holder may confirm it
    duty_assignment_confirm(
        assignment=assignment, confirmed_by=fresh(successor), expected_version=assignment.version
    )


def test_post_handover_issues_the_new_holder_a_letter_from_the_same_issuer_post(duties, successor):
    # given the head's signed letter in the open campaign
    post = duties.head_assignment.post
    old = Letter.objects.get(signer_post=post, campaign=duties.org.campaign)
    old_state = (old.status, old.signer_id, old.version, old.content_hash)

    # when
    handover = hand_over(duties, successor)

    # then the new holder has a letter to sign from the secretary's post, in the same campaign
    new = handover.new_letter
    assert new is not None and new.pk != old.pk
    assert new.signer == successor and new.signer_post == post
    assert new.issuer_post == old.issuer_post == duties.org.secretary_post
    assert new.issuer == duties.org.secretary
    assert new.campaign == old.campaign
    assert new.status == LetterStatus.ISSUED
    # the previous holder's letter is as it was, still theirs
    old.refresh_from_db()
    assert (old.status, old.signer_id, old.version, old.content_hash) == old_state
    assert (
        old.status == LetterStatus.SIGNED
        and old.signer == duties.head_assignment.post.handovers.get().previous_holder
    )


def test_post_handover_of_a_post_without_a_letter_issues_none(duties, successor):
    # given the deputy signed no letter
    handover = post_handover(
        post=duties.deputy_assignment.post,
        new_holder=successor,
        handed_over_on=TODAY,
        handed_over_by=duties.org.office_admin,
    )
    assert handover.new_letter is None
    duties.deputy_assignment.refresh_from_db()
    assert duties.deputy_assignment.leader == successor


def test_post_handover_refuses_the_current_holder(duties, kept):
    before = duty_state()
    with pytest.raises(ApplicationError, match="already holds this post") as refused:
        hand_over(duties, fresh(duties.head_assignment.leader))
    assert refused.value.code == "same_holder"
    assert duty_state() == before


def test_post_handover_refuses_an_inactive_user(duties, kept):
    before = duty_state()
    with pytest.raises(ApplicationError, match="Choose an active user"):
        hand_over(duties, UserFactory(is_active=False))
    with pytest.raises(ApplicationError, match="Choose an active user"):
        hand_over(duties, None)
    assert duty_state() == before


@pytest.mark.parametrize(
    "on",
    [TODAY + datetime.timedelta(days=32), TODAY - datetime.timedelta(days=367)],
    ids=["more than a month ahead", "more than a year ago"],
)
def test_post_handover_refuses_an_implausible_date(duties, successor, on):
    before = duty_state()
    with pytest.raises(ApplicationError, match="within the last year or the coming month"):
        hand_over(duties, successor, on=on)
    assert duty_state() == before


@pytest.mark.parametrize(
    "who",
    [
        lambda duties: duties.org.secretary,
        lambda duties: duties.org.inspector,
        lambda duties: duties.head_assignment.leader,
        lambda duties: duties.org.heads[1],
    ],
    ids=["party group", "inspection team", "the holder", "another head"],
)
def test_post_handover_is_for_the_office_only(duties, successor, who):
    before = duty_state()
    with pytest.raises(PermissionDenied, match="Only the office administrator"):
        hand_over(duties, successor, by=who(duties))
    assert duty_state() == before


def test_post_handover_leaves_the_previous_holder_seeing_the_assignment_but_not_recording(
    duties, kept, successor
):
    # given
    previous = fresh(duties.head_assignment.leader)
    hand_over(duties, successor)
    moved = first_open_occurrence(duties.head_assignment)
    before = duty_state()

    # then the previous holder still sees the assignment their records belong to ...
    assert duty_assignment_list_visible_to(user=previous).filter(pk=duties.head_assignment.pk).exists()
    # ... but records neither a moved period nor their own completed one (`kept.occurrence` is a copy
    # loaded before the handover, still naming them as the leader: the stored row decides)
    for occurrence in (moved, kept.occurrence):
        with pytest.raises(PermissionDenied, match="only for your own tasks"):
            performance_record_create(
                occurrence=occurrence,
                data=RecordInput(performed_on=TODAY, summary="补记。", participants=""),
                recorded_by=previous,
            )
    assert duty_state() == before
    # and the moved period is on the new holder's list, not theirs
    assert moved in occurrence_list_due_for(user=fresh(successor))
    assert not occurrence_list_due_for(user=previous).exists()


def test_post_handover_lets_the_new_holder_record_a_moved_period(duties, kept, successor):
    # given
    hand_over(duties, successor)
    moved = first_open_occurrence(duties.head_assignment)

    # when
    record = performance_record_create(
        occurrence=moved,
        data=RecordInput(performed_on=TODAY, summary="到任后即听取汇报。", participants=""),
        recorded_by=fresh(successor),
    )

    # then
    moved.refresh_from_db()
    assert record.recorded_by == successor and moved.done_at is not None
