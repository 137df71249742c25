"""The Jinja2 engine of the row templates (core/jinja.py) agrees with the Django templates."""

import datetime

import pytest
from django.template import engines
from django.template.defaultfilters import date as django_date
from django.urls import reverse, set_script_prefix

from haichieu.core.jinja import date, render_jinja2, url


@pytest.mark.parametrize(
    "value", [datetime.date(1985, 5, 17), datetime.date(2026, 12, 1), datetime.date(9, 1, 2), None, ""]
)
def test_date_writes_a_day_as_the_django_filter_does(value):
    assert date(value, "d/m/Y") == django_date(value, "d/m/Y")


def test_date_writes_a_moment_in_local_time_as_the_django_template_does():
    # Django's engine turns an aware datetime into local time before its `date` filter (the
    # filter's `expects_localtime`); 20:00 UTC is the next day in Asia/Ho_Chi_Minh.
    moment = datetime.datetime(2020, 3, 1, 20, 0, tzinfo=datetime.UTC)
    page = engines["django"].from_string('{{ moment|date:"d/m/Y" }} {{ moment|date:"d/m/Y H:i" }}')
    assert page.render({"moment": moment}) == "02/03/2020 02/03/2020 03:00"
    assert f"{date(moment, 'd/m/Y')} {date(moment, 'd/m/Y H:i')}" == "02/03/2020 02/03/2020 03:00"


def test_url_is_reverse_with_the_record_pk_put_in_place():
    assert url("members:detail", 42) == reverse("members:detail", args=[42])
    assert url("members:list") == reverse("members:list")
    assert url("liaisons:residence_book", 7) == reverse("liaisons:residence_book", args=[7])
    set_script_prefix("/hai-chieu/")  # served under a path: the cached URL follows the prefix
    try:
        assert url("members:detail", 42) == reverse("members:detail", args=[42])
        assert url("members:detail", 42).startswith("/hai-chieu/")
    finally:
        set_script_prefix("/")


def test_jinja2_escapes_and_the_django_page_places_its_output_as_it_is():
    html = render_jinja2(
        "core/_select.html",
        {
            "attrs": [("name", 'a"b')],
            "flags": ["required"],
            "choices": [("1", "<Một> & hai", True), ("2", "Ba", False)],
        },
    )
    expected = (
        '<select name="a&#34;b" required><option value="1" selected>&lt;Một&gt; &amp; hai</option>'
        '<option value="2">Ba</option></select>'
    )
    assert html == expected
    page = engines["django"].from_string("<div>{{ html }}</div>")
    assert page.render({"html": html}) == f"<div>{expected}</div>"
