"""Row locks: one way to lock the stored row a change starts from, and the order locks are taken in.

`row_lock(Model, pk=...)` (or a queryset, for select_related reads) is SELECT … FOR UPDATE OF the
model's own table only (`of=("self",)`): the rows it joins for reading are not locked with it, so a
lock on a finding never waits on its plan, and PostgreSQL never refuses the lock for a nullable join.
SQLite has no row locks: its write transactions (IMMEDIATE, see config.settings) serialise instead.

The order. A change that locks more than one row takes them in this order, so that two changes never
wait on each other in a circle (a deadlock PostgreSQL would break by failing one of them):

1. letters: the letter a change starts from (a parent issuing to its staff, the letter revised) →
   the campaign (numbering the new letters); a letter → its document; a template, a campaign's
   reminder rules and an archive export each on their own.
2. supervision: the plan (state, numbering of findings) → the inspection → its check result →
   the finding → its rectification.
3. 一岗双责: the post (handover) → the assignment → the task period → the performance record.
4. reminders: a reminder row on its own (the sender claims with SKIP LOCKED).
5. the audit chain's head, always last: events are appended at the end of the change
   (core.audit.chain_append).
"""

from django.db import models


def row_lock(source: type[models.Model] | models.QuerySet, /, **lookup) -> models.Model:
    """The stored row (`lookup`, e.g. pk=…), locked until the transaction ends; DoesNotExist if none."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    return queryset.select_for_update(of=("self",)).get(**lookup)
