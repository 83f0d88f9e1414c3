"""rate_limit_wait: requests per address and minute, counted in the cache (in the process, or in Redis)."""

import datetime
import logging
import os
import uuid

import pytest
from django.core.cache import cache

from core.ratelimit import rate_limit_wait

REDIS_URL = os.environ.get("REDIS_URL", "")
BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
}


@pytest.fixture(
    params=[
        "locmem",
        pytest.param(
            "redis",
            marks=[pytest.mark.redis, pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set REDIS_URL")],
        ),
    ]
)
def counts(request, settings, time_machine):
    """An empty count in the chosen cache, at second 20 of a minute that does not move."""
    time_machine.move_to(datetime.datetime(2026, 3, 1, 2, 0, 20, tzinfo=datetime.UTC), tick=False)
    settings.CACHES = {"default": {**BACKENDS[request.param], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    yield
    if request.param == "locmem":
        cache.clear()  # Redis's keys expire on their own; its database is not emptied here


def test_rate_limit_wait_counts_each_address_on_its_own(counts):
    # Given a limit of two a minute
    answers = [rate_limit_wait(scope="verify-check", address="10.3.3.1", per_minute=2) for _ in range(3)]

    # Then the third request waits until the minute is over; another address and another scope do not
    assert answers == [None, None, 40]
    assert rate_limit_wait(scope="verify-check", address="10.3.3.2", per_minute=2) is None
    assert rate_limit_wait(scope="verify-lookup", address="10.3.3.1", per_minute=2) is None


def test_rate_limit_wait_starts_afresh_each_minute(counts, time_machine):
    for _ in range(3):
        rate_limit_wait(scope="verify-check", address="10.3.3.3", per_minute=2)

    time_machine.move_to(datetime.datetime(2026, 3, 1, 2, 1, 0, tzinfo=datetime.UTC), tick=False)

    assert rate_limit_wait(scope="verify-check", address="10.3.3.3", per_minute=2) is None


def test_rate_limit_wait_lets_requests_through_when_the_cache_cannot_be_reached(settings, caplog):
    # Given a Redis cache nobody listens to
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1",
        }
    }

    # When requests are counted, then none is refused, and the failure is logged
    with caplog.at_level(logging.ERROR, logger="core.ratelimit"):
        answers = [rate_limit_wait(scope="verify-check", address="10.3.3.4", per_minute=1) for _ in range(3)]

    assert answers == [None, None, None]
    assert "the cache cannot be reached" in caplog.text
