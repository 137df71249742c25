"""A Content-Security-Policy with no inline script or style on every page (issue 9, finding 10)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import haichieu

pytestmark = pytest.mark.django_db
ROOT = Path(haichieu.__file__).parent


@pytest.mark.parametrize("name", ["login", "home", "members:list", "organizations:tree", "liaisons:coverage"])
def test_every_page_carries_the_policy(world, client, name):
    client.force_login(world.province_staff)
    response = client.get(reverse(name))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy


def test_templates_hold_no_inline_script_style_or_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    found = []
    for path in sorted(ROOT.rglob("*.html")):
        if "tests" in path.relative_to(ROOT).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if inline.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "inline script or style (the CSP blocks it):\n" + "\n".join(found)
