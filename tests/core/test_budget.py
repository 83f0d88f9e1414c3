"""run_within_budget: work on untrusted input runs in a child process that cannot overstay its budget."""

import multiprocessing
import os
import time

import pytest

from accounts.models import User
from core.budget import BudgetExceeded, run_within_budget

MB = 1024 * 1024


def _spin():
    while True:
        pass


def _hog(size: int) -> int:
    return len(bytearray(size))


def _refuse(value):
    raise ValueError(f"refused {value}")


def _die():
    os._exit(3)


def _count_users() -> int:
    return User.objects.count()


def test_run_within_budget_returns_what_the_work_returns():
    assert run_within_budget(sum, [1, 2, 3], seconds=5, memory_bytes=64 * MB) == 6


def test_run_within_budget_stops_work_that_runs_past_its_time():
    # When the work never ends
    started = time.monotonic()
    with pytest.raises(BudgetExceeded, match="no answer within 0.5 s"):
        run_within_budget(_spin, seconds=0.5, memory_bytes=64 * MB)

    # Then the answer comes at the deadline, and the child is gone
    assert time.monotonic() - started < 2
    assert multiprocessing.active_children() == []


def test_run_within_budget_stops_work_that_needs_more_memory_than_allowed():
    with pytest.raises(BudgetExceeded, match="more than 64 MB of memory"):
        run_within_budget(_hog, 512 * MB, seconds=5, memory_bytes=64 * MB)

    # while the same work within a larger budget succeeds
    assert run_within_budget(_hog, 16 * MB, seconds=5, memory_bytes=64 * MB) == 16 * MB


def test_run_within_budget_raises_the_works_own_error_again():
    with pytest.raises(ValueError, match="refused 7"):
        run_within_budget(_refuse, 7, seconds=5, memory_bytes=64 * MB)


def test_run_within_budget_says_when_the_child_died_without_answering():
    with pytest.raises(BudgetExceeded, match="exit code 3"):
        run_within_budget(_die, seconds=5, memory_bytes=64 * MB)


def test_run_within_budget_answers_when_no_process_can_be_started(monkeypatch):
    def fork_refused():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fork_refused)

    with pytest.raises(BudgetExceeded, match="could not start"):
        run_within_budget(sum, [1], seconds=5, memory_bytes=64 * MB)


@pytest.mark.django_db
def test_the_child_cannot_use_the_database_and_the_parents_connection_survives(org):
    # Given a parent that has used its database connection
    users = User.objects.count()

    # When the work in the child tries a query
    with pytest.raises(RuntimeError, match="database is not used"):
        run_within_budget(_count_users, seconds=5, memory_bytes=64 * MB)

    # Then the parent's connection still answers
    assert User.objects.count() == users > 0
