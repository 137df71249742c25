"""Safety checks on an uploaded Office Open XML package (.xlsx, .docx) before any library parses it.

A package is a zip of XML parts. Two things make a small upload cost the server a lot: a zip bomb
(parts that unpack to far more than the file's size) and a "billion laughs" XML bomb, which needs
a document type declaration (no .xlsx or .docx part ever has one). `scan_xml_parts` sums the
declared sizes, then reads every XML part whole, in chunks, counting the bytes it reads against the
same budget (zipfile stops at each entry's stated size, but the count does not rely on it), and
looks for a DOCTYPE/ENTITY declaration in the encodings an XML part may use. Each caller turns the
two refusals into its own message (members/imports/reader.py, documents/engine.py).
"""

from __future__ import annotations

import zipfile

# A document type declaration, in the encodings an XML part may use.
DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
# Kept from the end of one chunk to the start of the next, so a marker split between them is found.
DTD_OVERLAP = max(len(marker) for marker in DTD_MARKERS) - 1
SCAN_CHUNK = 1 << 20


class UnpackedTooLarge(Exception):
    """The package unpacks to more than its budget."""


class DeclaresDtd(Exception):
    """An XML part of the package holds a DOCTYPE/ENTITY declaration."""


def declares_dtd(part, budget: int) -> tuple[bool, int]:
    """Whether the part holds a DOCTYPE/ENTITY declaration anywhere, read in chunks (never whole)
    and at most `budget` bytes; (found, bytes read). Past the budget: UnpackedTooLarge. (A check
    of the first 64 KiB only let a declaration after 70 KB of whitespace through: issue 9, finding 11.)"""
    tail = b""
    read = 0
    while chunk := part.read(min(SCAN_CHUNK, budget - read + 1)):
        read += len(chunk)
        if read > budget:
            raise UnpackedTooLarge
        data = tail + chunk
        if any(marker in data for marker in DTD_MARKERS):
            return True, read
        tail = data[-DTD_OVERLAP:]
    return False, read


def scan_xml_parts(archive: zipfile.ZipFile, budget: int) -> None:
    """Refuse a package that unpacks to more than `budget` bytes (UnpackedTooLarge) or has an XML
    part with a document type declaration (DeclaresDtd)."""
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > budget:
        raise UnpackedTooLarge
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        with archive.open(info) as part:
            found, read = declares_dtd(part, budget)
        if found:
            raise DeclaresDtd
        budget -= read
