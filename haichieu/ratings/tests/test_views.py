"""The rating pages: the list, the form per member, the .xlsx list for the rating meeting."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from haichieu.core.models import AuditEntry
from haichieu.exemptions.models import Exemption
from haichieu.ratings.models import Rating
from haichieu.testing import make_member

pytestmark = pytest.mark.django_db

YEAR = 2025
ALL = ["nhiem_vu_dung_han", "vuot_muc_30", "khac_phuc_han_che", "khong_thuoc_truong_hop_khong_hoan_thanh",
       "nhiem_vu_100_tre_han_duoi_20"]  # fmt: skip


def _list(org, year=YEAR):
    return reverse("ratings:list", args=[org.pk, year])


def _form(org, member, year=YEAR):
    return reverse("ratings:rate", args=[org.pk, year, member.pk])


def _exempt(world, member):
    return Exemption.objects.create(
        member=member, reason="far_work", decided_by=world.w1, decided_on=datetime.date(YEAR, 2, 1),
        start_date=datetime.date(YEAR, 2, 1), end_date=datetime.date(YEAR, 12, 31),
    )  # fmt: skip


def test_the_staff_rates_a_member_and_the_level_is_decided_from_score_and_conditions(world, client_for):
    client = client_for(world.w1_staff)
    page = client.get(_form(world.w1, world.m1))
    assert page.status_code == 200
    assert (
        "Hoàn thành tốt nhiệm vụ" in page.content.decode()
        and "từ 70 đến dưới 90 điểm" in page.content.decode()
    )
    # 95 points but not 30% of tasks above the mark: "tốt", not "xuất sắc".
    conditions = [c for c in ALL if c != "vuot_muc_30"]
    response = client.post(
        _form(world.w1, world.m1), {"score": "95,5", "conditions": conditions, "note": "Tốt"}
    )
    assert response.status_code == 302 and response["Location"] == _list(world.w1)
    rating = Rating.objects.get(member=world.m1, year=YEAR)
    assert (str(rating.score), rating.level.code, rating.exempt) == ("95.5", "hoan-thanh-tot", False)
    assert sorted(rating.conditions_met) == sorted(conditions) and rating.rated_by == world.w1_staff
    entry = AuditEntry.objects.get(target_type="ratings.rating", action="create")
    assert entry.changes["after"]["level"] == "Hoàn thành tốt nhiệm vụ"
    # Correcting it: one rating per member and year, the change audited.
    client.post(_form(world.w1, world.m1), {"score": "95,5", "conditions": ALL})
    rating.refresh_from_db()
    assert rating.level.code == "hoan-thanh-xuat-sac" and Rating.objects.count() == 1
    assert AuditEntry.objects.get(target_type="ratings.rating", action="update").changes["level"] == [
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành xuất sắc nhiệm vụ",
    ]
    listed = client.get(_list(world.w1)).content.decode()
    assert "95,5" in listed and "Hoàn thành xuất sắc nhiệm vụ" in listed
    assert 'data-residence-comment="none"' in listed  # the place for the residence's comment


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("", "Nhập điểm đánh giá"),
        ("101", "nằm ngoài thang điểm"),
        ("100,5", "nằm ngoài thang điểm"),
        ("abc", "không phải là điểm hợp lệ"),
        ("85,55", "không phải là điểm hợp lệ"),
        ("-5", "không phải là điểm hợp lệ"),
        ("1e2", "không phải là điểm hợp lệ"),
    ],
)
def test_a_malformed_or_out_of_range_score_is_refused_in_vietnamese(world, client_for, score, message):
    response = client_for(world.w1_staff).post(_form(world.w1, world.m1), {"score": score})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Rating.objects.exists()


def test_an_unknown_condition_is_refused(world, client_for):
    response = client_for(world.w1_staff).post(
        _form(world.w1, world.m1), {"score": "80", "conditions": ["bịa"]}
    )
    assert response.status_code == 200 and "không có trong cách xếp loại" in response.content.decode()
    assert not Rating.objects.exists()


def test_an_exempt_member_is_marked_exempt_not_rated(world, client_for):
    _exempt(world, world.m2)
    client = client_for(world.w1_staff)
    listed = client.get(_list(world.w1)).content.decode()
    assert listed.count("data-exempt") == 1 and "Miễn, không xếp loại" in listed
    page = client.get(_form(world.w1, world.m2)).content.decode()
    assert 'id="exempt-note"' in page and 'name="score"' not in page
    response = client.post(_form(world.w1, world.m2), {"score": "95", "conditions": ALL})
    assert response.status_code == 302
    rating = Rating.objects.get(member=world.m2)
    assert rating.exempt and rating.score is None and rating.level is None


def test_residence_users_and_other_organisations_get_404_for_get_and_post(world, client_for):
    urls = [_list(world.w1), _form(world.w1, world.m1), reverse("ratings:xlsx", args=[world.w1.pk, YEAR])]
    # A residential organisation has no ratings, even for users who read it.
    urls += [_list(world.r1), _form(world.r1, world.m1)]
    for user in (world.r1_staff, world.r1c1_secretary, world.r2_staff, world.w2_staff, world.member_user,
                 world.outsider):  # fmt: skip
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"score": "80"}).status_code in (404, 405), (user, url)
    admin = client_for(world.admin)
    assert admin.get(_list(world.r1)).status_code == 404
    # A member of another organisation, through this organisation's URL.
    assert client_for(world.w1_staff).get(_form(world.w1, world.m3)).status_code == 404
    assert client_for(world.w2_staff).post(_form(world.w2, world.m1), {"score": "80"}).status_code == 404
    assert not Rating.objects.exists()


def test_a_reader_sees_the_list_but_may_not_rate(world, client_for):
    client = client_for(world.w1_viewer)
    assert client.get(_list(world.w1)).status_code == 200
    assert client.get(_form(world.w1, world.m1)).status_code == 403
    assert client.post(_form(world.w1, world.m1), {"score": "80"}).status_code == 403
    assert not Rating.objects.exists()


def test_the_list_links_to_the_years_rating_figures_of_the_same_organisation(world, client_for):
    from lxml import html

    page = client_for(world.w1_staff).get(_list(world.w1))
    (link,) = html.fromstring(page.content).xpath("//a[@id='rating-figures']")
    assert link.get("href") == f"{reverse('ratings:figures')}?org={world.w1.pk}&year={YEAR}"
    assert client_for(world.w1_staff).get(link.get("href")).status_code == 200


def test_the_list_costs_the_same_queries_for_2_or_40_members(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.w1_staff)
    with django_assert_max_num_queries(20) as small:
        assert client.get(_list(world.w1)).status_code == 200
    count = len(small)  # read now: the captured list is a window on the connection's log
    for n in range(38):
        member = make_member(world.w1c1, f"Đảng Viên Số {n}")
        if n % 3 == 0:
            client.post(_form(world.w1, member), {"score": f"{60 + n}", "conditions": ALL})
        elif n % 3 == 1:
            _exempt(world, member)
    with django_assert_max_num_queries(count):
        response = client.get(_list(world.w1) + "?size=100")
    assert response.content.decode().count("data-member=") == 40


def test_the_list_for_the_rating_meeting_exports_to_xlsx(world, client_for):
    _exempt(world, world.m2)
    client = client_for(world.w1_staff)
    client.post(_form(world.w1, world.m1), {"score": "85", "conditions": ALL, "note": "Ghi chú"})
    response = client.get(reverse("ratings:xlsx", args=[world.w1.pk, YEAR]))
    assert (
        response.status_code == 200 and "xep-loai-dang-vien-2025-w1.xlsx" in response["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "DANH SÁCH ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN NĂM 2025"
    assert rows[1][0] == "Đơn vị: Đảng bộ Sở Tài chính"
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][:8] == [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Chi bộ",
        "Chức vụ",
        "Điểm",
        "Xếp loại",
        "Ghi chú",
    ]
    body = {r[1]: r for r in rows[header + 1 :]}
    assert set(body) == {"Nguyễn Văn An", "Trần Thị Bình"}
    assert body["Nguyễn Văn An"][5:8] == [85, "Hoàn thành tốt nhiệm vụ", "Ghi chú"]
    assert body["Trần Thị Bình"][5:7] == [None, "Miễn công tác và sinh hoạt đảng: không xếp loại"]
    assert AuditEntry.objects.filter(action="export", target_type="ratings.rating").count() == 1


def test_the_rules_page_lists_each_years_scheme_with_its_sources(world, client_for):
    page = client_for(world.w1_staff).get(reverse("liaisons:rules")).content.decode()
    assert 'data-rating-year="2025"' in page and 'data-rating-year="2026"' in page
    assert "QĐ 366-QĐ/TW Điều 11 khoản 2" in page and "từ 70 đến dưới 90 điểm" in page


def test_a_workplace_organisations_page_links_to_its_ratings_and_a_residential_ones_does_not(
    world, client_for
):
    this_year = datetime.date.today().year
    page = (
        client_for(world.w1_staff).get(reverse("organizations:detail", args=[world.w1.pk])).content.decode()
    )
    assert f'href="{_list(world.w1, this_year)}" id="org-ratings"' in page
    page = (
        client_for(world.r1_staff).get(reverse("organizations:detail", args=[world.r1.pk])).content.decode()
    )
    assert 'id="org-ratings"' not in page


def test_the_form_shows_the_level_the_rule_gives_before_saving(world, client_for):
    client = client_for(world.w1_staff)
    conditions = ["khong_thuoc_truong_hop_khong_hoan_thanh", "nhiem_vu_100_tre_han_duoi_20"]
    response = client.post(
        _form(world.w1, world.m1), {"score": "92", "conditions": conditions, "preview": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="preview-level"' in page
    assert "<strong>Hoàn thành nhiệm vụ</strong>" in page  # 92 points, a task late: not "tốt"
    assert not Rating.objects.exists()


def test_a_residential_cells_own_members_are_not_on_the_workplace_list(world, client_for):
    resident = make_member(world.r1c1, "Hoàng Văn Hưu")
    client = client_for(world.province_staff)
    page = client.get(_list(world.province)).content.decode()
    assert page.count("data-member=") == 3 and "Hoàng Văn Hưu" not in page
    assert client.get(_form(world.province, resident)).status_code == 404


def test_without_exemptions_lifting_the_rating_an_exempt_member_is_rated(world, client_for, settings):
    settings.HAICHIEU = {
        **settings.HAICHIEU,
        "RULES": {**settings.HAICHIEU["RULES"], "EXEMPTION_LIFTS": ["meetings", "tasks"]},
    }
    _exempt(world, world.m2)
    client = client_for(world.w1_staff)
    assert "data-exempt" not in client.get(_list(world.w1)).content.decode()
    client.post(_form(world.w1, world.m2), {"score": "75", "conditions": ALL})
    assert Rating.objects.get(member=world.m2).level.code == "hoan-thanh-tot"


def test_rating_writes_show_on_the_audit_list_and_the_members_history_there(world, client_for):
    client = client_for(world.w1_staff)
    client.post(_form(world.w1, world.m1), {"score": "85", "conditions": ALL})
    client.post(_form(world.w1, world.m1), {"score": "95", "conditions": ALL})
    rating = Rating.objects.get(member=world.m1)
    entries = {("create", str(rating.pk)), ("update", str(rating.pk))}

    def listed(user, query=""):
        response = client_for(user).get(reverse("audit:log") + query)
        rows = response.context["page"].rows if response.status_code == 200 else []
        return {(e.action, e.target_id) for e in rows if e.target_type == "ratings.rating"}

    assert listed(world.w1_staff) == entries
    assert listed(world.w1_staff, "?member=nguyen van an") == entries  # the member's history
    assert listed(world.w1_staff, "?member=Trần Thị Bình") == set()
    assert listed(world.province_staff) == entries and listed(world.admin) >= entries
    page = client_for(world.w1_staff).get(reverse("audit:log")).content.decode()
    assert "Xếp loại chất lượng đảng viên" in page and "Nguyễn Văn An — 2025" in page
    # Other workplaces and the residence side never see them; nor does the member.
    for user in (world.w2_staff, world.r1_staff, world.r1c1_secretary):
        assert listed(user) == set(), user
    own = client_for(world.member_user).get(reverse("audit:own_reads")).content.decode()
    assert "Xếp loại" not in own
