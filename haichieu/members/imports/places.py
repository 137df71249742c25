"""Communes, provinces and cells written the way people write them, matched to the official records.

"P. Hoàn Kiếm", "phường Hoàn Kiếm" and "Hoàn Kiếm" all find Phường Hoàn Kiếm; "TP Hà Nội", "Hà Nội"
and "HN" find Thành phố Hà Nội; "Khánh Hoà" (new-style tone mark) finds Khánh Hòa. Names are first
compared with their diacritics (Ba Đình and Ba Dinh are two different communes), and without them
only when that finds nothing. A name that fits several units is reported, never guessed.
"""

import re
import unicodedata
from collections import defaultdict

from haichieu.core.text import clean_text, fold
from haichieu.organizations.models import Commune, Organization, Province

from .values import quoted

# Tone on the second vowel of a final oa/oe/uy ("hoà", new style) and on the first ("hòa", the
# official names): both give the same key.
_TONE_PAIRS = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_TONE_RE = re.compile("(" + "|".join(_TONE_PAIRS) + r")(?=\s|$)")


def name_key(text: str) -> str:
    """Lower case with diacritics, NFC, one tone-mark style."""
    lowered = unicodedata.normalize("NFC", clean_text(text).lower())
    return _TONE_RE.sub(lambda m: _TONE_PAIRS[m[1]], lowered)


def _split_prefix(text: str, prefixes) -> tuple[str | None, str]:
    """('phuong', 'Hoàn Kiếm') for 'P. Hoàn Kiếm': the kind a prefix names, and the rest as written.

    Folding keeps one letter per letter of NFC Vietnamese, so a prefix found in the folded text
    has the same length in the original.
    """
    text = clean_text(text)
    folded = fold(text)
    for pattern, kind in prefixes:
        match = pattern.match(folded)
        if match and match.end() < len(folded):
            return kind, text[match.end() :].strip(" .,-")
    return None, text


_COMMUNE_PREFIXES = [
    (re.compile(r"(phuong|p\.|p(?=\s))\s*"), "phuong"),
    (re.compile(r"(xa|x\.|x(?=\s))\s*"), "xa"),
    (re.compile(r"(dac khu|dk\.?(?=\s)|đk\.?(?=\s))\s*"), "dac khu"),
    (re.compile(r"(thi tran|tt\.|tt(?=\s))\s*"), None),
]
_PROVINCE_PREFIXES = [
    (re.compile(r"(thanh pho|t\.p\.?|tp\.|tp(?=\s))\s*"), "thanh pho"),
    (re.compile(r"(tinh|t\.)\s*"), "tinh"),
]
# What people write for a province beyond its name.
PROVINCE_ALIASES = {
    "hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "tp.hcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "sg": "ho chi minh",
    "hn": "ha noi",
    "tphn": "ha noi",
    "hp": "hai phong",
    "dn": "da nang",
    "ct": "can tho",
}


class UnitIndex:
    """The official provinces and communes, loaded once per import (about 3,300 rows).

    A list names the same few hundred units on thousands of rows: each distinct text is matched once.
    """

    def __init__(self):
        self._found: dict[tuple, tuple] = {}
        self.provinces: dict[str, Province] = {}
        self._provinces_by_fold: dict[str, Province] = {}
        self._communes_by_key: dict[str, list] = defaultdict(list)
        self._communes_by_fold: dict[str, list] = defaultdict(list)
        self._loaded_communes = False
        for province in Province.objects.all():
            self.provinces[province.pk] = province
            _, base = _split_prefix(province.name, _PROVINCE_PREFIXES)
            self._provinces_by_fold[fold(base)] = province
            self._provinces_by_fold[fold(province.name)] = province

    def _load_communes(self):
        for commune in Commune.objects.only("code", "name", "province_id"):
            commune.province = self.provinces.get(commune.province_id)
            kind, base = _split_prefix(commune.name, _COMMUNE_PREFIXES)
            commune.kind = kind
            self._communes_by_key[name_key(base)].append(commune)
            self._communes_by_fold[fold(base)].append(commune)
        self._loaded_communes = True

    def province(self, text: str) -> tuple[Province | None, str]:
        """(province, '') or (None, Vietnamese message)."""
        key = ("province", text)
        if key not in self._found:
            self._found[key] = self._province(text)
        return self._found[key]

    def _province(self, text: str) -> tuple[Province | None, str]:
        folded = fold(text)
        found = self._provinces_by_fold.get(folded)
        if found is None:
            compact = folded.replace(" ", "")
            alias = PROVINCE_ALIASES.get(folded) or PROVINCE_ALIASES.get(compact)
            if alias is None:
                _, base = _split_prefix(text, _PROVINCE_PREFIXES)
                base_folded = fold(base)
                alias = PROVINCE_ALIASES.get(base_folded) or PROVINCE_ALIASES.get(
                    base_folded.replace(" ", "")
                )
                found = self._provinces_by_fold.get(base_folded)
            if found is None and alias:
                found = self._provinces_by_fold.get(alias)
        if found is None:
            return None, (
                f"Không tìm thấy tỉnh/thành phố {quoted(text)} trong danh mục 34 tỉnh, thành phố (từ 01/7/2025)."
            )
        return found, ""

    def commune(self, text: str, province: Province | None) -> tuple[Commune | None, str]:
        """(commune, '') or (None, Vietnamese message: not found, not in that province, ambiguous)."""
        key = ("commune", text, province.pk if province is not None else None)
        if key not in self._found:
            self._found[key] = self._commune(text, province)
        return self._found[key]

    def _commune(self, text: str, province: Province | None) -> tuple[Commune | None, str]:
        if not self._loaded_communes:
            self._load_communes()
        kind, base = _split_prefix(text, _COMMUNE_PREFIXES)
        candidates = self._communes_by_key.get(name_key(base)) or self._communes_by_fold.get(fold(base)) or []
        if kind:
            candidates = [c for c in candidates if c.kind == kind]
        if province is not None:
            in_province = [c for c in candidates if c.province_id == province.pk]
            if not in_province:
                return None, f"Không tìm thấy xã/phường/đặc khu {quoted(text)} thuộc {province.name}."
            candidates = in_province
        if not candidates:
            return None, f"Không tìm thấy xã/phường/đặc khu {quoted(text)} trong danh mục đơn vị hành chính."
        if len(candidates) == 1:
            return candidates[0], ""
        provinces = sorted({c.province.name for c in candidates if c.province})
        if len(provinces) > 1:
            return None, (
                f"Có {len(candidates)} xã/phường tên {quoted(text)} ({', '.join(provinces)}): "
                "hãy ghi tỉnh/thành phố ở cột Tỉnh/Thành phố."
            )
        names = ", ".join(sorted(c.name for c in candidates))
        return None, f"{quoted(text)} có thể là {names}: hãy ghi rõ xã, phường hay đặc khu."


class CellIndex:
    """The cells the importing user may add members to, by code and by name (each text matched once)."""

    def __init__(self, cells):
        self._found: dict[str, tuple] = {}
        self.by_pk: dict[int, Organization] = {}
        self._by_code: dict[str, Organization] = {}
        self._by_name: dict[str, list] = defaultdict(list)
        for cell in cells:
            self.by_pk[cell.pk] = cell
            self._by_code[cell.code.upper()] = cell
            self._by_name[fold(cell.name)].append(cell)

    def resolve(self, text: str) -> tuple[Organization | None, str]:
        if text not in self._found:
            self._found[text] = self._resolve(text)
        return self._found[text]

    def _resolve(self, text: str) -> tuple[Organization | None, str]:
        cell = self._by_code.get(clean_text(text).replace(" ", "").upper())
        if cell is not None:
            return cell, ""
        named = self._by_name.get(fold(text), [])
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1:
            codes = ", ".join(sorted(c.code for c in named))
            return (
                None,
                f"Có {len(named)} chi bộ tên {quoted(text)} trong phạm vi của bạn ({codes}): hãy ghi mã chi bộ.",
            )
        return None, f"Không tìm thấy chi bộ {quoted(text)} trong phạm vi của bạn (ghi mã hoặc tên chi bộ)."
