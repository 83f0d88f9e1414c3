"""Figures computed over many rows, kept in Django's cache under the version of the data they count.

A page that shows totals over the whole organisation (the ledger's counts, the dashboard's tables)
reads them again only when the data changed: the key names the data's version (for supervision, the
position of its audit chain, which every change moves), the day (the traffic lights change at midnight)
and what was asked. A stale figure is therefore never served; an old key simply expires.

Only figures that are the same for every reader are shared: the caller names the scope (e.g. "all"
for readers of the whole ledger), so a permission-filtered set is never served to someone else.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")


def version_cached(*, name: str, version: object, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or its result kept under (name, version, parts) for FIGURES_CACHE_SECONDS."""
    digest = hashlib.sha256(repr((version, parts)).encode()).hexdigest()[:32]
    key = f"figures:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.FIGURES_CACHE_SECONDS)
    return value
