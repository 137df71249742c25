"""Ids, years and days read from requests: the one place that says what a well-formed one is.

A record id is 1 to 18 ASCII digits, not zero (every id of a 64-bit column fits; a longer one
would overflow SQLite's INTEGER and PostgreSQL's bigint). A year is four digits within
YEAR_MIN..YEAR_MAX (dates are built from it). Anything else names no record: in a URL the path
converters below do not match it (404); in a query string or a posted list `parse_id`/`parse_ids`
answer None (the view answers 404); in a form the id fields of core/forms.py give their
"invalid choice" message. `str.isdigit()` is not the test: "²" and "١" are digits to it.

The converters are registered once, when the core app is ready (core/apps.py), as "id", "year" and "period"; every
urls.py writes `<id:pk>`, `<year:year>`, `<period:period>` instead of `<int:…>`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

ID_RE = re.compile(r"[1-9][0-9]{0,17}")
YEAR_MIN, YEAR_MAX = 1930, 2999
PERIOD_MAX = 12  # the most periods in a year (months)


def parse_id(value) -> int | None:
    """The record id `value` names (an int or its text), or None when it names none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**18 else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    return int(value) if ID_RE.fullmatch(value) else None


def parse_ids(values: str | Iterable) -> list[int] | None:
    """The ids of a list (a posted list, or text separated by commas), or None when one is malformed."""
    items = values.split(",") if isinstance(values, str) else list(values)
    ids = [parse_id(item) for item in items]
    if any(pk is None for pk in ids):
        return None
    return [pk for pk in ids if pk is not None]


def parse_year(value) -> int | None:
    """A year within YEAR_MIN..YEAR_MAX (four digits as text), or None."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"[0-9]{4}", text):
        return None
    year = int(text)
    return year if YEAR_MIN <= year <= YEAR_MAX else None


# A day in a query string: the browser's date picker sends yyyy-mm-dd; a link written the
# Vietnamese way sends dd/mm/yyyy (core/forms.py FILTER_DATE_FORMATS, the same two; parse_day also
# takes a day or month of one digit).
DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_day(value) -> datetime.date | None:
    """A day written dd/mm/yyyy (as the pages print it) or yyyy-mm-dd (a date input), its year within
    YEAR_MIN..YEAR_MAX, or None."""
    text = value.strip() if isinstance(value, str) else ""
    for pattern, order in (
        (r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", (2, 1, 0)),
        (r"([0-9]{4})-([0-9]{2})-([0-9]{2})", (0, 1, 2)),
    ):
        match = re.fullmatch(pattern, text)
        if match is None:
            continue
        parts = match.groups()
        year, month, day = (int(parts[i]) for i in order)
        if not YEAR_MIN <= year <= YEAR_MAX:
            return None
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    return None


class _Converter:
    """A path converter whose `to_python` refuses what the parser refuses (the URL then does not match)."""

    regex = ""

    @staticmethod
    def parse(value: str) -> int | None:
        raise NotImplementedError

    def to_python(self, value: str) -> int:
        parsed = self.parse(value)
        if parsed is None:
            raise ValueError(value)
        return parsed

    def to_url(self, value) -> str:
        parsed = self.parse(str(value))
        if parsed is None:
            raise ValueError(value)
        return str(parsed)


class IdConverter(_Converter):
    regex = "[1-9][0-9]{0,17}"
    parse = staticmethod(parse_id)


class YearConverter(_Converter):
    regex = "[0-9]{4}"
    parse = staticmethod(parse_year)


def _parse_period(value) -> int | None:
    text = str(value)
    return int(text) if re.fullmatch(r"[1-9][0-9]?", text) and int(text) <= PERIOD_MAX else None


class PeriodConverter(_Converter):
    """A period of a year: 1 to 12 (a month, a quarter, a half; each view checks its own count)."""

    regex = "[1-9][0-9]?"
    parse = staticmethod(_parse_period)


CONVERTERS = {"id": IdConverter, "year": YearConverter, "period": PeriodConverter}


@dataclass
class FigureQuery:
    """What a figures page is asked for: `?org=<id>&year=<yyyy>&as_of=<day>`. A value that is not
    well formed is replaced by the default (no organisation named, this year, today) and said in
    `problems`, a Vietnamese sentence each, shown on the page: the page never fails on it."""

    org_id: int | None
    year: int
    as_of: datetime.date
    problems: list[str] = field(default_factory=list)

    def query_string(self, org_id: int) -> str:
        """The query string of the same figures for `org_id` (links, exports, the drill-down)."""
        return urlencode({"org": org_id, "year": self.year, "as_of": f"{self.as_of:%d/%m/%Y}"})


def figure_query(params, *, today: datetime.date) -> FigureQuery:
    """Read a figures page's query string (a QueryDict or a dict) against `today`."""
    query = FigureQuery(None, today.year, today)
    org, year, as_of = (str(params.get(name, "")).strip() for name in ("org", "year", "as_of"))
    if org:
        query.org_id = parse_id(org)
        if query.org_id is None:
            query.problems.append("Mã tổ chức trên địa chỉ trang không hợp lệ: đang xem tổ chức mặc định.")
    if year:
        query.year = parse_year(year) or today.year
        if parse_year(year) is None:
            query.problems.append(
                f"Năm không hợp lệ (cần 4 chữ số, từ {YEAR_MIN} đến {YEAR_MAX}): đang xem năm {today.year}."
            )
    if as_of:
        day = parse_day(as_of)
        if day is None:
            query.problems.append(
                f"Ngày lấy số liệu không hợp lệ (cần dd/mm/yyyy): đang xem đến hôm nay, {today:%d/%m/%Y}."
            )
        elif day > today:
            query.problems.append(f"Ngày lấy số liệu sau hôm nay: đang xem đến hôm nay, {today:%d/%m/%Y}.")
        else:
            query.as_of = day
    return query
