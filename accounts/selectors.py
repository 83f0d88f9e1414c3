"""Reads of the organisation."""

from accounts.models import OrgUnit


def org_unit_list_active():
    return OrgUnit.objects.filter(is_active=True)


def org_unit_subtree_ids(*, unit_id: int) -> set[int]:
    """The unit and every unit below it (one query; the tree is small: thousands of units at most)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in OrgUnit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found
