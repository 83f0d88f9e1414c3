"""Counting related rows inside the query that reads the rows they belong to."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(queryset: QuerySet, *, field: str):
    """A correlated COUNT(*) of `queryset` rows whose `field` is the outer row (0 when none).

    Unlike annotate(Count(relation)), it adds no join and no GROUP BY to the outer query, which can then
    still be cut, ordered and combined (the to-do page's UNION) like any other.
    """
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
