"""The duty pages at scale: the list and its per-unit summary come in pages that keep the filters, an
assignment's page folds its earlier done periods away, and the to-do links a long section to its list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responsibility.duties import views as duty_views
from responsibility.duties.models import Recurrence, TaskOccurrence
from responsibility.duties.services.assignments import (
    RecordInput,
    TaskInput,
    duty_task_create,
    performance_record_create,
)
from responsibility.home import views as home_views
from tests.responsibility.duties.views.conftest import url

pytestmark = pytest.mark.django_db


def _monthly_task(assignment, office):
    return duty_task_create(
        assignment=assignment,
        data=TaskInput(title="每月学习", description="", recurrence=Recurrence.TIMES_A_YEAR, times_a_year=12),
        created_by=office,
    )


def _record(occurrence, on: datetime.date):
    return performance_record_create(
        occurrence=occurrence,
        data=RecordInput(performed_on=on, summary="已落实。", participants=""),
        recorded_by=occurrence.responsible,
    )


def _queries(client, path) -> tuple[int, object]:
    client.get(path)  # warm the per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response


def test_the_list_and_its_unit_summary_are_paged_and_their_links_keep_the_filters(
    client, duties, monkeypatch
):
    # given pages of two assignments and a summary of one unit a page
    monkeypatch.setattr(duty_views, "ASSIGNMENTS_PER_PAGE", 2)
    monkeypatch.setattr(duty_views, "UNITS_PER_PAGE", 1)
    client.force_login(duties.org.office_admin)

    # when
    first = client.get(url("duty-list"), {"year": "2026"})
    second = client.get(url("duty-list"), {"year": "2026", "page": "2", "units_page": "2"})

    # then each page shows its share, and the links to the next pages keep the year (and the other page)
    assert len(first.context["assignments"]) == 2
    assert first.context["page_obj"].paginator.count == len(duties.assignments)
    assert len(first.context["by_unit"]) == 1
    assert first.context["units_page"].paginator.count == 3
    body = first.content.decode()
    assert "?year=2026&amp;page=2" in body
    assert "?year=2026&amp;units_page=2#by-unit" in body
    shown = [row.pk for page in (first, second) for row in page.context["assignments"]]
    assert sorted(shown) == sorted(assignment.pk for assignment in duties.assignments)
    assert second.context["by_unit"] != first.context["by_unit"]
    assert "page=2&amp;units_page=3#by-unit" in second.content.decode()


def test_the_unit_filter_is_kept_in_the_page_links(client, duties, monkeypatch):
    monkeypatch.setattr(duty_views, "ASSIGNMENTS_PER_PAGE", 1)
    committee = duties.org.head_posts[0].unit  # the head and the deputy
    client.force_login(duties.org.office_admin)

    response = client.get(url("duty-list"), {"year": "2026", "unit": committee.pk})

    assert response.context["page_obj"].paginator.count == 2
    assert f"?year=2026&amp;unit={committee.pk}&amp;page=2" in response.content.decode()


def test_an_assignment_shows_open_and_recent_periods_and_folds_the_earlier_done_ones(client, duties):
    # given the deputy's monthly task with January and February done (on 15 May, January is over 90 days ago)
    deputy = duties.deputy_assignment
    monthly = _monthly_task(deputy, duties.org.office_admin)
    january, february = TaskOccurrence.objects.filter(task=monthly).order_by("sequence")[:2]
    _record(january, datetime.date(2026, 1, 20))
    _record(february, datetime.date(2026, 2, 20))
    client.force_login(deputy.leader)

    # when
    folded = client.get(url("duty-detail", deputy.pk))
    every = client.get(url("duty-detail", deputy.pk), {"periods": "all"})

    # then the earlier done periods are counted, not shown, and shown on asking
    item = next(item for item in folded.context["tasks"] if item["task"] == monthly)
    shown = [period["occurrence"].sequence for period in item["periods"]]
    assert shown == list(range(2, 13))
    assert item["earlier_done"] == 1
    assert not item["can_withdraw"]  # it has records, though they are not shown
    assert "1 earlier period done, not shown." in folded.content.decode()
    every_item = next(item for item in every.context["tasks"] if item["task"] == monthly)
    assert [period["occurrence"].sequence for period in every_item["periods"]] == list(range(1, 13))
    assert "Show open and recent periods only" in every.content.decode()


def test_an_assignment_page_runs_the_same_queries_with_few_and_many_earlier_periods(client, duties):
    deputy = duties.deputy_assignment
    monthly = _monthly_task(deputy, duties.org.office_admin)
    periods = list(TaskOccurrence.objects.filter(task=monthly).order_by("sequence"))
    _record(periods[3], datetime.date(2026, 4, 20))  # April: recent, shown with its record
    client.force_login(deputy.leader)
    few, _ = _queries(client, url("duty-detail", deputy.pk))

    for occurrence in periods[:3]:  # January to March: January is earlier, the others recent
        _record(occurrence, datetime.date(2026, 3, 1))
    many, response = _queries(client, url("duty-detail", deputy.pk))

    assert few == many
    assert next(item for item in response.context["tasks"] if item["task"] == monthly)["earlier_done"] == 1


def test_a_long_to_do_section_shows_its_first_rows_and_links_to_the_full_list(client, duties, monkeypatch):
    # given the deputy with a monthly task (five periods due by mid-June) and two rows a section
    monkeypatch.setattr(home_views, "TODO_LIMIT", 2)
    deputy = duties.deputy_assignment
    _monthly_task(deputy, duties.org.office_admin)
    client.force_login(deputy.leader)

    # when
    queries, response = _queries(client, url("todo"))

    # then the two soonest are shown, the section says there are more and links to the list
    due = response.context["duty_due"]
    assert len(due) == 2
    assert due == sorted(due, key=lambda occurrence: (occurrence.due_date, occurrence.pk))
    assert response.context["more"]["duty_due"]
    assert not response.context["more"]["to_confirm"]
    body = response.content.decode()
    assert f'href="{url("duty-list")}">See all</a>' in body
    # and however many there are, the same queries (7 of every page less the bell, the to-do's one)
    monkeypatch.setattr(home_views, "TODO_LIMIT", 20)
    assert _queries(client, url("todo"))[0] == queries
