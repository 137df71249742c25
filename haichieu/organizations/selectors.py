"""Reads of the party tree, scoped by the access rule."""

from django.db.models import Count, Q
from django.db.models.functions import Substr

from haichieu.access import organizations_visible_to, scope_for
from haichieu.core.paths import subtree_q
from haichieu.core.text import by_vn_name, fold

from .models import Organization


def organization_roots_for(user) -> list[Organization]:
    """The top nodes a user sees: the organisations of their roles (tree roots for superusers)."""
    scope = scope_for(user)
    if scope.is_superuser:
        return by_vn_name(Organization.objects.get_root_nodes())
    return by_vn_name(Organization.objects.filter(path__in=scope.top_paths))


def organization_children(org: Organization) -> list[Organization]:
    """The children of a node, in the Vietnamese order of their names."""
    children = Organization.objects.filter(subtree_q("path", [org.path]), depth=org.depth + 1)
    return by_vn_name(children)


def member_counts_by_node(nodes: list[Organization], *, active_only: bool = True) -> dict[int, int]:
    """Members in each node's subtree, for sibling nodes, in one grouped query."""
    from haichieu.members.models import Member

    if not nodes:
        return {}
    by_depth: dict[int, list[Organization]] = {}
    for node in nodes:
        by_depth.setdefault(node.depth, []).append(node)
    counts: dict[int, int] = {}
    for depth, group in by_depth.items():
        length = depth * Organization.steplen
        qs = Member.objects.filter(subtree_q("workplace_cell__path", [n.path for n in group]))
        if active_only:
            qs = qs.filter(status__in=Member.ACTIVE_STATUSES)
        rows = (
            qs.annotate(prefix=Substr("workplace_cell__path", 1, length))
            .values("prefix")
            .annotate(n=Count("id"))
        )
        by_prefix = {row["prefix"]: row["n"] for row in rows}
        for node in group:
            counts[node.pk] = by_prefix.get(node.path, 0)
    return counts


def organization_search(user, query: str, *, limit: int = 50) -> list[Organization]:
    """Organisations in scope whose name (without diacritics) or code contains `query`."""
    folded = fold(query)
    if not folded:
        return []
    qs = organizations_visible_to(user).filter(
        Q(name_folded__contains=folded) | Q(code__icontains=query.strip())
    )
    return list(qs.order_by("depth", "name")[:limit])


def organization_breadcrumb(user, org: Organization) -> list[Organization]:
    """The ancestors of `org` the user may see, top first."""
    paths = org.ancestor_paths()
    if not paths:
        return []
    return list(organizations_visible_to(user).filter(path__in=paths).order_by("depth"))
