"""The whole ledger's counts kept by block of units: always the counts a query gives, recounted only where
the chain says something changed."""

import datetime
from dataclasses import replace

import pytest
from django.core.cache import cache
from django.utils import timezone

from responsibility.supervision import ledger_counts
from responsibility.supervision.ledger_counts import KEPT_COUNTS_FORMAT, FindingsCounts, whole_ledger_counts
from responsibility.supervision.models import Finding
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
