"""The kind registry and the engine without the database: names a template uses, rendering one and
several copies, the sandbox."""

import datetime
import io
import time

import docx
import pytest
from django.core.exceptions import ImproperlyConfigured
from docx.oxml.ns import qn

from haichieu.documents import engine, registry
from haichieu.documents.engine import TemplateEnvironment, render_content, used_names

from . import kinds
from .docx_files import page_breaks, text_of, with_paragraph


# --- registry ----------------------------------------------------------------------------------------
def test_a_kind_is_registered_once_with_its_placeholders_and_what_they_imply():
    kind = registry.get_kind(kinds.KIND)
    assert kind is kinds.KIND_DEFINITION and kind in registry.all_kinds()
    assert kind.placeholders["member.full_name"] == "Họ và tên đảng viên"
    # a nested name allows its parents; a list's item field allows the list and its items
    assert {"member", "member.full_name", "duties", "duties[]", "duties[].text"} <= kind.allowed
    assert "member.national_id" not in kind.allowed
    assert registry.prefixes("rows[].cell.name") == ["rows", "rows[]", "rows[].cell"]


def test_registering_again_the_same_kind_is_harmless_another_definition_is_an_error(monkeypatch):
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    again = registry.register(
        kinds.KIND, kinds.LABEL, kinds.letter_template, kinds.PLACEHOLDERS, kinds.sample_context
    )
    assert again is kinds.KIND_DEFINITION
    with pytest.raises(ImproperlyConfigured):
        registry.register(kinds.KIND, "Khác", kinds.letter_template, kinds.PLACEHOLDERS, kinds.sample_context)
    with pytest.raises(ImproperlyConfigured):
        registry.register("Bad-Kind", "x", kinds.letter_template, [], dict)
    with pytest.raises(ImproperlyConfigured):
        registry.register("bad_names", "x", kinds.letter_template, ["member.", "a b"], dict)
    assert registry.get_kind("bad_names") is None and registry.get_kind("nothing") is None


def test_the_default_template_is_built_once_per_process(monkeypatch):
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))  # the kind below is gone after the test
    calls = []
    kind = registry.register(
        "thu_nghiem_mot_lan", "Một lần", lambda: calls.append(1) or kinds.letter_template(), [], dict
    )
    assert kind.default_bytes() is kind.default_bytes() and calls == [1]


@pytest.mark.parametrize("kind", registry.all_kinds(), ids=lambda k: k.kind)
def test_every_registered_default_template_passes_its_own_checks(kind):
    """The defaults that ship (the test kind, and every kind an app registers) use only their own
    placeholders and fill with their own sample context."""
    inspection = engine.inspect_template(kind, kind.default_bytes())
    assert set(inspection.placeholders) <= kind.allowed


# --- names a template reads ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, names",
    [
        ("{{ member.full_name }} {{ number }}", {"member.full_name", "number"}),
        ("{{ member['full_name'] }}", {"member.full_name"}),
        ("{% for d in duties %}{{ d.text }}{{ loop.index }}{% endfor %}", {"duties", "duties[].text"}),
        (
            "{% for d in duties %}{% endfor %}{{ d.text }}",
            {"duties", "d.text"},
        ),  # the loop's name ends with it
        ("{% set x = member %}{{ x.anything }}", {"member"}),
        ("{% with m = member %}{{ m.full_name }}{% endwith %}", {"member", "member.full_name"}),
        ("{{ member.full_name|upper }} {{ date|default(number) }}", {"member.full_name", "date", "number"}),
        ("{{ links[0].commune }}", {"links[].commune"}),
        ("{% if member.excused %}x{% endif %}", {"member.excused"}),
        ("{{ member.__class__ }}", {"member.__class__"}),
        ("{{ range(3) }}", {"range"}),
        ("{% macro m(a) %}{{ a.b }}{{ c }}{% endmacro %}{{ m(1) }}", {"c"}),
    ],
)
def test_used_names_are_the_context_paths_a_template_reads(source, names):
    assert used_names(TemplateEnvironment().parse(source)) == names


# --- rendering -----------------------------------------------------------------------------------
def test_one_context_fills_the_letter():
    doc = render_content(kinds.letter_template(), [kinds.sample_context()])
    text = text_of(doc)
    assert "Kính gửi: Đảng ủy phường Hoàn Kiếm" in text
    assert "ĐẢNG ỦY SỞ TÀI CHÍNH" in text and "Số 15-GGT/ĐU" in text
    assert "Hà Nội, ngày 05/02/2026" in text  # a date prints dd/mm/yyyy
    assert "Sinh ngày: 17/05/1985" in text and "Nguyễn Thị Mẫu" in text
    assert "Phường Ba Đình" in text and "2015–2020" in text  # the {%tr %} row
    assert "{{" not in text and "{%" not in text and page_breaks(doc) == 0


def test_values_are_escaped_and_none_prints_nothing():
    context = kinds.sample_context(full_name="Lê <Văn> & “Tèo”", position=None)
    text = text_of(render_content(kinds.letter_template(), [context]))
    assert "Lê <Văn> & “Tèo”" in text and "Chức vụ: \n" in text + "\n" and "None" not in text


def test_several_contexts_make_one_copy_each_on_its_own_page():
    contexts = [kinds.sample_context(full_name=f"Đảng viên số {i}") for i in range(1, 4)]
    doc = render_content(kinds.letter_template(), contexts)
    text = text_of(doc)
    for i in range(1, 4):
        assert f"giới thiệu đồng chí: Đảng viên số {i}" in text
    assert text.count("GIẤY GIỚI THIỆU") == 3 and page_breaks(doc) == 2
    assert text.count("Phường Ba Đình") == 3


def test_each_copy_numbers_its_list_from_one():
    doc = render_content(kinds.letter_template(), [kinds.sample_context(), kinds.sample_context()])
    numbering = doc.part.numbering_part.element
    ids_by_copy = [[], []]
    copy = 0
    for paragraph in doc.element.body.iter(qn("w:p")):
        if any(br.get(qn("w:type")) == "page" for br in paragraph.iter(qn("w:br"))):
            copy += 1
        num_id = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num_id is not None:
            ids_by_copy[copy].append(num_id.get(qn("w:val")))
    assert len(ids_by_copy[0]) == 0 and len(set(ids_by_copy[1])) == 1  # the first copy keeps the style's list
    restarted = next(n for n in numbering.iter(qn("w:num")) if n.get(qn("w:numId")) == ids_by_copy[1][0])
    starts = restarted.findall(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
    assert starts and all(s.get(qn("w:val")) == "1" for s in starts[:1])


def test_copies_keep_ids_that_must_be_unique_unique():
    doc = docx.Document(io.BytesIO(kinds.letter_template()))
    paragraph = doc.paragraphs[0]._p
    paragraph.set(qn("w14:paraId"), "12345678")
    start = docx.oxml.parse_xml(f'<w:bookmarkStart {docx.oxml.ns.nsdecls("w")} w:id="0" w:name="dau"/>')
    end = docx.oxml.parse_xml(f'<w:bookmarkEnd {docx.oxml.ns.nsdecls("w")} w:id="0"/>')
    paragraph.insert(0, start)
    paragraph.append(end)
    buffer = io.BytesIO()
    doc.save(buffer)
    joined = render_content(buffer.getvalue(), [kinds.sample_context()] * 3)
    body = joined.element.body
    starts = [(b.get(qn("w:id")), b.get(qn("w:name"))) for b in body.iter(qn("w:bookmarkStart"))]
    assert len({i for i, _ in starts}) == 3 and len({n for _, n in starts}) == 3
    assert [b.get(qn("w:id")) for b in body.iter(qn("w:bookmarkEnd"))] == [i for i, _ in starts]
    assert sum(1 for e in body.iter() if e.get(qn("w14:paraId"))) == 1


def test_a_batch_reads_and_compiles_its_template_once(monkeypatch):
    """200 letters: one parse of the .docx and one compile of its body, whatever the number of copies
    (the time is printed: docs/architecture.md "Word templates")."""
    opened, compiled = [], []
    real_document, real_compile = engine.DocxTemplate.init_docx, TemplateEnvironment.from_string

    def counting_document(self, *args, **kwargs):
        if not self.docx:
            opened.append(1)
        return real_document(self, *args, **kwargs)

    def counting_compile(self, source, *args, **kwargs):
        if source not in self._compiled:
            compiled.append(len(source))
        return real_compile(self, source, *args, **kwargs)

    monkeypatch.setattr(engine.DocxTemplate, "init_docx", counting_document)
    monkeypatch.setattr(TemplateEnvironment, "from_string", counting_compile)
    contexts = [kinds.sample_context(full_name=f"Đảng viên {i:03d}") for i in range(200)]
    started = time.perf_counter()
    doc = render_content(kinds.letter_template(), contexts)
    elapsed = time.perf_counter() - started
    print(f"200 letters rendered and joined in {elapsed:.2f} s")
    assert opened == [1]
    assert len(compiled) == len({*compiled}) <= 4  # body, each header/footer part, once
    text = text_of(doc)
    assert "Đảng viên 000" in text and "Đảng viên 199" in text and page_breaks(doc) == 199


# --- the sandbox ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 100000 }}",
        "{{ '%s' % number }}",
        "{{ 2 ** 1000 }}",
    ],
)
def test_a_template_cannot_build_unbounded_text(source):
    with pytest.raises(engine.TemplateRenderError):
        render_content(with_paragraph(source), [kinds.sample_context()])


def test_a_template_reads_no_attribute_of_python_objects():
    env = TemplateEnvironment()
    assert env.globals == {} and "safe" not in env.filters and "center" not in env.filters
    context = {**kinds.sample_context(), "date": datetime.date(2026, 2, 5)}
    source = "[{{ date.__class__.__mro__ }}][{{ date.year }}][{{ member.__init__ }}]"
    text = text_of(render_content(with_paragraph(source), [context]))
    assert "[][2026][]" in text  # the sandbox answers nothing for what is not data
