"""Keyset pagination for the long letter lists: newest first, read from the primary-key index.

A page is the `per_page` rows after (`?after=<pk>`) or before (`?before=<pk>`) a row of the page next to
it, so any page costs one indexed query whatever its depth and the size of the list: no OFFSET, no
COUNT. The links keep the page's other parameters (its filters)."""

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows, newest (highest primary key) first, and the query strings of its neighbours."""

    rows: list
    has_previous: bool
    has_next: bool
    base_query: str  # the request's other parameters, "" or "a=1&"

    @property
    def previous_query(self) -> str:
        return f"{self.base_query}before={self.rows[0].pk}" if self.rows else self.base_query

    @property
    def next_query(self) -> str:
        return f"{self.base_query}after={self.rows[-1].pk}" if self.rows else self.base_query

    @property
    def first_query(self) -> str:
        return self.base_query.rstrip("&")


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def keyset_page(queryset: QuerySet, *, query, per_page: int) -> KeysetPage:
    """The page of `queryset` (ordered here by descending primary key) that `query` (request.GET) asks
    for; a missing or malformed cursor gives the first page."""
    after, before = _cursor(query.get("after")), _cursor(query.get("before"))
    others = query.copy()
    for name in ("after", "before", "page"):
        others.pop(name, None)
    base_query = others.urlencode() + "&" if others else ""
    if before is not None:
        rows = list(queryset.filter(pk__gt=before).order_by("pk")[: per_page + 1])
        if len(rows) >= per_page:  # otherwise fewer rows are newer: show the first page, full
            has_previous = len(rows) > per_page
            rows = rows[:per_page][::-1]
            return KeysetPage(rows=rows, has_previous=has_previous, has_next=True, base_query=base_query)
    if after is not None:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset.order_by("-pk")[: per_page + 1])
    return KeysetPage(
        rows=rows[:per_page],
        has_previous=after is not None,
        has_next=len(rows) > per_page,
        base_query=base_query,
    )
