"""Requests per client address and minute, counted in Django's cache: a flood guard for public pages.

A view declares its limit with `@rate_limited(scope, per_minute="SETTING_NAME", methods=…)`.
RateLimitMiddleware (in MIDDLEWARE just before CsrfViewMiddleware) counts the request and, beyond the
limit, answers 429 with the time to wait: before the view runs, and before the CSRF check reads the body
of a POST, so a refused upload is never read.

Written here because no kept library does it: django-axes counts failed sign-ins only, and no
rate-limit library is among the requirements or in the reference notes. A fixed one-minute window per
address in the cache takes a few lines.

The counts live in the default cache: per process unless DJANGO_CACHE_URL points every web process at
one Redis (as docker compose does). The address is core.http.client_ip's: behind a reverse proxy that
does not pass the client's own, every visitor shares the proxy's (README, "The public verification
page"). When the cache cannot be reached the request is let through and the failure logged: a flood
guard that fails must not take the page down with it.
"""

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from core.http import client_ip

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateLimit:
    scope: str  # views sharing a scope share the count
    per_minute_setting: str  # the name of the setting that holds the limit
    methods: frozenset[str]  # the methods counted; others pass uncounted


def rate_limited(scope: str, *, per_minute: str, methods=("GET", "POST")):
    """Declare that a view allows each client address at most settings.<per_minute> requests a minute."""

    def declare(view):
        view.rate_limit = RateLimit(scope=scope, per_minute_setting=per_minute, methods=frozenset(methods))
        return view

    return declare


def rate_limit_wait(*, scope: str, address: str | None, per_minute: int) -> int | None:
    """Count one request from `address`: None while within `per_minute`, else the seconds to wait."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"ratelimit:{scope}:{address or 'unknown'}:{window}"
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS + 1)
            count = 1
    except Exception:  # the cache backend's own errors (Redis unreachable, …): let the request through
        logger.exception("Rate limit %s not counted: the cache cannot be reached", scope)
        return None
    if count <= per_minute:
        return None
    wait = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    if count == per_minute + 1:  # once per address and window, not once per refused request of a flood
        logger.warning("Too many requests to %s from %s: refused for %d s", scope, address, wait)
    return wait


class RateLimitMiddleware:
    """Enforce the limits views declare with @rate_limited (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = getattr(view_func, "rate_limit", None)
        if limit is None or request.method not in limit.methods:
            return None
        wait = rate_limit_wait(
            scope=limit.scope,
            address=client_ip(request),
            per_minute=getattr(settings, limit.per_minute_setting),
        )
        if wait is None:
            return None
        response = render(request, "429.html", {"seconds": wait}, status=429)
        response["Retry-After"] = str(wait)
        add_never_cache_headers(response)
        return response
