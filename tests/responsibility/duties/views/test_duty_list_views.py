"""The year's assignments: who sees which, the progress figures and lights, the filters, the per-unit
summary, generating the year's assignments, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PostKind
from core.deadlines import TrafficLight
from responsibility.duties.models import DutyAssignment
from responsibility.duties.services.assignments import (
    RecordInput,
    duty_assignments_generate,
    performance_record_create,
)
from tests.factories import PostFactory
from tests.responsibility.duties.conftest import first_open_occurrence
from tests.responsibility.duties.views.conftest import messages_of, url

pytestmark = pytest.mark.django_db


def _record_first_period(assignment) -> None:
    performance_record_create(
        occurrence=first_open_occurrence(assignment),
        data=RecordInput(performed_on=datetime.date(2026, 3, 20), summary="听取汇报。", participants=""),
        recorded_by=assignment.leader,
    )


def _rows(response) -> dict[int, DutyAssignment]:
    return {assignment.pk: assignment for assignment in response.context["assignments"]}


# --- Who sees what ---------------------------------------------------------------------------------


def test_the_office_sees_every_assignment_with_its_progress_the_unit_summary_and_the_generate_form(
    client, duties
):
    # given the head kept a record for the first quarter; the other leaders' first quarter is overdue
    head = duties.head_assignment
    _record_first_period(head)
    client.force_login(duties.org.office_admin)

    # when
    response = client.get(url("duty-list"))

    # then every assignment of 2026 is listed with done / due so far / overdue / total and its light
    assert response.status_code == 200
    rows = _rows(response)
    assert set(rows) == {assignment.pk for assignment in duties.assignments}
    head_row = rows[head.pk]
    assert (
        head_row.periods_done,
        head_row.periods_due,
        head_row.periods_overdue,
        head_row.periods_total,
    ) == (
        1,
        1,
        0,
        10,
    )
    assert head_row.worst_light == TrafficLight.GREEN
    deputy_row = rows[duties.deputy_assignment.pk]
    assert (deputy_row.periods_done, deputy_row.periods_overdue) == (0, 1)
    assert deputy_row.worst_light == TrafficLight.RED
    body = response.content.decode()
    assert "1 of 10 done · 1 due so far · 0 overdue" in body
    assert "法规处" in body  # the deputy oversees it
    # and the per-unit summary counts by the unit of the post
    by_unit = {row["post__unit__name"]: row for row in response.context["by_unit"]}
    committee = by_unit["法制工作委员会"]
    assert (committee["leaders"], committee["periods_done"], committee["periods_overdue"]) == (2, 1, 1)
    assert set(by_unit) == {"党组", "法制工作委员会", "财政经济工作委员会"}
    assert "Generate the year's assignments" in body
    assert url("duty-generate") in body


def test_unit_staff_see_their_unit_s_leaders_only_without_the_summary_or_the_generate_form(client, duties):
    # given the section chief of 法规处, under the first committee
    client.force_login(duties.org.staff[1])

    # when
    response = client.get(url("duty-list"))

    # then the committee's head and deputy, nobody else; read-only
    assert set(_rows(response)) == {duties.head_assignment.pk, duties.deputy_assignment.pk}
    assert response.context["by_unit"] == []
    assert url("duty-generate") not in response.content.decode()


def test_someone_who_sees_no_assignment_gets_a_sentence_saying_so(client, duties):
    client.force_login(duties.org.outsider)

    response = client.get(url("duty-list"))

    assert response.status_code == 200
    assert response.context["assignments"] == []
    assert "There are no duty assignments for 2026 that you can see." in response.content.decode()


# --- Filters ---------------------------------------------------------------------------------------


def test_the_year_defaults_to_the_current_one_and_lists_the_years_present(client, duties):
    # given the office also generated 2027
    duty_assignments_generate(year=2027, generated_by=duties.org.office_admin)
    client.force_login(duties.org.office_admin)

    # when the page is opened without a year, then with 2027, then with a year nobody has
    default = client.get(url("duty-list"))
    next_year = client.get(url("duty-list"), {"year": "2027"})
    unknown = client.get(url("duty-list"), {"year": "1999"})

    # then
    assert default.context["year"] == 2026
    assert default.context["years"] == [2027, 2026]
    assert {row.year for row in default.context["assignments"]} == {2026}
    assert {row.year for row in next_year.context["assignments"]} == {2027}
    assert len(next_year.context["assignments"]) == len(duties.assignments)
    assert unknown.context["year"] == 2026


def test_the_unit_filter_keeps_the_leaders_whose_post_is_in_the_unit_or_who_oversee_it(client, duties):
    client.force_login(duties.org.office_admin)
    section = duties.org.staff_posts[1].unit  # 法规处: overseen by the deputy
    committee = duties.org.head_posts[0].unit

    overseen = client.get(url("duty-list"), {"unit": section.pk})
    of_committee = client.get(url("duty-list"), {"unit": committee.pk})

    assert set(_rows(overseen)) == {duties.deputy_assignment.pk}
    assert set(_rows(of_committee)) == {duties.head_assignment.pk, duties.deputy_assignment.pk}
    # the counts are not multiplied by the filter's join
    assert _rows(of_committee)[duties.head_assignment.pk].periods_total == 10


def test_the_list_runs_the_same_queries_for_few_and_many_assignments(client, duties):
    def queries() -> int:
        client.get(url("duty-list"))  # warm the per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("duty-list"))
        assert response.status_code == 200
        return len(captured)

    # given the office reading the list of the four generated assignments
    client.force_login(duties.org.office_admin)
    few = queries()

    # when six more leading posts, overseeing units, get their assignments and records are kept
    for _ in range(6):
        post = PostFactory(unit=duties.org.head_posts[1].unit, kind=PostKind.DEPUTY_HEAD)
        post.oversees.set([duties.org.staff_posts[1].unit])
    duty_assignments_generate(year=2026, generated_by=duties.org.office_admin)
    _record_first_period(duties.head_assignment)
    many = queries()

    # then
    assert len(client.get(url("duty-list")).context["assignments"]) == 10
    assert few == many


# --- Generating the year's assignments -----------------------------------------------------------------


def test_the_office_generates_a_year_and_is_told_what_was_created_and_skipped(client, duties):
    client.force_login(duties.org.office_admin)

    # when the office generates 2027
    response = client.post(url("duty-generate"), {"year": "2027"})

    # then one assignment per held leading post, and back to the list of that year
    assert response.status_code == 302
    assert response.url == url("duty-list") + "?year=2027"
    assert DutyAssignment.objects.filter(year=2027).count() == 4
    assert messages_of(response) == ["4 assignments generated for 2027, with the common tasks."]

    # when a new leading post is filled and the office generates 2027 again
    PostFactory(unit=duties.org.head_posts[1].unit, kind=PostKind.DEPUTY_HEAD)
    again = client.post(url("duty-generate"), {"year": "2027"})

    # then only its assignment is made; the others are named as skipped, with the reason
    assert DutyAssignment.objects.filter(year=2027).count() == 5
    created, skipped = messages_of(again)[-2:]  # after the first round's message, not yet shown
    assert created == "1 assignment generated for 2027, with the common tasks."
    assert skipped.startswith("4 posts skipped: ")
    assert "an assignment for this year already exists" in skipped


def test_generating_a_year_already_generated_says_nothing_was_generated(client, duties):
    client.force_login(duties.org.office_admin)

    response = client.post(url("duty-generate"), {"year": "2026"}, follow=True)

    assert DutyAssignment.objects.filter(year=2026).count() == 4
    assert any("No assignment was generated" in message for message in messages_of(response))


def test_generating_without_a_valid_year_changes_nothing(client, duties):
    client.force_login(duties.org.office_admin)

    response = client.post(url("duty-generate"), {"year": "twenty"})

    assert response.status_code == 302
    assert messages_of(response) == ["Nothing was generated: enter a year between 2000 and 2100."]
    assert not DutyAssignment.objects.exclude(year=2026).exists()


def test_only_the_office_may_generate(client, duties):
    client.force_login(duties.org.inspector)

    response = client.post(url("duty-generate"), {"year": "2027"})

    assert response.status_code == 403
    assert not DutyAssignment.objects.filter(year=2027).exists()


def test_generating_is_a_post(client, duties):
    client.force_login(duties.org.office_admin)

    assert client.get(url("duty-generate")).status_code == 405
