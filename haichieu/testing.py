"""Test helpers: the shared "world" (STYLE.md habit 7) and small factories.

A province with two workplace committees and two communes with residential cells, a user of every
role on each side, a member who logs in, and an outsider with no role.
"""

import datetime
import itertools
from dataclasses import dataclass, field

from haichieu.accounts.models import Role, User
from haichieu.core.text import fold
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.members.services import derived_name_fields
from haichieu.organizations.models import Commune, Organization, Province

PASSWORD = "Mat-khau-thu-nghiem-2026"
_card_numbers = itertools.count(93000001)


def make_org(parent, code, name, kind=Organization.Kind.CELL, *, residential=False, commune=None):
    fields = dict(
        code=code,
        name=name,
        name_folded=fold(name),
        kind=kind,
        is_residential=residential,
        commune=commune,
        province=commune.province if commune else None,
    )
    if parent is None:
        return Organization.objects.add_root(fields)
    parent.refresh_from_db()
    return Organization.objects.add_child(parent, fields)


def make_member(cell, full_name="Nguyễn Văn An", **extra) -> Member:
    values = dict(
        date_of_birth=datetime.date(1985, 5, 17),
        gender=Member.Gender.MALE,
        party_card_number=str(next(_card_numbers)),
        admission_date=datetime.date(2010, 3, 2),
        full_membership_date=datetime.date(2011, 3, 2),
        status=Member.Status.FULL,
        national_id="001085012345",
        phone="0912345678",
        workplace_cell=cell,
        position="Chuyên viên",
    )
    values.update(extra)
    values.update(derived_name_fields(full_name))
    return Member.objects.create(**values)


def make_user(username, *roles, superuser=False) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    if superuser:
        user.is_superuser = user.is_staff = True
        user.save()
    for kind, org in roles:
        Role.objects.create(user=user, organization=org, kind=kind)
    return user


@dataclass
class World:
    province: Organization
    w1: Organization
    w1c1: Organization
    w1c2: Organization
    w2: Organization
    w2c1: Organization
    r1: Organization
    r1c1: Organization
    r1c2: Organization
    r2: Organization
    r2c1: Organization
    m1: Member
    m2: Member
    m3: Member
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    hanoi, _ = Province.objects.get_or_create(
        code="01",
        defaults={
            "name": "Thành phố Hà Nội",
            "division_type": "thành phố trung ương",
            "name_folded": "thanh pho ha noi",
        },
    )
    hoan_kiem, _ = Commune.objects.get_or_create(
        code="00070",
        defaults={
            "name": "Phường Hoàn Kiếm",
            "division_type": "phường",
            "province": hanoi,
            "name_folded": "phuong hoan kiem",
        },
    )
    ba_dinh, _ = Commune.objects.get_or_create(
        code="00004",
        defaults={
            "name": "Phường Ba Đình",
            "division_type": "phường",
            "province": hanoi,
            "name_folded": "phuong ba dinh",
        },
    )
    K = Organization.Kind
    province = make_org(None, "TU", "Đảng bộ Thành phố Hà Nội", K.PROVINCIAL)
    w1 = make_org(province, "W1", "Đảng bộ Sở Tài chính", K.GRASSROOTS)
    w1c1 = make_org(w1, "W1C1", "Chi bộ Phòng Ngân sách")
    w1c2 = make_org(w1, "W1C2", "Chi bộ Văn phòng Sở")
    w2 = make_org(province, "W2", "Đảng bộ Công ty Điện lực", K.GRASSROOTS)
    w2c1 = make_org(w2, "W2C1", "Chi bộ Phòng Kỹ thuật")
    r1 = make_org(
        province, "R1", "Đảng ủy phường Hoàn Kiếm", K.GRASSROOTS, residential=True, commune=hoan_kiem
    )
    r1c1 = make_org(r1, "R1C1", "Chi bộ tổ dân phố số 1", residential=True, commune=hoan_kiem)
    r1c2 = make_org(r1, "R1C2", "Chi bộ tổ dân phố số 2", residential=True, commune=hoan_kiem)
    r2 = make_org(province, "R2", "Đảng ủy phường Ba Đình", K.GRASSROOTS, residential=True, commune=ba_dinh)
    r2c1 = make_org(r2, "R2C1", "Chi bộ tổ dân phố Quán Thánh", residential=True, commune=ba_dinh)

    m1 = make_member(
        w1c1,
        "Nguyễn Văn An",
        residence_commune=hoan_kiem,
        residence_province=hanoi,
        address_hamlet="Tổ dân phố số 1",
    )
    m2 = make_member(w1c2, "Trần Thị Bình", gender=Member.Gender.FEMALE, national_id="001190054321")
    m3 = make_member(w2c1, "Lê Đức Cường", residence_commune=ba_dinh, residence_province=hanoi)
    Liaison.objects.create(
        member=m1, workplace_org=w1, commune_org=r1, cell=r1c1, status=Liaison.Status.ACTIVE
    )
    Liaison.objects.create(
        member=m3, workplace_org=w2, commune_org=r2, cell=r2c1, status=Liaison.Status.ACTIVE
    )
    Member.objects.filter(pk__in=[m1.pk, m3.pk]).update(link_status=Liaison.Status.ACTIVE)

    R = Role.Kind
    users = {
        "admin": make_user("admin", superuser=True),
        "province_staff": make_user("province_staff", (R.STAFF, province)),
        "w1_staff": make_user("w1_staff", (R.STAFF, w1)),
        "w1c1_secretary": make_user("w1c1_secretary", (R.SECRETARY, w1c1)),
        "w1_viewer": make_user("w1_viewer", (R.VIEWER, w1)),
        "w2_staff": make_user("w2_staff", (R.STAFF, w2)),
        "r1_staff": make_user("r1_staff", (R.STAFF, r1)),
        "r1c1_secretary": make_user("r1c1_secretary", (R.SECRETARY, r1c1)),
        "r2_staff": make_user("r2_staff", (R.STAFF, r2)),
        "member_user": make_user("member_user", (R.MEMBER, w1c1)),
        "outsider": make_user("outsider"),
    }
    m1.user = users["member_user"]
    m1.save(update_fields=["user"])
    return World(province, w1, w1c1, w1c2, w2, w2c1, r1, r1c1, r1c2, r2, r2c1, m1, m2, m3, users)


def introduce_through_preview(client, data: dict):
    """Introduce as the coverage page does: the POST makes a preview, its confirmation issues the
    letters; returns the result page (a GET, as the browser lands on it)."""
    from django.urls import reverse

    preview = client.post(reverse("liaisons:introduce"), data)
    assert preview.status_code == 302, preview.status_code
    confirm = preview["Location"].rstrip("/") + "/xac-nhan/"
    issued = client.post(confirm)
    assert issued.status_code == 302 and issued["Location"] == preview["Location"], issued
    return client.get(issued["Location"])
