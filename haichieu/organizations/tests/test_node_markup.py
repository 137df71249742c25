"""The organisation nodes render exactly the markup captured before they moved to Jinja2 templates.

`markup/*.html` holds the node lists of the tree page, the children fragment (htmx) and the
detail page as the Django templates (`_node.html` included per node) rendered them, captured with
`CAPTURE_NODE_MARKUP=1`, for a world that reaches every branch of a node: with and without
children, inactive, residential, a name and a code that need escaping. Primary keys differ between
databases and runs, so each is named by its order of appearance (`to-chuc#1`), and Jinja2's escapes
of `"` and `'` (`&#34;`, `&#39;`) are written as Django's (`&quot;`, `&#x27;`).
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from haichieu.organizations.models import Organization
from haichieu.testing import make_member, make_org

pytestmark = pytest.mark.django_db

MARKUP = Path(__file__).parent / "markup"
ODD = "Chi bộ \"Lạ\" <b>&</b> 'Kỳ'"


def _scene(world):
    odd = make_org(world.province, "X&1 2/\"3'", ODD)
    make_member(odd, "Đỗ Văn Lạ")
    closed = make_org(world.w1, "W1C3", "Chi bộ Đã giải thể")
    Organization.objects.filter(pk=closed.pk).update(is_active=False)
    make_org(None, "ROOT2", 'Đảng bộ <Khối> & "Doanh nghiệp"', Organization.Kind.PROVINCIAL)
    return odd


def _pages(world, client_for):
    """(name, HTML of the node lists) of every page and fragment that lists organisation nodes."""
    odd = _scene(world)
    pages = []

    def get(name, user, url):
        pages.append((name, client_for(user).get(url).content.decode()))

    get("tree_roots", world.admin, reverse("organizations:tree"))
    for name, org in (("province", world.province), ("committee", world.w1), ("leaf", odd)):
        get(f"children_{name}", world.province_staff, reverse("organizations:children", args=[org.pk]))
        get(f"detail_{name}", world.province_staff, reverse("organizations:detail", args=[org.pk]))
    return pages


_TREE = re.compile(r'<div class="tree card card-body"[^>]*>(.*?)</div>', re.S)
_PK = re.compile(r'(?P<path>href="/to-chuc/|data-children-url="/to-chuc/)(?P<pk>\d+)(?=/)')


def _normalised(html: str) -> str:
    """The page's node list (a fragment: all of it), each primary key named by its order."""
    names: dict[str, str] = {}

    def name(match):
        names.setdefault(match.group("pk"), f"to-chuc#{len(names) + 1}")
        return match.group("path") + names[match.group("pk")]

    found = _TREE.search(html)
    text = found.group(1) if found else html
    return _PK.sub(name, text.replace("&#34;", "&quot;").replace("&#39;", "&#x27;"))


def test_node_lists_render_the_captured_markup(world, client_for):
    pages = _pages(world, client_for)
    if os.environ.get("CAPTURE_NODE_MARKUP"):
        MARKUP.mkdir(exist_ok=True)
        for name, html in pages:
            (MARKUP / f"{name}.html").write_text(_normalised(html) + "\n", encoding="utf-8")
    for name, html in pages:
        assert _normalised(html) + "\n" == (MARKUP / f"{name}.html").read_text(encoding="utf-8"), name


def test_a_single_root_is_shown_with_its_children_as_the_fragment_renders_them(world, client_for):
    """A user with one root sees it expanded: its `<ul>` holds the very nodes the children fragment
    (what the tree's JS loads on a click) renders, and only its toggle differs from the collapsed node."""
    _scene(world)
    client = client_for(world.province_staff)
    tree = _TREE.search(client.get(reverse("organizations:tree")).content.decode()).group(1)
    fragment = client.get(reverse("organizations:children", args=[world.province.pk])).content.decode()
    root, children = re.fullmatch(
        r"\s*<ul>(<li data-row>.*?<ul>)(.*)</ul>\n</li>\n</ul>\s*", tree, re.S
    ).groups()
    assert children == fragment.removesuffix("\n") and children.count("<li data-row>") == 5
    assert 'aria-expanded="true"' in root and ">▾</button>" in root
    collapsed = root.replace('aria-expanded="true"', 'aria-expanded="false"').replace(">▾<", ">▸<")
    roots = _TREE.search(client_for(world.admin).get(reverse("organizations:tree")).content.decode()).group(1)
    assert collapsed + "</ul>\n</li>" in roots  # the province among the administrator's two roots
