"""Word files for the tests: the test kind's letter with a change, a package rewritten part by part,
and the text of a rendered document read back with python-docx."""

import io
import zipfile

from docx import Document
from docx.oxml.ns import qn

from haichieu.core import documents as layout

from . import kinds


def with_paragraph(text: str, *, receipt_on_letter: bool = False) -> bytes:
    """The test letter with one more paragraph at its end."""
    doc = kinds.letter_document(receipt_on_letter=receipt_on_letter)
    layout.paragraph(doc, text)
    return layout.docx_bytes(doc)


def rewrite(data: bytes, *, replace: dict | None = None, drop: tuple = ()) -> bytes:
    """The package with some parts replaced or added (name -> bytes), or left out."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename in drop:
                continue
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, data in replace.items():
            if name not in source.namelist():
                target.writestr(name, data)
    return out.getvalue()


def text_of(doc_or_bytes) -> str:
    """Every paragraph of the body, tables' cells included, one a line (saved and read back)."""
    if not isinstance(doc_or_bytes, bytes):
        doc_or_bytes = layout.docx_bytes(doc_or_bytes)
    doc = Document(io.BytesIO(doc_or_bytes))
    lines = []
    for block in doc.element.body.iter():
        if block.tag.endswith("}p"):
            lines.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
    return "\n".join(lines)


def page_breaks(doc) -> int:
    return sum(1 for e in doc.element.body.iter(qn("w:br")) if e.get(qn("w:type")) == "page")
