"""The whole ledger's counts kept by block of units: always the counts a query gives, recounted only where
the chain says something changed."""

import datetime
from dataclasses import replace

import pytest
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from responsibility.supervision import ledger_counts
from responsibility.supervision.ledger_counts import KEPT_COUNTS_FORMAT, FindingsCounts, whole_ledger_counts
from responsibility.supervision.models import Finding, KeptLedgerCounts
from responsibility.supervision.services.rectifications import FINDING_TERMS
from tests.responsibility.inspections.ledger_helpers import ledger_scenario, move, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(supervision, drawn):
    return ledger_scenario(supervision, drawn)


@pytest.fixture
def unit_blocks(monkeypatch):
    """One unit a block, so that the test's few units fall in several blocks."""
    monkeypatch.setattr(ledger_counts, "UNITS_PER_BLOCK", 1)


def _today() -> datetime.date:
    return timezone.localdate()


def _by_query(today: datetime.date) -> dict:
    counted = FindingsCounts(findings=Finding.objects.all(), today=today)
    return {
        "summary": counted.summary(),
        "by_unit": counted.by_unit(),
        "by_batch": counted.by_batch(),
        "by_category": counted.by_category(),
        "overdue_trend": counted.overdue_trend(),
    }


def _kept(today: datetime.date) -> dict:
    counted = whole_ledger_counts(today=today)
    return {name: getattr(counted, name)() for name in _by_query(today)}


@pytest.mark.parametrize("units_per_block", [1, 64])
def test_the_kept_counts_are_the_counts_a_query_gives(supervision, scenario, monkeypatch, units_per_block):
    monkeypatch.setattr(ledger_counts, "UNITS_PER_BLOCK", units_per_block)

    assert _kept(_today()) == _by_query(_today())
    assert _kept(_today())["summary"].total == 7


def _counted_blocks(monkeypatch) -> list:
    """Which blocks each count reads (None: all of them)."""
    calls = []
    count = ledger_counts._blocks_count

    def spy(*, today, blocks):
        calls.append(blocks)
        return count(today=today, blocks=blocks)

    monkeypatch.setattr(ledger_counts, "_blocks_count", spy)
    return calls


def test_after_a_change_only_the_changed_units_block_is_counted_again(
    supervision, scenario, unit_blocks, monkeypatch, django_assert_num_queries
):
    # given the counts kept, one block per unit
    before = whole_ledger_counts(today=_today())
    committee_block, other_block = scenario.committee.unit_id, scenario.other.unit_id
    assert set(before.blocks) == {committee_block, other_block}

    # when a rectification of 法制工作委员会 is submitted through its service
    move(record(scenario.committee, title="新发现的问题"), "submitted", supervision=supervision)
    counted = _counted_blocks(monkeypatch)
    # then: the chain's head, its events since, their findings' units, and three counts of that block
    with django_assert_num_queries(6):
        after = whole_ledger_counts(today=_today())

    assert counted == [{committee_block}]
    assert after.blocks[other_block] == before.blocks[other_block]
    assert after.summary().total == before.summary().total + 1
    assert after.summary().submitted == before.summary().submitted + 1
    assert {name: getattr(after, name)() for name in _by_query(_today())} == _by_query(_today())


def test_with_no_change_the_kept_counts_are_read_with_one_query(
    supervision, scenario, django_assert_num_queries
):
    whole_ledger_counts(today=_today())

    with django_assert_num_queries(1):  # the chain's head
        whole_ledger_counts(today=_today())


def test_a_chain_that_does_not_go_on_from_the_kept_position_counts_everything_again(
    supervision, scenario, unit_blocks
):
    # given counts kept at a position whose event is not the chain's (a database restored from a backup)
    today = _today()
    kept = whole_ledger_counts(today=today)
    assert cache.get(f"ledger-counts/{KEPT_COUNTS_FORMAT}:{today.isoformat()}") == kept
    wrong = {
        number: replace(
            block,
            units=dict.fromkeys(block.units, (99,) * 7),
            batches=dict.fromkeys(block.batches, (99,) * 7),
        )
        for number, block in kept.blocks.items()
    }
    cache.set(
        f"ledger-counts/{KEPT_COUNTS_FORMAT}:{today.isoformat()}", replace(kept, hash="0" * 64, blocks=wrong)
    )

    # when a change follows
    move(record(scenario.committee, title="新发现的问题"), "submitted", supervision=supervision)

    # then nothing of the wrong counts survives
    assert _kept(today) == _by_query(today)


def test_many_changes_since_the_kept_counts_count_everything_again(
    supervision, scenario, unit_blocks, monkeypatch
):
    monkeypatch.setattr(ledger_counts, "RECOUNT_ALL_AFTER", 2)
    today = _today()
    whole_ledger_counts(today=today)

    for number in range(3):
        move(record(scenario.other, title=f"问题{number}"), "submitted", supervision=supervision)
    counted = _counted_blocks(monkeypatch)
    after = whole_ledger_counts(today=today)

    assert counted == [None]
    assert after.summary().total == 10


def test_each_day_is_counted_on_its_own(supervision, scenario):
    # the lights and the trend change at midnight: a day's counts are never another's
    today = _today()
    whole_ledger_counts(today=today)
    tomorrow = today + datetime.timedelta(days=1)

    assert _kept(tomorrow) == _by_query(tomorrow)


def test_a_findings_unit_plan_and_category_never_change():
    """The blocks rely on it: a correction (finding_update) changes only these terms of a finding."""
    assert set(FINDING_TERMS) == {"title", "description", "severity"}


def test_the_beat_counts_a_new_day_so_that_its_first_reader_finds_the_counts_kept(
    supervision, scenario, django_assert_num_queries
):
    from django.conf import settings

    from responsibility import tasks

    assert settings.CELERY_BEAT_SCHEDULE["ledger-counts-refresh"]["task"] == tasks.ledger_counts_refresh.name
    assert tasks.ledger_counts_refresh() == 7

    with django_assert_num_queries(1):  # the chain's head
        whole_ledger_counts(today=_today())


def test_a_count_of_everything_is_kept_in_the_database_signed(supervision, scenario):
    today = _today()
    counted = whole_ledger_counts(today=today)

    row = KeptLedgerCounts.objects.get(day=today)
    assert (row.sequence, row.hash) == (counted.sequence, counted.hash)
    assert signing.loads(row.counts, salt=ledger_counts.KEPT_COUNTS_SALT)["day"] == today.isoformat()


def test_after_the_cache_is_lost_only_the_blocks_changed_since_the_stored_count_are_counted(
    supervision, scenario, unit_blocks, monkeypatch
):
    # given a count of everything kept, then a change, then the cache lost (a restart without persistence)
    today = _today()
    whole_ledger_counts(today=today)
    move(record(scenario.committee, title="新发现的问题"), "submitted", supervision=supervision)
    cache.clear()
    counted = _counted_blocks(monkeypatch)

    # when the ledger is read
    after = _kept(today)

    # then it starts from the stored row and counts the changed unit's block alone, and is right
    assert counted == [{scenario.committee.unit_id}]
    assert after == _by_query(today)


def test_after_the_cache_is_lost_with_no_change_nothing_is_counted(
    supervision, scenario, monkeypatch, django_assert_num_queries
):
    today = _today()
    whole_ledger_counts(today=today)
    cache.clear()
    counted = _counted_blocks(monkeypatch)

    with django_assert_num_queries(3):  # the chain's head, the stored row, the events since it
        whole_ledger_counts(today=today)

    assert counted == []
    assert _kept(today) == _by_query(today)


def test_a_stored_count_changed_in_the_database_is_not_read(supervision, scenario, unit_blocks, monkeypatch):
    # given the stored counts replaced in the database by others signed with another key
    today = _today()
    kept = whole_ledger_counts(today=today)
    forged = signing.loads(
        KeptLedgerCounts.objects.get(day=today).counts, salt=ledger_counts.KEPT_COUNTS_SALT
    )
    for block in forged["blocks"].values():
        block["units"] = [[unit, *(99,) * 7] for unit, *_ in block["units"]]
    KeptLedgerCounts.objects.filter(day=today).update(
        counts=signing.dumps(forged, key="another key", salt=ledger_counts.KEPT_COUNTS_SALT, compress=True)
    )
    cache.clear()
    counted = _counted_blocks(monkeypatch)

    # when the ledger is read after the cache was lost, everything is counted again and stored again
    again = whole_ledger_counts(today=today)

    assert counted == [None]
    assert again.by_unit() == kept.by_unit() == _by_query(today)["by_unit"]
    assert signing.loads(KeptLedgerCounts.objects.get(day=today).counts, salt=ledger_counts.KEPT_COUNTS_SALT)


def test_the_stored_counts_of_days_before_yesterday_are_removed(supervision, scenario):
    today = _today()
    for back in (3, 2, 1, 0):
        whole_ledger_counts(today=today - datetime.timedelta(days=back))

    assert set(KeptLedgerCounts.objects.values_list("day", flat=True)) == {
        today - datetime.timedelta(days=1),
        today,
    }


def test_a_new_day_starts_from_the_last_days_counts_and_reads_only_the_findings_due_since(
    supervision, scenario, unit_blocks, monkeypatch
):
    # given the counts of today kept; then, day after day (deadlines passing, weeks ending), and after
    # gaps of days and weeks, the first reading of each day with nothing of that day kept
    today = _today()
    whole_ledger_counts(today=today)
    counted = _counted_blocks(monkeypatch)

    for later in (*range(1, 16), 20, 27, 28, 31, 45, 46, 130):
        day = today + datetime.timedelta(days=later)
        assert _kept(day) == _by_query(day), later

    # then no block was counted whole: each day's lights and trend came from the findings due since
    assert counted == []
    assert KeptLedgerCounts.objects.order_by("-day").values_list("day", flat=True)[0] == day


def test_a_new_days_first_reading_reads_four_queries_and_stores_the_day_with_two(
    supervision, scenario, django_assert_num_queries
):
    today = _today()
    whole_ledger_counts(today=today)
    tomorrow = today + datetime.timedelta(days=1)

    # the chain's head, the stored row, the events since it, the findings due from then until today's
    # due-soon days; then the day's row stored (one INSERT … ON CONFLICT) and the days before yesterday
    # removed
    with django_assert_num_queries(6):
        whole_ledger_counts(today=tomorrow)

    assert KeptLedgerCounts.objects.filter(day=tomorrow).exists()


def test_a_new_day_after_a_change_counts_the_changed_block_whole_and_the_others_lights(
    supervision, scenario, unit_blocks, monkeypatch
):
    today = _today()
    whole_ledger_counts(today=today)
    move(scenario.findings["green"], "submitted", supervision=supervision)
    counted = _counted_blocks(monkeypatch)
    day = today + datetime.timedelta(days=4)

    assert _kept(day) == _by_query(day)
    assert counted == [{scenario.committee.unit_id}]


def test_counts_made_after_their_day_ended_are_not_carried_to_a_later_day(
    supervision, scenario, unit_blocks, monkeypatch
):
    """Made after their day's end, they may count as unverified a finding verified since then with no
    event after their position to say so: a later day is counted whole."""
    today = _today()
    whole_ledger_counts(today=today - datetime.timedelta(days=2))  # made now, two days after its day
    cache.clear()
    counted = _counted_blocks(monkeypatch)

    assert _kept(today) == _by_query(today)
    assert counted == [None]


def test_the_first_day_after_a_weekend_not_counted_keeps_the_weeks_that_ended(
    supervision, scenario, monkeypatch
):
    # counted on a Friday, read next on the Monday: the Sunday's point is counted from the Friday's
    today = _today()
    friday = today + datetime.timedelta(days=(4 - today.weekday()) % 7)
    whole_ledger_counts(today=friday)
    counted = _counted_blocks(monkeypatch)
    monday = friday + datetime.timedelta(days=3)

    assert _kept(monday) == _by_query(monday)
    assert counted == []
