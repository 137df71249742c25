"""Subtree filters on materialized paths that use the index on every database.

`path__startswith` becomes a case-insensitive LIKE on SQLite that cannot use the index on the path
(DESIGN.md "How performance is measured"), so a subtree is the range [path, successor(path)).
"""

from django.db.models import Q
from django.db.models.functions import Substr

# django-treebeard's default alphabet for MP_Node paths.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_successor(path: str) -> str | None:
    """The smallest string greater than every string that starts with `path` (None if none)."""
    chars = list(path)
    while chars:
        last = chars.pop()
        index = ALPHABET.find(last)
        if 0 <= index < len(ALPHABET) - 1:
            return "".join(chars) + ALPHABET[index + 1]
    return None


def in_subtree(path: str, top: str) -> bool:
    """The node at `path` lies in the subtree whose top is at `top` (the top included)."""
    return path.startswith(top)


def group_by_top(items, tops, *, path=lambda item: item.path) -> dict[str, list]:
    """{top: the `items` (in their order) whose path lies in the subtree of `top`}, for many tops in
    one pass over the items (a dictionary lookup per length of top), not one pass per top."""
    groups: dict[str, list] = {top: [] for top in tops}
    lengths = sorted({len(top) for top in groups})
    for item in items:
        item_path = path(item)
        for length in lengths:
            if length > len(item_path):
                break
            group = groups.get(item_path[:length])
            if group is not None:
                group.append(item)
    return groups


def minimal_paths(paths) -> list[str]:
    """Drop paths that lie inside another path of the list (their subtree is covered already)."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def subtree_q(field: str, paths) -> Q:
    """Q matching rows whose `field` (a path) lies in the subtree of any of `paths`.

    An empty list matches nothing.
    """
    q = Q(pk__in=[])
    for path in minimal_paths(paths):
        part = Q(**{f"{field}__gte": path})
        upper = path_successor(path)
        if upper is not None:
            part &= Q(**{f"{field}__lt": upper})
        q |= part
    return q


def top_under(field: str, length: int) -> Substr:
    """The path of the node `length` characters deep above (or at) the row's `field` (a path): for
    `length` = a node's path length plus one step, the child of that node whose subtree holds the
    row. Grouping by it counts a whole drill-down level in one GROUP BY."""
    return Substr(field, 1, length)
