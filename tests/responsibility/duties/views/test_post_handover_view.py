"""The office hands a post over mid-year through the page: the new holder takes the open periods and
gets the post's letter; a handover to the holder, or to an inactive user, is refused on the form."""

import pytest

from accounts.models import Post
from responsibility.duties.models import DutyAssignment, PostHandover, TaskOccurrence
from responsibility.letters.models.letters import Letter
from tests.factories import UserFactory
from tests.responsibility.duties.views.conftest import messages_of, url

pytestmark = pytest.mark.django_db


def test_the_office_hands_the_post_over_and_is_told_what_moved_and_which_letter_was_issued(client, duties):
    # given the head's post, whose holder signed the campaign's letter
    head = duties.head_assignment
    previous = head.leader
    successor = UserFactory(full_name="接任者")
    open_periods = TaskOccurrence.objects.filter(task__assignment=head, done_at__isnull=True).count()
    client.force_login(duties.org.office_admin)

    # when the form opens, then the current holder is not offered and today is the default date
    page = client.get(url("post-handover", head.pk))
    assert page.status_code == 200
    offered = [value for value, _label in page.context["form"].fields["new_holder"].choices if value]
    assert successor.pk in offered
    assert previous.pk not in offered
    assert 'value="2026-05-15"' in page.content.decode()

    # when the office hands the post over
    response = client.post(
        url("post-handover", head.pk), {"new_holder": successor.pk, "handed_over_on": "2026-05-15"}
    )

    # then the assignment and its open periods are the successor's, and a letter awaits their signature
    assert response.status_code == 302
    assert DutyAssignment.objects.get(pk=head.pk).leader == successor
    assert Post.objects.get(pk=head.post_id).holder == successor
    handover = PostHandover.objects.get()
    assert handover.occurrences_moved == open_periods
    letter = Letter.objects.get(signer=successor)
    assert handover.new_letter == letter
    moved, issued = messages_of(response)
    assert moved == f"接任者 now holds {head.post}: {open_periods} open task periods moved to them."
    assert issued == f"Letter {letter.reference} was issued to them to sign."
    # and the assignment's page lists the handover
    detail = client.get(url("duty-detail", head.pk)).content.decode()
    assert "接任者" in detail and previous.get_full_name() in detail


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("the holder", "already holds this post."),
        ("an inactive user", "Choose an active user to take over the post."),
    ],
)
def test_a_handover_to_the_holder_or_an_inactive_user_is_refused_on_the_form(client, duties, who, message):
    head = duties.head_assignment
    new_holder = head.leader if who == "the holder" else UserFactory(is_active=False)
    client.force_login(duties.org.office_admin)

    response = client.post(
        url("post-handover", head.pk), {"new_holder": new_holder.pk, "handed_over_on": "2026-05-15"}
    )

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors["new_holder"])
    assert not PostHandover.objects.exists()
    assert DutyAssignment.objects.get(pk=head.pk).leader == head.leader


def test_a_handover_date_far_from_today_is_refused(client, duties):
    client.force_login(duties.org.office_admin)

    response = client.post(
        url("post-handover", duties.head_assignment.pk),
        {"new_holder": UserFactory().pk, "handed_over_on": "2027-03-01"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["handed_over_on"]
    assert not PostHandover.objects.exists()


def test_only_the_office_hands_a_post_over(client, duties):
    head = duties.head_assignment
    successor = UserFactory()

    client.force_login(head.leader)
    refused = client.post(
        url("post-handover", head.pk), {"new_holder": successor.pk, "handed_over_on": "2026-05-15"}
    )
    client.force_login(duties.org.outsider)
    hidden = client.get(url("post-handover", head.pk))

    assert refused.status_code == 403
    assert hidden.status_code == 404
    assert not PostHandover.objects.exists()
