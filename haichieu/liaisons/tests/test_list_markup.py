"""The long lists' rows and pagers render exactly the markup captured before they moved to templates.

`markup/*.html` holds each list's table and pager as the Python-built rows rendered them (captured
with `CAPTURE_LIST_MARKUP=1`), for a world that reaches every branch of a row: excused and
not-introduced categories, returned with a note, introduced and overdue, letters, addresses,
values that need escaping. Primary keys and cursors differ between databases and runs, so each is
replaced by a name for what it points to (`dang-vien#1`, `liaison#2`, `cursor#1`) before comparing,
and Jinja2's escapes of `"` and `'` (`&#34;`, `&#39;`) are written as Django's (`&quot;`, `&#x27;`).
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from haichieu.accounts.models import Role
from haichieu.liaisons.models import Group, Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Commune
from haichieu.testing import make_member, make_user

pytestmark = pytest.mark.django_db

MARKUP = Path(__file__).parent / "markup"
ODD = "Đỗ \"Văn\" <Lạ> & 'Kỳ'"


def _scene(world):
    hk = Commune.objects.get(code="00070")
    S = Liaison.Status
    make_member(world.w1c1, "Quân Văn Trại", liaison_category="barracks", residence_commune=hk)
    make_member(world.w1c1, "Bí Văn Mật", liaison_category="secret")
    make_member(world.w1c2, ODD, position='<b onclick="x()">Phó</b> & "trưởng"', residence_commune=hk)
    returned = make_member(world.w1c1, "Hà Thị Trả", residence_commune=hk)
    Liaison.objects.create(
        member=returned,
        workplace_org=world.w1,
        commune_org=world.r1,
        commune=hk,
        status=S.RETURNED,
        return_reason=Liaison.ReturnReason.WRONG_ADDRESS,
        return_note='Sai "số nhà" <12>',
        letter_number=12,
        letter_symbol="GGT/ĐU",
    )
    late = make_member(world.w1c1, "Vũ Văn Chờ", residence_commune=hk, workplace_unit="Phòng <Ngân sách>")
    Liaison.objects.create(
        member=late,
        workplace_org=world.w1,
        commune_org=world.r1,
        commune=hk,
        status=S.INTRODUCED,
        receive_due=datetime.date(2020, 1, 10),
        letter_number=7,
        letter_symbol="GGT",
        letter_date=datetime.date(2019, 12, 1),
        address_hamlet="Tổ dân phố số 1",
        address_street="12 Hàng Bạc",
        excused=True,
    )
    waiting = make_member(
        world.w2c1, "Đinh Thị Đợi", gender=Member.Gender.FEMALE, position="", residence_commune=hk
    )
    Liaison.objects.create(
        member=waiting,
        workplace_org=world.w2,
        commune_org=world.r1,
        commune=hk,
        status=S.INTRODUCED,
        receive_due=datetime.date(2099, 1, 10),
    )
    elsewhere = make_member(world.w2c1, "Mai Văn Xa", residence_commune=hk, position="Kỹ sư")
    Liaison.objects.create(
        member=elsewhere,
        workplace_org=world.w2,
        commune_org=world.r2,
        status=S.INTRODUCED,
        address_street="5 Quán Thánh",
    )
    for member in Member.objects.all():
        current = member.liaisons.order_by("-pk").first()
        Member.objects.filter(pk=member.pk).update(link_status=current.status if current else "none")


def _book_scene(world):
    """Links in the tracking books of R1 and R1C1 in 2020: every branch of a book's row."""
    S, E = Liaison.Status, Liaison.EndReason
    hk = Commune.objects.get(code="00070")
    group = Group.objects.create(cell=world.r1c1, name='Tổ <"1">')
    utc = datetime.UTC

    def link(member, **fields):
        fields.setdefault("workplace_org", world.w1)
        fields.setdefault("commune_org", world.r1)
        Liaison.objects.create(member=member, commune=hk, **fields)

    # Received late in the evening, UTC: the local day is the next one.
    link(
        make_member(
            world.w1c1, 'Phạm "Thị" <Sổ>', workplace_unit="Phòng <Kế toán>", position='Trưởng & "phó"'
        ),
        cell=world.r1c1,
        group=group,
        status=S.ACTIVE,
        excused=True,
        received_at=datetime.datetime(2020, 3, 1, 20, 0, tzinfo=utc),
    )
    link(
        make_member(world.w2c1, "Cao Văn Nhận", position=""),
        workplace_org=world.w2,
        status=S.RECEIVED,
        received_at=datetime.datetime(2020, 4, 2, 3, 0, tzinfo=utc),
    )
    link(
        make_member(world.w1c2, "Đào Thị Đi"),
        cell=world.r1c2,
        status=S.ENDED,
        end_date=datetime.date(2020, 6, 30),
        end_reason=E.NO_LONGER_RESIDES,
        received_at=datetime.datetime(2019, 5, 5, 10, 0, tzinfo=utc),
    )
    # Linked to the cell only (no commune committee), no workplace unit.
    link(
        make_member(world.w2c1, "Lý Văn Lẻ", workplace_unit=""),
        workplace_org=world.w2,
        commune_org=None,
        cell=world.r1c1,
        group=group,
        status=S.ACTIVE,
        received_at=timezone.make_aware(datetime.datetime(2020, 1, 1, 0, 0)),
    )
    world.users["r1_viewer"] = make_user("r1_viewer", (Role.Kind.VIEWER, world.r1))


def _pages(world, client_for):
    """(fixture name, HTML) of every list page and state the markup depends on."""
    coverage, members, incoming = (
        reverse("liaisons:coverage"),
        reverse("members:list"),
        reverse("liaisons:residence_incoming"),
    )
    pages = []

    def get(name, user, url, data=None):
        pages.append((name, client_for(user).get(url, data or {}).content.decode()))

    def second_page(name, user, url, data):
        first = client_for(user).get(url, data)
        cursor = (
            first.context["page"].next_cursor if "page" in first.context else first.context["next_cursor"]
        )
        get(name, user, url, {**data, "after": cursor})

    get("coverage_writer", world.w1_staff, coverage)
    get("coverage_reader", world.w1_viewer, coverage)
    get("coverage_province", world.province_staff, coverage, {"size": 3, "q": "van"})
    second_page("coverage_province_page2", world.province_staff, coverage, {"size": 3, "q": "van"})
    get("members_committee", world.w1_staff, members)
    get("members_province", world.province_staff, members, {"size": 4})
    second_page("members_province_page2", world.province_staff, members, {"size": 4})
    get("incoming_commune", world.r1_staff, incoming)
    get("incoming_commune_paged", world.r1_staff, incoming, {"size": 1})
    second_page("incoming_commune_page2", world.r1_staff, incoming, {"size": 1})
    get("incoming_province", world.province_staff, incoming)
    ticked = Liaison.objects.filter(member__full_name="Vũ Văn Chờ").get().pk
    response = client_for(world.r1_staff).post(incoming, {"org": world.r1.pk, "liaisons": [ticked]})
    pages.append(("incoming_ticked", response.content.decode()))
    # The pagers of the other keyset-paged lists (notices, tracking book): first page, a later page.
    notices, book = reverse("liaisons:notices"), reverse("liaisons:residence_book", args=[world.r1.pk])
    period = {"start": "01/01/2020", "end": "31/12/2020"}
    get("notices", world.w1_staff, notices)
    get("notices_later", world.w1_staff, notices, {"after": "2020-01-01.1"})
    get("book", world.r1_staff, book, period)
    get("book_later", world.r1_staff, book, {**period, "after": "x"})
    _book_scene(world)
    get("book_commune", world.r1_staff, book, period)
    get("book_commune_reader", world.r1_viewer, book, period)
    get("book_commune_default_period", world.r1_staff, book)
    cell_book = reverse("liaisons:residence_book", args=[world.r1c1.pk])
    get("book_cell", world.r1c1_secretary, cell_book, period)
    return pages


_PARTS = re.compile(r"<table.*?</table>|<nav aria-label=\"Phân trang\">.*?</nav>|<select.*?</select>", re.S)
_KEYS = re.compile(
    r'(?P<path>href="[^"?]*?/|next=/[^"?%&]*?/)(?P<pk>\d+)(?=/)'  # a record's page: named by the path before the pk
    r'|(?P<attr>name="member" value="|name="liaisons" value="|pick-|\?ids=|org=|<option value=")(?P<id>\d+)'
    r"|(?P<page>after=|before=)(?P<cursor>[^\"&]+)"
)


_ATTR_KINDS = {'name="member" value="': "member", 'name="liaisons" value="': "liaison", "pick-": "liaison"}
_ATTR_KINDS |= {"?ids=": "liaison", "org=": "org", '<option value="': "option"}


def _normalised(html: str) -> str:
    """The page's tables and pagers, each primary key and cursor named by its order of appearance."""
    names: dict[tuple[str, str], str] = {}

    def name(match):
        if match.group("page"):
            prefix, value, kind = match.group("page"), match.group("cursor"), "cursor"
        elif match.group("attr"):
            prefix, value = match.group("attr"), match.group("id")
            kind = _ATTR_KINDS[prefix]
        else:
            prefix, value = match.group("path"), match.group("pk")
            kind = prefix.rstrip("/").rsplit("/", 1)[-1]
        if (kind, value) not in names:
            names[kind, value] = f"{kind}#{sum(1 for k in names if k[0] == kind) + 1}"
        return prefix + names[kind, value]

    text = "\n".join(_PARTS.findall(html)).replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return _KEYS.sub(name, text)


def test_list_rows_and_pagers_render_the_captured_markup(world, client_for):
    _scene(world)
    pages = _pages(world, client_for)
    if os.environ.get("CAPTURE_LIST_MARKUP"):
        MARKUP.mkdir(exist_ok=True)
        for name, html in pages:
            (MARKUP / f"{name}.html").write_text(_normalised(html) + "\n", encoding="utf-8")
    for name, html in pages:
        assert _normalised(html) + "\n" == (MARKUP / f"{name}.html").read_text(encoding="utf-8"), name
