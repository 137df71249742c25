"""Ids, years and counts from requests are read by core/params.py alone (issue 9, finding 6)."""

import datetime

import pytest
from django.test import RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.exceptions import Resolver404

from haichieu.core.paging import page_size
from haichieu.core.params import (
    IdConverter,
    PeriodConverter,
    YearConverter,
    parse_day,
    parse_id,
    parse_ids,
    parse_year,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", 1),
        (" 42 ", 42),
        (7, 7),
        ("9" * 18, int("9" * 18)),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("9" * 19, None),
        (str(2**63), None),
        ("", None),
        (None, None),
        ("abc", None),
        ("1.0", None),
        ("²", None),
        ("١", None),
        ("1\x00", None),
        (True, None),
        (0, None),
        (10**18, None),
        ("0x1", None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_parse_ids_is_none_when_one_item_names_no_id():
    assert parse_ids("3,1,2") == [3, 1, 2]
    assert parse_ids(["3", "4"]) == [3, 4]
    assert parse_ids("") is None  # an empty list names nothing: the caller's 404
    assert parse_ids([]) == []
    assert parse_ids("1,abc,99999999999999999999999") is None
    assert parse_ids(["1", "9" * 23]) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026", 2026),
        ("1930", 1930),
        ("2999", 2999),
        ("0", None),
        ("0000", None),
        ("9999", None),
        ("10000", None),
        ("1929", None),
        ("9" * 23, None),
        ("²⁰²⁶", None),
        (2026, 2026),
    ],
)
def test_parse_year(value, expected):
    assert parse_year(value) == expected


def test_converters_refuse_what_the_parsers_refuse():
    assert IdConverter().to_python("12") == 12
    assert YearConverter().to_python("2026") == 2026
    assert PeriodConverter().to_python("4") == 4
    for converter, value in [(IdConverter(), "9" * 19), (YearConverter(), "9999"), (PeriodConverter(), "13")]:
        with pytest.raises(ValueError):
            converter.to_python(value)
        with pytest.raises(ValueError):
            converter.to_url(value)


@pytest.mark.parametrize("path", ["/dang-vien/0/", "/dang-vien/99999999999999999999999/", "/to-chuc/0/them/"])
def test_an_id_out_of_range_matches_no_url(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_no_url_pattern_reads_a_plain_int():
    """Every number in a path goes through the id, year and period converters (registered in core/apps.py)."""

    def walk(patterns, route=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    yield from walk(entry.url_patterns, route + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield route + str(entry.pattern), entry.pattern.converters

    plain = [
        route
        for route, converters in walk(get_resolver().url_patterns)
        if any(isinstance(c, IntConverter) for c in converters.values())
    ]
    assert not plain, f"use <id:…>, <year:…> or <period:…> instead of <int:…>: {plain}"


@override_settings(HAICHIEU={"MEMBER_PAGE_SIZE": 50, "MAX_PAGE_SIZE": 500})
@pytest.mark.parametrize(
    "size, expected",
    [("20", 20), ("100000", 500), ("0", 50), ("-5", 50), ("abc", 50), ("9" * 10_000, 50), ("²", 50)],
)
def test_page_size_is_a_count_or_the_default(size, expected):
    assert page_size(RequestFactory().get("/", {"size": size})) == expected


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("31/12/2026", datetime.date(2026, 12, 31)),
        ("1/2/2026", datetime.date(2026, 2, 1)),
        (" 2026-06-30 ", datetime.date(2026, 6, 30)),
        ("31/02/2026", None),
        ("30/06/1929", None),
        ("30/06/3000", None),
        ("30.06.2026", None),
        ("٣١/١٢/٢٠٢٦", None),
        ("", None),
        (20261231, None),
    ],
)
def test_parse_day_reads_the_days_the_pages_write_and_refuses_the_rest(value, day):
    assert parse_day(value) == day
