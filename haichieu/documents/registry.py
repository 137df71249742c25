"""The kinds of Word document a province may adapt, each registered once by the app that issues it.

An app registers its kinds in its `AppConfig.ready()`:

    from haichieu.documents.registry import register

    register(
        "introduction_letter",
        "Giấy giới thiệu đảng viên về nơi cư trú",
        default_template=letters_template,        # () -> .docx bytes, the template that ships
        placeholders={"member.full_name": "Họ và tên đảng viên", ...},
        sample_context=letter_sample,             # () -> one context dict of made-up data
    )

A placeholder is a name the templates of the kind may use: a plain name (`number`), a nested one
(`member.full_name`), or a field of each item of a list, written `rows[].full_name` (a template
walks the list: `{%tr for row in rows %} … {{ row.full_name }}`). An upload that uses any other
name is refused (engine.inspect_template). Contexts hold plain data — text, numbers, dates, lists
and dicts of them — never model instances: templates are written by the provinces and rendered in
a sandbox.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

KIND_RE = re.compile(r"[a-z][a-z0-9_]{0,49}")
_SEGMENT = r"[A-Za-z_][A-Za-z0-9_]*(?:\[\])?"
PLACEHOLDER_RE = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*")


def prefixes(name: str) -> list[str]:
    """The names a placeholder implies: 'rows[].full_name' -> ['rows', 'rows[]'] (a template may
    test or walk them), 'member.full_name' -> ['member']."""
    found = []
    parts = name.split(".")
    for index, part in enumerate(parts):
        head = ".".join(parts[:index])
        stem = f"{head}.{part}" if head else part
        if part.endswith("[]"):
            found.append(stem[:-2])
            if index < len(parts) - 1:
                found.append(stem)
        elif index < len(parts) - 1:
            found.append(stem)
    return found


@dataclass(frozen=True, eq=True)
class DocumentKind:
    """One kind of document: its template that ships with the app, the names its templates may use
    (with their meaning, shown to the office that adapts it) and made-up data to preview it with."""

    kind: str
    label: str
    default_template: Callable[[], bytes] = field(repr=False)
    placeholders: Mapping[str, str] = field(repr=False)
    sample_context: Callable[[], dict] = field(repr=False)

    @functools.cached_property
    def allowed(self) -> frozenset[str]:
        """Every name a template of this kind may use: the placeholders and what they imply."""
        names = set(self.placeholders)
        for name in self.placeholders:
            names.update(prefixes(name))
        return frozenset(names)

    def default_bytes(self) -> bytes:
        """The default template (built once per process: it ships with the code)."""
        content = _DEFAULTS.get(self.kind)
        if content is None:
            content = _DEFAULTS[self.kind] = self.default_template()
        return content


_KINDS: dict[str, DocumentKind] = {}
_DEFAULTS: dict[str, bytes] = {}


def register(
    kind: str,
    label: str,
    default_template: Callable[[], bytes],
    placeholders: Mapping[str, str] | Iterable[str],
    sample_context: Callable[[], dict],
) -> DocumentKind:
    """Register a kind (from an AppConfig.ready). `placeholders` maps each allowed name to its
    meaning in Vietnamese (or lists the names). Registering the same kind again with the same
    definition is allowed (a test may import an app twice); with another definition it is an error."""
    if not KIND_RE.fullmatch(kind):
        raise ImproperlyConfigured(f"Document kind {kind!r}: lower-case letters, digits and '_' only.")
    meanings = dict(placeholders) if isinstance(placeholders, Mapping) else dict.fromkeys(placeholders, "")
    bad = sorted(name for name in meanings if not PLACEHOLDER_RE.fullmatch(name))
    if bad:
        raise ImproperlyConfigured(f"Document kind {kind!r}: malformed placeholder names {bad}.")
    definition = DocumentKind(kind, label, default_template, meanings, sample_context)
    existing = _KINDS.get(kind)
    if existing is not None:
        if existing == definition:
            return existing
        raise ImproperlyConfigured(f"Document kind {kind!r} is registered twice.")
    _KINDS[kind] = definition
    return definition


def get_kind(kind: str) -> DocumentKind | None:
    """The registered kind, or None."""
    return _KINDS.get(kind)


def all_kinds() -> list[DocumentKind]:
    """Every registered kind, in the order of registration."""
    return list(_KINDS.values())
