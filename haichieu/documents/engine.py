"""Word templates (docxtpl): which template a document is made from, checking an upload, rendering.

- `template_for(kind, issuer_org)`: the variant the issuer's province uploaded, else the default
  that ships with the app (one query).
- `render(kind, issuer_org, contexts)`: one copy of the document per context, joined in one Word
  document with a page break between copies; the template is read, parsed and compiled once per
  batch.
- `inspect_template(kind, content)`: an upload is a .docx Word can open, its Jinja tags parse, it
  uses only the kind's placeholders and it fills with the kind's sample context — else
  `TemplateRefused` with a Vietnamese message naming the problem.

Templates are written by the provinces, so they run in Jinja's immutable sandbox with no globals,
a short list of filters and no string repetition past a bound: a template can read the context it
is given and nothing else. Values are escaped for XML (autoescape); None prints as nothing and a
date as dd/mm/yyyy.

Headers, footers, footnotes and the file's properties are filled once per batch, from the first
context: a copy's own data belongs in the body.

Joining copies. Every copy comes from the one template, so its styles, numbering definitions,
images and relationships are the master's own: the copy's body is appended to the master's, after a
page break, with what must stay unique made unique (numbered lists restart in each copy; drawing,
picture and bookmark ids renumbered; Word's paragraph ids dropped). docxcompose's Composer, made for
joining unrelated documents, maps styles per element and renumbers the whole document after each
one: 200 letters took 70 s rendered one by one and joined by it, 1.4 s this way
(docs/architecture.md, "Word templates").
"""

from __future__ import annotations

import copy
import datetime
import io
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docxtpl import DocxTemplate
from jinja2 import ChainableUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from haichieu.core import ooxml
from haichieu.core.services import ServiceError

from .models import DocumentTemplate
from .registry import DocumentKind, get_kind

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 20 * 1024 * 1024
WORD_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class TemplateRefused(ServiceError):
    """An uploaded template cannot be used; `message` says why (Vietnamese)."""


class TemplateRenderError(ServiceError):
    """A stored template could not be filled with a document's data."""


def max_bytes() -> int:
    return settings.HAICHIEU.get("TEMPLATE_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_unpacked_bytes() -> int:
    return settings.HAICHIEU.get("TEMPLATE_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)


# --- the sandbox ---------------------------------------------------------------------------------
# Filters a template may use: text, numbers and lists. Left out: those that build text of a size the
# template chooses (center, indent, wordwrap, format, filesizeformat, pprint…), `safe` (a value would
# be written into the XML unescaped), `attr` and those that only make sense on a web page.
SAFE_FILTERS = frozenset(
    {
        "abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float", "groupby", "int",
        "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr",
        "replace", "reverse", "round", "select", "selectattr", "sort", "string", "striptags", "sum",
        "title", "trim", "truncate", "unique", "upper", "wordcount",
    }
)  # fmt: skip
MAX_REPEAT = 10_000  # "-" * 60 draws a dotted line; nothing in a letter needs more


def _finalize(value):
    """What `{{ value }}` prints: nothing for None, a date as dd/mm/yyyy (a moment in local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox a province's template runs in; compiles each source once (one batch renders the
    same body for every copy)."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self):
        super().__init__(autoescape=True, finalize=_finalize, undefined=ChainableUndefined)
        self.globals.clear()
        self.filters = {name: f for name, f in self.filters.items() if name in SAFE_FILTERS}
        self._compiled: dict[str, object] = {}

    def from_string(self, source, globals=None, template_class=None):
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source, globals, template_class)
        return compiled

    def call_binop(self, context, operator, left, right):
        if operator == "%" and isinstance(left, str):
            raise SecurityError("định dạng chuỗi bằng % không được dùng trong mẫu")
        if (
            operator == "**"
            and _numbers(left, right)
            and abs(left) > 1
            and abs(right) * math.log10(abs(left)) > 64
        ):
            raise SecurityError("lũy thừa quá lớn")
        if operator == "*":
            sequence, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                if len(sequence) * times > MAX_REPEAT:
                    raise SecurityError(f"chuỗi lặp quá dài (tối đa {MAX_REPEAT} ký tự)")
        return super().call_binop(context, operator, left, right)


def _numbers(*values) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


# --- the parts of a template ---------------------------------------------------------------------
@dataclass
class _Source:
    where: str  # Vietnamese: "thân văn bản", "đầu trang"…
    text: str  # the XML docxtpl gives Jinja (tags joined), a paragraph a line


_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_TAG = re.compile(r"<[^>]+>")
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")  # what docxtpl renders


def _sources(tpl: DocxTemplate) -> list[_Source]:
    """Every text docxtpl renders, as Jinja will read it: body, headers, footers, footnotes, properties."""
    doc = tpl.docx
    found = [_Source("thân văn bản", tpl.patch_xml(tpl.get_xml()))]
    for uri, where in ((tpl.HEADER_URI, "đầu trang"), (tpl.FOOTER_URI, "chân trang")):
        for _, part in tpl.get_headers_footers(uri):
            found.append(_Source(where, tpl.patch_xml(tpl.get_part_xml(part))))
    for part in doc.part.package.parts:
        if part.content_type.endswith("wordprocessingml.footnotes+xml"):
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            found.append(_Source("chú thích", tpl.patch_xml(blob)))
    for name in _PROPERTIES:
        value = getattr(doc.core_properties, name) or ""
        if "{" in value:
            found.append(_Source("thuộc tính tệp", value))
    return [_Source(s.where, _PARAGRAPH_START.sub(r"\n<w:p\1", s.text)) for s in found]


def _near(source: _Source, lineno: int | None) -> str:
    """The text of the paragraph at `lineno` (tags removed), to show where an error is."""
    lines = source.text.splitlines()
    if not lineno or lineno > len(lines):
        return ""
    text = " ".join(_TAG.sub("", lines[lineno - 1]).split())
    return text if len(text) <= 80 else text[:77] + "…"


# --- the names a template uses -------------------------------------------------------------------
_LOCAL = object()  # a name the template binds itself ({% set %}, a macro's argument, `loop`)


def _path(node, scope: dict) -> str | object | None:
    """The context name an expression reads ('member.full_name', 'rows[].name'), _LOCAL for a name the
    template binds, None for anything else (a literal, a call's result)."""
    if isinstance(node, nodes.Name):
        return scope.get(node.name, node.name)
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        base = _path(node.node, scope)
        if not isinstance(base, str):
            return base
        if isinstance(node, nodes.Getattr):
            return f"{base}.{node.attr}"
        key = node.arg
        if isinstance(key, nodes.Const) and isinstance(key.value, str):
            return f"{base}.{key.value}"
        return f"{base}[]"
    return None


def _bind(target, value_path, scope: dict) -> None:
    """Bind a loop's, a `with`'s or a `set`'s target names in `scope`."""
    if isinstance(target, nodes.Name):
        scope[target.name] = value_path if isinstance(value_path, str) else _LOCAL
        return
    for name in target.find_all(nodes.Name):
        scope[name.name] = _LOCAL


def _visit(node, scope: dict, used: set[str]) -> None:
    if isinstance(node, nodes.For):
        _visit(node.iter, scope, used)
        inner = {**scope, "loop": _LOCAL}
        items = _path(node.iter, scope)
        _bind(node.target, f"{items}[]" if isinstance(items, str) else None, inner)
        for child in [*node.body, *([node.test] if node.test else [])]:
            _visit(child, inner, used)
        for child in node.else_:
            _visit(child, scope, used)
        return
    if isinstance(node, nodes.With):
        inner = dict(scope)
        for target, value in zip(node.targets, node.values, strict=False):
            _visit(value, scope, used)
            _bind(target, _path(value, scope), inner)
        for child in node.body:
            _visit(child, inner, used)
        return
    if isinstance(node, nodes.Macro | nodes.CallBlock):
        if isinstance(node, nodes.Macro):
            scope[node.name] = _LOCAL
        else:
            _visit(node.call, scope, used)
        inner = {**scope, **dict.fromkeys((a.name for a in node.args), _LOCAL), "caller": _LOCAL}
        for child in [*node.defaults, *node.body]:
            _visit(child, inner, used)
        return
    if isinstance(node, nodes.Assign):
        _visit(node.node, scope, used)
        _bind(node.target, None, scope)  # a copy the template made: what it holds is not checked again
        return
    if isinstance(node, nodes.AssignBlock):
        for child in node.body:
            _visit(child, scope, used)
        _bind(node.target, None, scope)
        return
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        path = _path(node, scope)
        if isinstance(path, str):
            used.add(path)
            if isinstance(node, nodes.Getitem):
                _visit(node.arg, scope, used)
            return
        if path is _LOCAL:
            if isinstance(node, nodes.Getitem):
                _visit(node.arg, scope, used)
            return
    for child in node.iter_child_nodes():
        _visit(child, scope, used)


def used_names(ast: nodes.Template) -> set[str]:
    """The context names a parsed template reads, as placeholders are written ('rows[].name')."""
    used: set[str] = set()
    _visit(ast, {}, used)
    return used


# --- checking an upload ---------------------------------------------------------------------------
@dataclass
class Inspection:
    """What an accepted template uses."""

    placeholders: list[str]


def size_text(size: int) -> str:
    """'1,5 MB', '37 KB' (a decimal comma)."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}".replace(".", ",").removesuffix(",0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


NOT_DOCX = (
    "Tệp không phải là văn bản Word .docx. Hãy mở tệp trong Word và lưu lại dạng "
    "“Word Document (*.docx)” (tệp .doc, .docm, .dotx, .pdf, .odt không nhận)."
)


def _check_package(content: bytes) -> None:
    if not content:
        raise TemplateRefused("Tệp rỗng.", field="file")
    if len(content) > max_bytes():
        raise TemplateRefused(
            f"Tệp quá lớn ({size_text(len(content))}): mẫu văn bản tối đa {size_text(max_bytes())}.",
            field="file",
        )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise TemplateRefused(NOT_DOCX, field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise TemplateRefused(
                    "Tệp có chứa macro: không nhận vì lý do an toàn. Hãy lưu lại dạng .docx.", field="file"
                )
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise TemplateRefused(NOT_DOCX, field="file")
            try:
                ooxml.scan_xml_parts(archive, max_unpacked_bytes())
            except ooxml.UnpackedTooLarge:
                raise TemplateRefused(
                    "Tệp giải nén ra quá lớn: không phải một mẫu văn bản thông thường.", field="file"
                ) from None
            except ooxml.DeclaresDtd:
                raise TemplateRefused(
                    "Tệp có cấu trúc XML không được phép (khai báo DOCTYPE/ENTITY): không nhận vì lý do an toàn.",
                    field="file",
                ) from None
            if WORD_MAIN_TYPE not in archive.read("[Content_Types].xml").decode("utf-8", "replace"):
                raise TemplateRefused(NOT_DOCX, field="file")
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression method.
        raise TemplateRefused("Tệp .docx bị hỏng: không đọc được nội dung nén.", field="file") from None


def _open(content: bytes) -> DocxTemplate:
    tpl = DocxTemplate(io.BytesIO(content))
    try:
        tpl.init_docx()
    except Exception as exc:  # python-docx refuses the package: missing or broken parts
        raise TemplateRefused(
            f"Tệp .docx bị hỏng: Word không mở được nội dung ({type(exc).__name__}).", field="file"
        ) from None
    return tpl


def inspect_template(kind: DocumentKind, content: bytes) -> Inspection:
    """Check an upload for `kind`, from the file to a trial render with the kind's sample context.

    Refused, with a message naming the problem: not a .docx (or broken), too big, a Jinja syntax error
    (Jinja's own words, where the text is), a placeholder the kind does not have, a template that
    cannot be filled with the sample context.
    """
    _check_package(content)
    tpl = _open(content)
    env = TemplateEnvironment()
    used: set[str] = set()
    for source in _sources(tpl):
        try:
            ast = env.parse(source.text)
            env.from_string(source.text)  # compiles: an unknown filter or test is found here
        except TemplateSyntaxError as exc:
            near = _near(source, exc.lineno)
            where = f" ở {source.where}" + (f", đoạn “{near}”" if near else "")
            raise TemplateRefused(f"Mẫu có lỗi cú pháp{where}: {exc.message}", field="file") from None
        forbidden = [n for n in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport))]
        if forbidden:
            raise TemplateRefused(
                "Mẫu không được dùng {% extends %}, {% include %} hay {% import %}: "
                "mỗi mẫu là một tệp trọn vẹn.",
                field="file",
            )
        used |= used_names(ast)
    unknown = sorted(used - kind.allowed)
    if unknown:
        names = ", ".join(f"“{name}”" for name in unknown)
        raise TemplateRefused(
            f"Mẫu dùng trường không có trong danh sách của “{kind.label}”: {names}. "
            "Hãy dùng đúng tên trường trong bảng các trường của loại văn bản này.",
            field="file",
        )
    try:
        sample = kind.sample_context()
        render_content(content, [sample, sample])
    except TemplateRenderError as exc:
        raise TemplateRefused(exc.message, field="file") from None
    return Inspection(placeholders=sorted(used))


# --- rendering ------------------------------------------------------------------------------------
_BREAK = (
    f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" '
    'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr></w:pPr>'
    '<w:r><w:rPr><w:sz w:val="2"/></w:rPr><w:br w:type="page"/></w:r></w:p>'
)  # a page break that takes no room on either page: a letter made to fit one page still does
_W14_IDS = (qn("w14:paraId"), qn("w14:textId"))
_WORD_IDS = etree.XPath(".//*[@w14:paraId or @w14:textId]", namespaces={"w14": nsmap["w14"]})
_SDT_IDS = etree.XPath(".//w:sdtPr/w:id", namespaces={"w": nsmap["w"]})


class _Joiner:
    """Appends copies of the master's template to the master's body (see the module's docstring)."""

    def __init__(self, doc: DocxDocument):
        self.doc = doc
        self.body = doc.element.body
        self.end = self.body.find(qn("w:sectPr"))
        self.copies = 1
        parts = [doc.element, *self._header_footer_elements()]
        self.next_drawing_id = 1 + max(
            (
                int(e.get("id", 0))
                for p in parts
                for e in p.iter(qn("wp:docPr"), qn("pic:cNvPr"))
                if _digits(e.get("id"))
            ),
            default=0,
        )
        self.next_bookmark_id = 1 + max(
            (
                int(e.get(qn("w:id")))
                for e in self.body.iter(qn("w:bookmarkStart"))
                if _digits(e.get(qn("w:id")))
            ),
            default=0,
        )
        self.style_numbering = _style_numbering(doc)
        self._numbering: Any = None
        self._next_num_id = 0

    def _header_footer_elements(self):
        for rel in self.doc.part.rels.values():
            if rel.reltype.endswith(("/header", "/footer")) and not rel.is_external:
                yield rel.target_part.element

    def append(self, body) -> None:
        self.copies += 1
        self._make_unique(body)
        self._insert(parse_xml(_BREAK))
        for element in [e for e in body if e.tag != qn("w:sectPr")]:
            self._insert(element)

    def _insert(self, element) -> None:
        if self.end is not None:
            self.end.addprevious(element)
        else:
            self.body.append(element)

    def _make_unique(self, body) -> None:
        """What must be unique in a document, made so in one copy's body (before it joins the master)."""
        for drawing in body.iter(qn("wp:docPr"), qn("pic:cNvPr")):
            drawing.set("id", str(self.next_drawing_id))
            self.next_drawing_id += 1
        bookmarks: dict[str, str] = {}
        for mark in body.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
            old = mark.get(qn("w:id"), "")
            if old not in bookmarks:
                bookmarks[old] = str(self.next_bookmark_id)
                self.next_bookmark_id += 1
            mark.set(qn("w:id"), bookmarks[old])
            if name := mark.get(qn("w:name")):
                mark.set(qn("w:name"), f"{name}_{self.copies}")
        for tagged in _WORD_IDS(body):  # Word's optional paragraph ids: dropped, Word makes new ones
            for attr in _W14_IDS:
                tagged.attrib.pop(attr, None)
        for sdt_id in _SDT_IDS(body):  # a content control's optional id
            sdt_id.getparent().remove(sdt_id)
        self._restart_numbering(body)

    # numbered lists start again in each copy
    def _restart_numbering(self, body) -> None:
        restarted: dict[str, str] = {}  # this copy's lists: numId in the template -> numId restarted
        for paragraph in body.iter(qn("w:p")):
            ppr = paragraph.find(qn("w:pPr"))
            if ppr is None:
                continue
            num_pr = ppr.find(qn("w:numPr"))
            if num_pr is not None:
                num_id = num_pr.find(qn("w:numId"))
                if num_id is not None:
                    num_id.set(qn("w:val"), self._restarted(num_id.get(qn("w:val"), "0"), restarted))
                continue
            style = ppr.find(qn("w:pStyle"))
            linked = self.style_numbering.get(style.get(qn("w:val"))) if style is not None else None
            if linked is None:
                continue
            num_id, level = linked
            num_pr = parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
                f'<w:numId w:val="{self._restarted(num_id, restarted)}"/></w:numPr>'
            )
            ppr.insert(1 if ppr[0:1] and ppr[0].tag == qn("w:pStyle") else 0, num_pr)

    def _restarted(self, num_id: str, restarted: dict[str, str]) -> str:
        if num_id == "0":  # "no numbering"
            return num_id
        if num_id in restarted:
            return restarted[num_id]
        numbering = self._numbering_element()
        num = next((n for n in numbering.iter(qn("w:num")) if n.get(qn("w:numId")) == num_id), None)
        abstract_id = num.find(qn("w:abstractNumId")) if num is not None else None
        if num is None or abstract_id is None:  # a list the numbering part does not define: left as is
            restarted[num_id] = num_id
            return num_id
        abstract = next(
            (
                a
                for a in numbering.iter(qn("w:abstractNum"))
                if a.get(qn("w:abstractNumId")) == abstract_id.get(qn("w:val"))
            ),
            None,
        )
        new = copy.deepcopy(num)
        new.set(qn("w:numId"), str(self._next_num_id))
        restarted[num_id] = str(self._next_num_id)
        self._next_num_id += 1
        overrides = {o.get(qn("w:ilvl")): o for o in new.findall(qn("w:lvlOverride"))}
        for level in abstract.findall(qn("w:lvl")) if abstract is not None else []:
            ilvl = level.get(qn("w:ilvl"), "0")
            start = level.find(qn("w:start"))
            value = start.get(qn("w:val"), "0") if start is not None else "0"
            override = overrides.get(ilvl)
            if override is None:
                override = parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="{ilvl}"/>')
                new.append(override)
            for old in override.findall(qn("w:startOverride")):
                override.remove(old)
            override.insert(0, parse_xml(f'<w:startOverride {nsdecls("w")} w:val="{value}"/>'))
        nums = numbering.findall(qn("w:num"))
        (nums[-1].addnext if nums else numbering.append)(new)
        return restarted[num_id]

    def _numbering_element(self):
        if self._numbering is None:
            self._numbering = self.doc.part.numbering_part.element
            ids = [
                int(n.get(qn("w:numId")))
                for n in self._numbering.iter(qn("w:num"))
                if _digits(n.get(qn("w:numId")))
            ]
            self._next_num_id = max(ids, default=0) + 1
        return self._numbering


def _digits(value) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit()


def _style_numbering(doc: DocxDocument) -> dict[str, tuple[str, str]]:
    """{paragraph style id: (numId, ilvl)} for the styles that number their paragraphs (a list style,
    or a style based on one)."""
    styles = {s.get(qn("w:styleId")): s for s in doc.styles.element.iter(qn("w:style"))}
    found: dict[str, tuple[str, str]] = {}
    for style_id in styles:
        seen, current = set(), style_id
        while current in styles and current not in seen:
            seen.add(current)
            num_pr = styles[current].find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                num_id, level = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
                if num_id is not None:
                    found[style_id] = (
                        num_id.get(qn("w:val"), "0"),
                        level.get(qn("w:val"), "0") if level is not None else "0",
                    )
                break
            based = styles[current].find(qn("w:basedOn"))
            current = based.get(qn("w:val")) if based is not None else None
    return found


def render_content(
    content: bytes, contexts: list[dict], *, progress: Callable[[int, int], None] | None = None
) -> DocxDocument:
    """The template `content` filled with each context, one copy after the other on a new page.

    The template is parsed and its Jinja compiled once; each copy after the first renders the body
    only (headers, footers, footnotes and properties come from the first context). `progress(done,
    total)` hears of each copy (a batch rendered by the worker moves its bar).
    """
    if not contexts:
        raise ValueError("render needs at least one context")
    env = TemplateEnvironment()
    tpl = DocxTemplate(io.BytesIO(content))
    try:
        tpl.init_docx()
        body_source = tpl.patch_xml(tpl.get_xml())
        tpl.render(contexts[0], env)
        doc = tpl.docx
        if progress is not None:
            progress(1, len(contexts))
        if len(contexts) > 1:
            joiner = _Joiner(doc)
            for done, context in enumerate(contexts[1:], start=2):
                joiner.append(tpl.fix_tables(tpl.render_xml_part(body_source, doc.part, context, env)))
                if progress is not None:
                    progress(done, len(contexts))
    except Exception as exc:
        detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        raise TemplateRenderError(f"Không điền được mẫu văn bản với dữ liệu: {detail}") from exc
    return doc


# --- which template ------------------------------------------------------------------------------
@dataclass
class TemplateInForce:
    """The template a document of `kind` is made from for one province."""

    kind: DocumentKind
    content: bytes
    variant: DocumentTemplate | None  # None: the default that ships with the app

    @property
    def is_default(self) -> bool:
        return self.variant is None


def _registered(kind: str) -> DocumentKind:
    found = get_kind(kind)
    if found is None:
        raise LookupError(f"No document kind {kind!r} is registered.")
    return found


def template_for(kind: str, issuer_org) -> TemplateInForce:
    """The template for a document of `kind` issued by `issuer_org`: the variant in force for the
    issuer's province (the top of its tree), else the default (one query)."""
    definition = _registered(kind)
    variant = (
        DocumentTemplate.objects.filter(
            kind=kind, organization__path=issuer_org.root_path, is_active=True
        ).first()
        if issuer_org is not None
        else None
    )
    if variant is None:
        return TemplateInForce(definition, definition.default_bytes(), None)
    return TemplateInForce(definition, bytes(variant.content), variant)


def render(
    kind: str, issuer_org, contexts: list[dict], *, progress: Callable[[int, int], None] | None = None
) -> DocxDocument:
    """One document of `kind` per context, issued by `issuer_org`, in one Word document: the
    province's variant when there is one, else the default. Raises TemplateRenderError (a
    ServiceError, with a Vietnamese message) when the template cannot be filled."""
    return render_content(template_for(kind, issuer_org).content, contexts, progress=progress)
