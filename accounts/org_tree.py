"""The organisation tree, read once: which units lie below a unit, and which above.

`org_tree()` reads the whole `OrgUnit` table in one query (ids and parents only: thousands of units at
province scale, a few hundred kilobytes). Inside a request the tree is read once and reused by every
rule that needs it (`OrgTreeMiddleware`); anywhere else (tasks, commands, tests that call services)
each call reads it afresh, so nothing stale outlives the request that read it. The one place the tree
is walked: permissions, selectors and services ask it, never walk `parent` themselves.
"""

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from accounts.models import OrgUnit

_request_tree: ContextVar[dict | None] = ContextVar("org_tree_of_request", default=None)


@dataclass(frozen=True)
class OrgTree:
    """Every unit's parent, and every unit's children."""

    parents: dict[int, int | None]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[tuple[int, int | None]]) -> "OrgTree":
        parents: dict[int, int | None] = {}
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in rows:
            parents[pk] = parent_id
            children.setdefault(parent_id, []).append(pk)
        return cls(parents=parents, children=children)

    def subtree(self, *unit_ids: int) -> set[int]:
        """The units given and every unit below them."""
        found: set[int] = set()
        stack = list(unit_ids)
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.children.get(current, ()))
        return found

    def ancestors(self, *unit_ids: int) -> set[int]:
        """The units given and every unit above them."""
        found: set[int] = set()
        for unit_id in unit_ids:
            while unit_id is not None and unit_id not in found:
                found.add(unit_id)
                unit_id = self.parents.get(unit_id)
        return found

    def subtrees(self) -> dict[int, set[int]]:
        """Every unit's subtree, by unit (shared work: each unit is walked once)."""
        memo: dict[int, set[int]] = {}
        for root in self.children.get(None, ()):
            self._subtrees_below(root, memo)
        for unit_id in self.parents:  # units in a cycle or under a missing parent, if any
            if unit_id not in memo:
                memo[unit_id] = self.subtree(unit_id)
        return memo

    def _subtrees_below(self, root: int, memo: dict[int, set[int]]) -> None:
        # Iterative post-order: a deep tree must not exhaust the recursion limit.
        stack: list[tuple[int, bool]] = [(root, False)]
        while stack:
            unit_id, children_done = stack.pop()
            if unit_id in memo:
                continue
            if children_done:
                found = {unit_id}
                for child in self.children.get(unit_id, ()):
                    found |= memo.get(child, set())
                memo[unit_id] = found
            else:
                stack.append((unit_id, True))
                stack.extend((child, False) for child in self.children.get(unit_id, ()) if child not in memo)


def org_tree() -> OrgTree:
    """The unit tree: one query, reused for the rest of the request when called inside one."""
    cache = _request_tree.get()
    if cache is not None and "tree" in cache:
        return cache["tree"]
    tree = OrgTree.of(OrgUnit.objects.values_list("pk", "parent_id"))
    if cache is not None:
        cache["tree"] = tree
    return tree


class OrgTreeMiddleware:
    """Each request reads the unit tree at most once, however many rules ask for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_tree.set({})
        try:
            return self.get_response(request)
        finally:
            _request_tree.reset(token)
