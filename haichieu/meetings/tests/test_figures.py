"""The figures page of an organisation's year (meetings held against the expected number, attendance
rate, linked members below the minimum) and its two exports (issue 11)."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from haichieu.core.models import AuditEntry
from haichieu.liaisons.models import Liaison
from haichieu.meetings import rules, selectors
from haichieu.meetings.models import Attendance, Meeting
from haichieu.testing import make_member, make_org

pytestmark = pytest.mark.django_db

D = datetime.date
S = Attendance.Status
YEAR = 2025


def _linked(world, name, *, workplace_cell, cell):
    member = make_member(workplace_cell, name)
    Liaison.objects.create(
        member=member,
        workplace_org=workplace_cell.parent_node(),
        commune_org=cell.parent_node(),
        cell=cell,
        status=Liaison.Status.ACTIVE,
    )
    return member


def _meeting(cell, day, marks, *, state=Meeting.State.CLOSED):
    """A meeting of `cell` with its invitations as marked ({member: status}), made directly."""
    meeting = Meeting.objects.create(
        cell=cell, date=day, start_time=datetime.time(19, 30), place="Nhà văn hóa", agenda="Họp.", state=state
    )
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            member=member,
            status=status,
            source=Attendance.Source.CELL
            if member.workplace_cell_id == cell.pk
            else Attendance.Source.LIAISON,
        )
        for member, status in marks.items()
    )
    return meeting


@pytest.fixture
def year(world):
    """R1C1 held two meetings in 2025 (and one is still open, one was in 2024), R1C2 one.

    m1 (W1C1, linked to R1C1) attended one of two: below the minimum. L2 (W1C2, linked to R1C1) was
    exempt at the first and came to the second: expected once, attended once, not below. L3 (W2C1,
    linked to R1C2) came to the only meeting R1C2 held: not below (a cell that held one meeting
    cannot ask for two). R1C1's own member O and R1C2's own member P count in the rates only."""
    w = world
    l2 = _linked(w, "Lương Văn Hai", workplace_cell=w.w1c2, cell=w.r1c1)
    l3 = _linked(w, "Lâm Thị Ba", workplace_cell=w.w2c1, cell=w.r1c2)
    own = make_member(w.r1c1, "Ông Văn Ở")
    own2 = make_member(w.r1c2, "Phí Văn Phường")
    _meeting(w.r1c1, D(YEAR, 3, 10), {w.m1: S.PRESENT, l2: S.EXEMPT, own: S.LATE})
    _meeting(w.r1c1, D(YEAR, 9, 10), {w.m1: S.UNEXCUSED, l2: S.PRESENT, own: S.EXCUSED})
    _meeting(w.r1c1, D(YEAR, 12, 1), {w.m1: S.UNEXCUSED}, state=Meeting.State.OPEN)  # not held yet
    _meeting(w.r1c1, D(YEAR - 1, 9, 10), {w.m1: S.UNEXCUSED})  # another year
    _meeting(w.r1c2, D(YEAR, 6, 1), {l3: S.PRESENT, own2: S.PRESENT})
    return {"l2": l2, "l3": l3}


@pytest.mark.parametrize(
    ("attended", "expected", "below"),
    [(0, 0, False), (0, 1, True), (1, 1, False), (1, 2, True), (2, 2, False), (2, 3, False), (1, 3, True)],
)
def test_below_minimum_is_fewer_than_the_minimum_and_than_expected(attended, expected, below):
    assert rules.minimum_attended() == 2
    assert rules.below_minimum(attended, expected) is below


def test_a_communes_figures_and_its_cells_worst_first(world, year):
    figures = selectors.organization_figures(world.r1, year=YEAR)
    total = figures.total
    assert (total.cells, total.expected_meetings, total.held, total.cells_below) == (2, 4, 3, 1)
    # Invitations 3 + 3 + 2; expected leaves the exempt mark out (7); attended 2 + 1 + 2.
    assert (total.invited, total.expected, total.attended, total.rate) == (8, 7, 5, 71.4)
    assert total.below_minimum == 1  # m1
    first, second = figures.children
    assert first.org == world.r1c2 and second.org == world.r1c1  # R1C2 held too few: worst first
    assert (first.held, first.cells_below, first.rate, first.below_minimum) == (1, 1, 100.0, 0)
    assert (second.held, second.cells_below, second.invited, second.rate, second.below_minimum) == (
        2,
        0,
        6,
        60.0,
        1,
    )


def test_the_workplace_counts_its_own_members_below_the_minimum_wherever_they_live(world, year):
    figures = selectors.organization_figures(world.w1, year=YEAR)
    assert figures.total.below_minimum == 1  # m1 (W1C1); L2 (W1C2) is not below
    assert (figures.total.cells, figures.total.held, figures.total.cells_below) == (2, 0, 2)
    # Both cells held nothing: the one with a member below the minimum first.
    assert [(f.org, f.below_minimum) for f in figures.children] == [(world.w1c1, 1), (world.w1c2, 0)]
    assert selectors.organization_figures(world.w2, year=YEAR).total.below_minimum == 0


def test_the_province_rows_count_each_child_on_its_own_side(world, year):
    figures = selectors.organization_figures(world.province, year=YEAR)
    rows = {f.org.code: f for f in figures.children}
    assert set(rows) == {"W1", "W2", "R1", "R2"}
    assert (rows["R1"].below_minimum, rows["W1"].below_minimum, rows["W2"].below_minimum) == (1, 1, 0)
    assert rows["R1"].held == 3 and rows["R2"].held == 0 and rows["R2"].cells_below == 1
    assert figures.total.cells == 6 and figures.total.below_minimum == 1


def test_another_year_counts_its_own_meetings(world, year):
    total = selectors.organization_figures(world.r1c1, year=YEAR - 1).total
    assert (total.held, total.expected, total.attended, total.below_minimum) == (1, 1, 0, 1)


def test_the_page_shows_the_figures_and_links_one_level_down(world, year, client_for):
    client = client_for(world.r1_staff)
    response = client.get(reverse("meetings:figures"), {"year": YEAR})  # the user's own organisation
    assert response.status_code == 200
    text = response.content.decode()
    assert "Đảng ủy phường Hoàn Kiếm" in text and "71,4%" in text
    assert f'href="{reverse("meetings:figures")}?org={world.r1c1.pk}&amp;year={YEAR}"' in text
    assert text.index("Chi bộ tổ dân phố số 2") < text.index("Chi bộ tổ dân phố số 1")
    assert "Phường Ba Đình" not in text and "Đảng ủy phường Ba Đình" not in text  # not in scope
    cell_page = client.get(reverse("meetings:figures"), {"org": world.r1c1.pk, "year": YEAR})
    assert cell_page.status_code == 200 and "60,0%" in cell_page.content.decode()


def test_an_inactive_child_is_not_listed(world, year, client_for):
    closed = make_org(world.r1, "R1C9", "Chi bộ đã giải thể", residential=True)
    closed.is_active = False
    closed.save()
    text = client_for(world.r1_staff).get(reverse("meetings:figures"), {"year": YEAR}).content.decode()
    assert "Chi bộ đã giải thể" not in text


@pytest.mark.parametrize(
    "name", ["meetings:figures", "meetings:figures_meetings", "meetings:figures_attendance"]
)
def test_another_organisations_figures_and_exports_are_404(world, year, client_for, name):
    client = client_for(world.r1_staff)
    for org in (world.r2, world.w1, world.province, world.r2c1):
        assert client.get(reverse(name), {"org": org.pk, "year": YEAR}).status_code == 404
        assert client.post(reverse(name) + f"?org={org.pk}").status_code == 404
    assert client_for(world.outsider).get(reverse(name)).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    "query",
    [
        {"org": "abc"},
        {"org": "9" * 23},
        {"org": "-1"},
        {"year": "abc"},
        {"year": "20250"},
        {"year": "0"},
        {"year": "²⁰²⁵"},
    ],
)
@pytest.mark.parametrize(
    "name", ["meetings:figures", "meetings:figures_meetings", "meetings:figures_attendance"]
)
def test_a_malformed_org_or_year_gets_a_message(world, client_for, query, name):
    response = client_for(world.r1_staff).get(reverse(name), query)
    assert response.status_code == 400
    text = response.content.decode()
    assert "không hợp lệ" in text
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_page_costs_the_same_queries_for_2_or_12_cells(
    world, year, client_for, django_assert_max_num_queries
):
    client = client_for(world.r1_staff)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("meetings:figures"), {"year": YEAR}).status_code == 200
    for n in range(10):
        cell = make_org(world.r1, f"R1X{n}", f"Chi bộ tổ dân phố số {n + 10}", residential=True)
        linked = _linked(world, f"Đảng Viên Số {n}", workplace_cell=world.w1c1, cell=cell)
        _meeting(cell, D(YEAR, 5, 5), {linked: S.UNEXCUSED})
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("meetings:figures"), {"year": YEAR})
    assert response.status_code == 200
    assert selectors.organization_figures(world.r1, year=YEAR).total.below_minimum == 11


def _sheet(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_meetings_export_has_one_row_per_meeting_with_counts_per_status(world, year, client_for):
    client = client_for(world.r1_staff)
    rows = _sheet(client.get(reverse("meetings:figures_meetings"), {"year": YEAR}))
    assert rows[0][0].startswith("DANH SÁCH BUỔI SINH HOẠT") and "Đảng ủy phường Hoàn Kiếm" in rows[1][0]
    header = next(r for r in rows if r and r[0] == "STT")
    data = rows[rows.index(header) + 1 :]
    assert len(data) == 4  # three closed and the open one of 2025; not 2024's
    by_date = {r[header.index("Ngày họp")].date(): dict(zip(header, r, strict=True)) for r in data}
    first = by_date[D(YEAR, 3, 10)]
    assert first["Chi bộ"] == "Chi bộ tổ dân phố số 1" and first["Số đảng viên được mời"] == 3
    assert (first["Có mặt"], first["Đến muộn"], first["Miễn"], first["Vắng không lý do"]) == (1, 1, 1, 0)
    assert first["Tỷ lệ tham dự (%)"] == 100.0
    entry = AuditEntry.objects.get(action="export")
    assert entry.target_id == str(world.r1.pk) and str(YEAR) in entry.note


def test_the_attendance_export_has_one_row_per_mark_and_the_workplace_sees_its_members_anywhere(
    world, year, client_for
):
    rows = _sheet(client_for(world.w1_staff).get(reverse("meetings:figures_attendance"), {"year": YEAR}))
    header = next(r for r in rows if r and r[0] == "STT")
    data = [dict(zip(header, r, strict=True)) for r in rows[rows.index(header) + 1 :]]
    # m1's three marks of 2025 and L2's two, at R1C1: W1's members wherever they live; not R1C1's own.
    assert sorted((r["Họ và tên"], r["Tình hình tham dự"]) for r in data) == [
        ("Lương Văn Hai", "Có mặt"),
        ("Lương Văn Hai", "Miễn"),
        ("Nguyễn Văn An", "Có mặt"),
        ("Nguyễn Văn An", "Vắng không lý do"),
        ("Nguyễn Văn An", "Vắng không lý do"),
    ]
    assert {r["Chi bộ"] for r in data} == {"Chi bộ tổ dân phố số 1"}
    # The commune's export has its cells' marks, its own members' too.
    rows = _sheet(client_for(world.r1_staff).get(reverse("meetings:figures_attendance"), {"year": YEAR}))
    names = {r[1] for r in rows if r and isinstance(r[0], int)}
    assert names == {"Nguyễn Văn An", "Lương Văn Hai", "Lâm Thị Ba", "Ông Văn Ở", "Phí Văn Phường"}


def test_the_meeting_list_and_the_organisation_page_link_to_the_figures(world, client_for):
    client = client_for(world.r1_staff)
    assert reverse("meetings:figures") in client.get(reverse("meetings:list")).content.decode()
    page = client.get(reverse("organizations:detail", args=[world.r1.pk])).content.decode()
    assert f"{reverse('meetings:figures')}?org={world.r1.pk}" in page
