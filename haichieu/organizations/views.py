from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from markupsafe import Markup

from haichieu.access import organization_get_for, organizations_visible_to, scope_for
from haichieu.core.forms import add_service_error
from haichieu.core.jinja import render_jinja2
from haichieu.core.services import ServiceError

from . import selectors, services
from .forms import OrganizationForm, OrganizationMoveForm
from .models import Commune, Organization


def _tree_nodes(nodes, counts=None):
    """A node's dict for `_nodes.html`: `children`, the nodes shown expanded under it, or None."""
    counts = selectors.member_counts_by_node(nodes) if counts is None else counts
    return [{"org": n, "count": counts.get(n.pk, 0), "children": None} for n in nodes]


def _nodes_html(nodes) -> Markup:
    """The nodes' list items: a province lists over a hundred (docs/architecture.md "How the lists render")."""
    return render_jinja2("organizations/_nodes.html", {"nodes": nodes})


@login_required
def tree(request):
    query = request.GET.get("q", "").strip()
    results = selectors.organization_search(request.user, query) if query else None
    top = selectors.organization_roots_for(request.user)
    # A single root (a province, a committee) is shown with its children: what the user came for.
    children = selectors.organization_children(top[0]) if len(top) == 1 and top[0].numchild else []
    counts = selectors.member_counts_by_node([*top, *children])  # one query for the roots and children
    roots = _tree_nodes(top, counts)
    if children:
        roots[0]["children"] = _tree_nodes(children, counts)
    return render(
        request,
        "organizations/tree.html",
        {
            "roots": roots,
            "roots_html": _nodes_html(roots),
            "query": query,
            "results": results,
            "can_add_root": scope_for(request.user).is_superuser,
        },
    )


@login_required
def children(request, pk):
    org = organization_get_for(request.user, pk=pk)
    nodes = _tree_nodes(selectors.organization_children(org))
    return render(request, "organizations/_children.html", {"nodes": nodes, "nodes_html": _nodes_html(nodes)})


@login_required
def detail(request, pk):
    org = organization_get_for(request.user, pk=pk)
    scope = scope_for(request.user)
    parent = org.parent_node()
    children = selectors.organization_children(org)
    counts = selectors.member_counts_by_node([org, *children])  # one query for the node and its children
    nodes = _tree_nodes(children, counts)
    total = counts[org.pk]
    return render(
        request,
        "organizations/detail.html",
        {
            "org": org,
            "breadcrumb": selectors.organization_breadcrumb(request.user, org),
            "nodes": nodes,
            "nodes_html": _nodes_html(nodes),
            "member_total": total,
            "can_manage_children": scope.may_manage(org),
            "can_manage_self": scope.may_manage_under(parent),
        },
    )


def _form_initial(org: Organization) -> dict:
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "is_residential": org.is_residential,
        "province": org.province,
        "commune": org.commune,
        "place_name": org.place_name,
    }


@login_required
def create(request, parent_pk=None):
    parent = organization_get_for(request.user, pk=parent_pk, kind="manage") if parent_pk else None
    if not scope_for(request.user).may_manage_under(parent):
        raise Http404
    initial = {}
    if parent is not None:
        initial = {
            "kind": Organization.Kind.CELL,
            "is_residential": parent.is_residential,
            "province": parent.province,
        }
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Đã tạo tổ chức “{org.name}”.")
            return redirect("organizations:detail", pk=org.pk)
    return render(request, "organizations/form.html", {"form": form, "parent": parent, "org": None})


def _org_for_self_management(user, pk) -> Organization:
    """A node whose parent the user manages (renaming, moving, deactivating a node)."""
    org = organization_get_for(user, pk=pk)
    parent = org.parent_node()
    if not scope_for(user).may_manage_under(parent):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            "Chỉ cán bộ của tổ chức cấp trên được sửa, chuyển hoặc ngừng hoạt động tổ chức này."
        )
    return org


@login_required
def update(request, pk):
    org = _org_for_self_management(request.user, pk)
    form = OrganizationForm(request.POST or None, initial=_form_initial(org))
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, org=org, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Đã lưu thay đổi.")
            return redirect("organizations:detail", pk=org.pk)
    return render(request, "organizations/form.html", {"form": form, "org": org, "parent": org.parent_node()})


@login_required
def move(request, pk):
    org = _org_for_self_management(request.user, pk)
    form = OrganizationMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["new_parent"].strip().upper()
        new_parent = organizations_visible_to(request.user).filter(code=code).first()
        if new_parent is None:
            form.add_error("new_parent", f"Không tìm thấy tổ chức có mã “{code}” trong phạm vi của bạn.")
        else:
            try:
                services.organization_move(actor=request.user, org=org, new_parent=new_parent)
            except ServiceError as exc:
                add_service_error(form, exc, field="new_parent")
            else:
                messages.success(request, f"Đã chuyển “{org.name}” về “{new_parent.name}”.")
                return redirect("organizations:detail", pk=org.pk)
    return render(request, "organizations/move.html", {"form": form, "org": org})


@login_required
@require_POST
def set_active(request, pk):
    org = _org_for_self_management(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.organization_set_active(actor=request.user, org=org, active=active)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Đã cho tổ chức hoạt động lại." if active else "Đã ngừng hoạt động tổ chức."
        )
    return redirect("organizations:detail", pk=org.pk)


@login_required
def commune_options(request):
    """<option>s of the communes of one province (administrative units are public data)."""
    # The select that triggers it is named province, residence_province, new_province…
    code = next((v.strip() for k, v in request.GET.items() if k.endswith("province") and v.strip()), "")
    communes = Commune.objects.filter(province_id=code).values_list("code", "name") if code else []
    return render(request, "_options.html", {"blank": "— Chọn xã/phường/đặc khu —", "options": communes})


ORG_OPTIONS_LIMIT = 20


@login_required
def organization_options(request):
    """<option>s of a filter's organisation chooser (a <datalist> filled as the user types): the
    organisations in the user's scope whose name (without diacritics) or code contains the text;
    the option's value is the code the filters take."""
    query = (request.GET.get("org") or request.GET.get("q") or "")[:100]
    found = selectors.organization_search(request.user, query, limit=ORG_OPTIONS_LIMIT)
    return render(request, "organizations/_search_options.html", {"organizations": found})
