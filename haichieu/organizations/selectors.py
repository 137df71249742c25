"""Reads of the party tree, scoped by the access rule."""

from django.db.models import Q
from django.http import Http404

from haichieu.access import organization_get_for, organizations_visible_to, rating_org_get_for, scope_for
from haichieu.core.params import parse_id
from haichieu.core.paths import subtree_q
from haichieu.core.text import fold
from haichieu.liaisons.models import CoverageCount

from .models import Organization


def organization_roots_for(user) -> list[Organization]:
    """The top nodes a user sees: the organisations of their roles (tree roots for superusers)."""
    scope = scope_for(user)
    if scope.is_superuser:
        return list(Organization.objects.get_root_nodes().order_by(*Organization.NAME_ORDER))
    return list(Organization.objects.filter(path__in=scope.top_paths).order_by(*Organization.NAME_ORDER))


def organization_children_q(org: Organization) -> Q:
    """The children of `org` (one level down its subtree: org_children_cover_idx)."""
    return Q(subtree_q("path", [org.path]), depth=org.depth + 1)


def organization_children(org: Organization) -> list[Organization]:
    """The children of a node, in the Vietnamese order of their names."""
    return list(Organization.objects.filter(organization_children_q(org)).order_by(*Organization.NAME_ORDER))


def figures_org_for(user, pk: int | None, *, workplace: bool = False) -> Organization:
    """The organisation a figures page counts (its whole subtree): the one `pk` names when the user
    reads it, else the first of the user's top organisations (`organization_roots_for`). With
    `workplace` (the ratings), a workplace organisation only (access.rating_org_get_for): the
    residence side never sees a rating. Anything else: 404, on GET and POST alike."""
    if pk is not None:
        return rating_org_get_for(user, pk) if workplace else organization_get_for(user, pk=pk)
    tops = [org for org in organization_roots_for(user) if not (workplace and org.is_residential)]
    if not tops:
        raise Http404("Không tìm thấy tổ chức.")
    return tops[0]


def figures_org_from_query(user, raw: str) -> tuple[Organization, list[Organization], str]:
    """The organisation a figures page's `?org=` value `raw` names (404 outside the user's scope;
    none given: the user's first top organisation, as `figures_org_for`), the user's other top
    organisations (the page links them) and, when `raw` is malformed, a message saying so (the
    user's own organisation then stands in)."""
    pk = parse_id(raw) if raw else None
    error = "Mã tổ chức không hợp lệ: đang hiển thị tổ chức của bạn." if raw and pk is None else ""
    tops = organization_roots_for(user)
    if pk is not None:
        org = organization_get_for(user, pk=pk)
    elif tops:
        org = tops[0]
    else:
        raise Http404("Không tìm thấy tổ chức.")
    return org, [top for top in tops if top.pk != org.pk], error


def organization_children_and_parent(org: Organization) -> tuple[list[Organization], Organization | None]:
    """`organization_children(org)` and `org`'s parent (None for a root) in one query: a page that
    links one level down and one level up (the statistics' drill-down)."""
    parent_path = org.path[: -Organization.steplen] if org.depth > 1 else None
    nodes = organization_children_q(org)
    if parent_path:
        nodes |= Q(path=parent_path)
    rows = list(Organization.objects.filter(nodes).order_by(*Organization.NAME_ORDER))
    parent = next((node for node in rows if node.path == parent_path), None)
    return [node for node in rows if node.path != parent_path], parent


def organizations_in_order(ids: list[int]) -> list[Organization]:
    """The organisations of `ids`, in that order (a page of ranked ids)."""
    found = Organization.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def member_counts_by_node(nodes: list[Organization]) -> dict[int, int]:
    """Active members in each node's subtree, in one query whatever the number of nodes.

    Read from the counts the database keeps per organisation (liaisons.CoverageCount, kept by
    triggers on every member write), not counted over the members: a province's count is a few
    rows, not 100,000 members.
    """
    if not nodes:
        return {}
    counts = CoverageCount.objects.members_by_org(node.pk for node in nodes)
    return {node.pk: counts.get(node.pk, 0) for node in nodes}


def organization_search(user, query: str, *, limit: int = 50) -> list[Organization]:
    """Organisations in scope whose name (without diacritics) or code contains `query`."""
    folded = fold(query)
    if not folded:
        return []
    qs = organizations_visible_to(user).filter(
        Q(name_folded__contains=folded) | Q(code__icontains=query.strip())
    )
    return list(qs.order_by("depth", "name")[:limit])


def organization_from_filter(user, text: str) -> tuple[Organization | None, str]:
    """The organisation a list filter names (the chooser's code, or a name typed without choosing
    that only one organisation in scope matches), or an error message; (None, "") for no filter."""
    text = (text or "").strip()
    if not text:
        return None, ""
    org = organizations_visible_to(user).filter(code=text.upper()).first()
    if org is None:
        found = organization_search(user, text, limit=2)
        org = found[0] if len(found) == 1 else None
    if org is None:
        return None, (
            f"Không tìm thấy tổ chức có mã “{text.upper()}” trong phạm vi của bạn "
            "(gõ tên hoặc mã rồi chọn trong danh sách gợi ý)."
        )
    return org, ""


def organization_breadcrumb(user, org: Organization) -> list[Organization]:
    """The ancestors of `org` the user may see, top first."""
    paths = org.ancestor_paths()
    if not paths:
        return []
    return list(organizations_visible_to(user).filter(path__in=paths).order_by("depth"))
