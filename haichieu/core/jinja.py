"""The Jinja2 engine of the long lists' rows (`<app>/jinja2/`): its environment and `render_jinja2`.

Every page is a Django template; the rows of a long list (50 to 200 of them, each a dozen values
and conditions) render through Jinja2, which compiles a template to Python code: 50 coverage rows
take about a third of the Django engine's time (docs/architecture.md "How the lists render").
Both engines escape every value; Jinja2 writes `"` and `'` as `&#34;` and `&#39;` where Django
writes `&quot;` and `&#x27;`, the same characters to a browser.
"""

import datetime
from functools import lru_cache

from django.conf import settings
from django.template import engines
from django.template.defaultfilters import date as django_date
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.timezone import template_localtime
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup


def environment(**options) -> Environment:
    # A row that names a missing value fails in the tests instead of showing an empty cell.
    env = Environment(**{**options, "undefined": StrictUndefined})
    env.globals.update(url=url, static=static)
    env.filters.update(date=date)
    return env


def date(value, arg: str | None = None) -> str:
    """Django's `date` filter; a day as the pages show it (`date("d/m/Y")`) without its machinery.

    Django's filter looks the format up among the locale's names and parses it on every call
    (~10 µs, half a millisecond for a 50-row list); a `datetime.date` in "d/m/Y" is written here.
    A moment is shown in local time first, as Django's engine does before its filter.
    """
    if type(value) is datetime.datetime:
        value = template_localtime(value)
    if arg == "d/m/Y" and type(value) in (datetime.date, datetime.datetime):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return django_date(value, arg)


def render_jinja2(template_name: str, context: dict) -> Markup:
    """What a Jinja2 template renders from `context`, for a Django page to place as it is.

    The text comes back as Jinja2 hands over a rendered template (`TemplateModule.__html__`):
    markupsafe's `Markup`, which the Django engine honours like its own safe strings. `url` is
    bound to the request's URLconf and script prefix once for all the rows (reading them costs
    5 µs a link, a third of a row).
    """
    template = engines["jinja2"].get_template(template_name).template
    urls = _Urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return template.make_module({**context, "url": urls}).__html__()


def url(name: str, *args, **kwargs) -> str:
    """`reverse(name, args=args, kwargs=kwargs)`, and a record's URL (one integer pk) without reversing."""
    return _Urls(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())(name, *args, **kwargs)


_MARKER = "9081726354"


@lru_cache(maxsize=128)
def _around_pk(name: str, urlconf: str, prefix: str) -> tuple[str, str] | None:
    url_ = reverse(name, args=[int(_MARKER)], urlconf=urlconf)
    before, marker, after = url_.partition(_MARKER)
    return (before, after) if marker else None


class _Urls:
    """`url(...)` for one URLconf and script prefix.

    `reverse()` costs ~40 µs: two links a row would cost a 50-row list 4 ms, more than its queries
    (bench/). A record's URL is reversed once per name, URLconf and script prefix with a marker
    number in place of the pk, and each row's pk goes where the marker was.
    """

    __slots__ = ("urlconf", "prefix")

    def __init__(self, urlconf: str, prefix: str):
        self.urlconf, self.prefix = urlconf, prefix

    def __call__(self, name: str, *args, **kwargs) -> str:
        if len(args) == 1 and not kwargs and type(args[0]) is int:
            around = _around_pk(name, self.urlconf, self.prefix)
            if around is not None:
                return f"{around[0]}{args[0]}{around[1]}"
        return reverse(name, args=args or None, kwargs=kwargs or None, urlconf=self.urlconf)
