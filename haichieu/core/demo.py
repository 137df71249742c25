"""A believable demo province on the real administrative units, and the benchmark's data set.

`seed_demo(members=N)` builds, in one transaction: a provincial committee, its directly-subordinate
committees, workplace grassroots committees (agencies, hospitals, schools, enterprises) with their
cells, commune/ward committees (on real communes of the province) with residential cells, N members
with Vietnamese names and plausible records, their liaisons in every status, and one login per
role. Everything is written with `bulk_create` and tree paths computed here (django-treebeard's
materialized path: steps of 4 characters in 0-9A-Z), so 100,000 members take seconds, not hours.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import random
import time
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from faker.providers.address.vi_VN import Provider as FakerAddress
from faker.providers.person.vi_VN import Provider as FakerPerson

from haichieu.accounts.models import Role, User
from haichieu.core.models import DocumentCounter
from haichieu.core.paths import ALPHABET
from haichieu.core.text import fold
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.members.services import derived_name_fields
from haichieu.organizations.models import Commune, Organization, Province

DEMO_PASSWORD = "HaiChieu@2026"
DEFAULT_PROVINCE = "01"  # Thành phố Hà Nội
TODAY = datetime.date(2026, 1, 15)  # fixed, so a seed gives the same data on any day
STEPLEN = Organization.steplen
_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
BATCH = 5000

K = Organization.Kind
S = Member.Status
L = Liaison.Status


class DemoError(Exception):
    """The demo cannot be built (message in Vietnamese)."""


# --- names ---------------------------------------------------------------------------------
# Faker's vi_VN lists come in Western order with titles; we take its words and build names the
# Vietnamese way (family + middle + given), with family names weighted by how common they are.
_FAMILY_WEIGHTS = {
    "Nguyễn": 380, "Trần": 110, "Lê": 95, "Phạm": 70, "Hoàng": 40, "Huỳnh": 20, "Phan": 45,
    "Vũ": 30, "Võ": 20, "Đặng": 21, "Bùi": 20, "Đỗ": 14, "Hồ": 13, "Ngô": 13, "Dương": 10,
    "Lý": 5, "Mai": 5, "Đinh": 6, "Trịnh": 5, "Đào": 5, "Lương": 3, "Cao": 3, "Tạ": 2,
    "Quách": 1, "Khúc": 1, "Mạc": 1, "Tôn": 1, "Kiều": 1, "Chu": 2,
}  # fmt: skip
for _name in FakerPerson.last_names:
    _FAMILY_WEIGHTS.setdefault(_name, 5)
FAMILY_NAMES = list(_FAMILY_WEIGHTS)
FAMILY_CUM = list(itertools.accumulate(_FAMILY_WEIGHTS.values()))

_NOT_MALE_MIDDLE = {"Thị", "Mai", "Mai Bảo"}
MALE_MIDDLE = sorted(
    {m for m in FakerPerson.middle_names if m not in _NOT_MALE_MIDDLE}
    | {"Văn", "Đức", "Hữu", "Quang", "Minh", "Công", "Đình", "Trọng", "Mạnh", "Thanh", "Ngọc", "Xuân", "Duy", "Tiến", "Bá", "Quốc"}
)  # fmt: skip
FEMALE_MIDDLE = sorted(
    {"Thu", "Ngọc", "Thanh", "Minh", "Thùy", "Kim", "Phương", "Bích", "Hồng", "Mai", "Thúy", "Diệu", "Hải"}
)
MALE_GIVEN = sorted(
    set(FakerPerson.first_names_male)
    | set(FakerPerson.first_names_unisex)
    | {"Cường", "Dũng", "Đạt", "Hiếu", "Hùng", "Khánh", "Long", "Lộc", "Nghĩa", "Phong", "Quân", "Sơn", "Tâm", "Thắng", "Thịnh", "Toàn", "Tuấn", "Việt", "Vinh", "Bình", "Chiến", "Định", "Giang", "Hậu", "Kiên", "Lực", "Tài", "Thái", "Thông", "Trường"}
)  # fmt: skip
FEMALE_GIVEN = sorted(
    set(FakerPerson.first_names_female)
    | set(FakerPerson.first_names_unisex)
    | {"Hoa", "Hằng", "Huyền", "Loan", "Nga", "Nhung", "Oanh", "Phượng", "Quyên", "Tâm", "Thủy", "Trang", "Uyên", "Yến", "Giang", "Hiền", "Liên", "Lý", "My", "Nhàn", "Quỳnh", "Thư", "Trinh", "Vy", "Dung", "Hạnh", "Lụa", "Thắm", "Bình", "Tuyết"}
)  # fmt: skip
STREETS = list(FakerAddress.streets)
VILLAGES = [
    "Đông", "Đoài", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Tân Lập", "Tiền Phong", "Đồng Tâm",
    "Hòa Bình", "Quyết Tiến", "Thống Nhất", "Đại Đồng", "Phú Mỹ", "An Lạc", "Yên Bình", "Hợp Thành",
    "Minh Khai", "Tân Phú", "Đoàn Kết", "Phú Thịnh", "Văn Giáp", "Cổ Điển", "Lạc Thị", "Vĩnh Ninh",
]  # fmt: skip


@functools.cache
def _name_fields(full_name: str) -> tuple[str, str, str]:
    values = derived_name_fields(full_name)
    return values["full_name"], values["name_folded"], values["sort_key"]


def vietnamese_name(rng: random.Random, gender: str) -> str:
    family = rng.choices(FAMILY_NAMES, cum_weights=FAMILY_CUM)[0]
    if gender == Member.Gender.FEMALE:
        middle = "Thị" if rng.random() < 0.45 else rng.choice(FEMALE_MIDDLE)
        if middle == "Thị" and rng.random() < 0.15:
            middle = f"Thị {rng.choice(FEMALE_MIDDLE)}"
        given = rng.choice(FEMALE_GIVEN)
    else:
        middle = "Văn" if rng.random() < 0.35 else rng.choice(MALE_MIDDLE)
        given = rng.choice(MALE_GIVEN)
    if middle.split()[-1] == given:
        middle = "Văn" if gender == Member.Gender.MALE else "Thị"
    return f"{family} {middle} {given}"


# --- the party tree ------------------------------------------------------------------------
def _step(n: int) -> str:
    """The treebeard path step for the n-th child (1-based): 4 characters in base 36."""
    out = ""
    while n:
        n, r = divmod(n, len(ALPHABET))
        out = ALPHABET[r] + out
    return out.rjust(STEPLEN, "0")


@dataclass(eq=False, repr=False)
class _Node:
    code: str
    name: str
    kind: str
    residential: bool = False
    commune: Commune | None = None
    # what kind of workplace this is (agency, hospital, school, enterprise), for positions
    sector: str = ""
    unit: str = ""  # the workplace's own name, e.g. "Sở Tài chính"
    hamlet: str = ""  # for a residential cell: "Tổ dân phố số 3", "Thôn Đông"
    children: list[_Node] = field(default_factory=list)
    path: str = ""
    depth: int = 0
    pk: int | None = None
    parent: _Node | None = None

    def add(self, child: _Node) -> _Node:
        child.parent = self
        self.children.append(child)
        return child

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


AGENCY_CELLS = [
    "Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính", "Thanh tra", "Phòng Pháp chế",
    "Phòng Tổng hợp", "Phòng Quản lý ngân sách", "Phòng Nghiệp vụ", "Phòng Chính sách", "Trung tâm Dịch vụ công",
]  # fmt: skip
HOSPITAL_CELLS = [
    "Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Hồi sức cấp cứu", "Khoa Khám bệnh",
    "Khoa Dược", "Khoa Xét nghiệm", "Khoa Chẩn đoán hình ảnh", "Phòng Hành chính - Quản trị",
]  # fmt: skip
SCHOOL_CELLS = [
    "Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Ngoại ngữ", "Tổ Khoa học tự nhiên", "Tổ Lịch sử - Địa lý",
    "Tổ Văn phòng", "Tổ Thể dục - Quốc phòng",
]  # fmt: skip
ENTERPRISE_CELLS = [
    "Phòng Kỹ thuật", "Phòng Kinh doanh", "Phòng Tài chính - Kế toán", "Phòng Tổ chức - Hành chính",
    "Phân xưởng số 1", "Phân xưởng số 2", "Phân xưởng số 3", "Đội Quản lý vận hành", "Đội Thi công",
    "Chi nhánh phía Bắc", "Chi nhánh phía Nam",
]  # fmt: skip
POSITIONS = {
    "agency": [("Chuyên viên", 40), ("Chuyên viên chính", 15), ("Phó Trưởng phòng", 8), ("Trưởng phòng", 5),
               ("Thanh tra viên", 5), ("Kế toán viên", 4), ("Văn thư", 3), ("Phó Giám đốc", 2), ("Giám đốc", 1)],
    "hospital": [("Bác sĩ", 35), ("Điều dưỡng", 30), ("Dược sĩ", 6), ("Kỹ thuật viên", 8),
                 ("Phó Trưởng khoa", 4), ("Trưởng khoa", 3), ("Phó Giám đốc Bệnh viện", 1)],
    "school": [("Giáo viên", 60), ("Tổ trưởng chuyên môn", 8), ("Nhân viên", 5), ("Phó Hiệu trưởng", 2),
               ("Hiệu trưởng", 1)],
    "enterprise": [("Kỹ sư", 30), ("Công nhân", 25), ("Nhân viên kinh doanh", 15), ("Kế toán", 6),
                   ("Đội trưởng", 5), ("Trưởng phòng", 4), ("Phó Giám đốc", 2), ("Giám đốc", 1)],
    "retired": [("Cán bộ hưu trí", 70), ("Cựu chiến binh", 20), ("Tổ trưởng tổ dân phố", 5), ("Trưởng thôn", 5)],
}  # fmt: skip
AGENCIES = [
    "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng", "Sở Công Thương", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch", "Văn phòng Ủy ban nhân dân", "Thanh tra", "Kho bạc Nhà nước khu vực",
    "Thuế", "Bảo hiểm xã hội", "Sở Dân tộc và Tôn giáo",
]  # fmt: skip
PARTY_AGENCIES = [
    "Văn phòng Tỉnh ủy",
    "Ban Tổ chức Tỉnh ủy",
    "Báo và Phát thanh, Truyền hình",
    "Trường Chính trị",
]
INDUSTRIES = [
    "Xây dựng", "Cơ khí", "Thương mại", "Vận tải", "Dược phẩm", "Môi trường Đô thị", "May", "Cấp nước",
    "Công trình giao thông", "Lương thực", "Du lịch", "Phát triển nhà",
]  # fmt: skip


def _province_short(province: Province) -> tuple[str, str]:
    """('thành phố', 'Hà Nội') or ('tỉnh', 'Cao Bằng')."""
    if province.name.startswith("Thành phố "):
        return "thành phố", province.name.removeprefix("Thành phố ")
    return "tỉnh", province.name.removeprefix("Tỉnh ")


def _workplace_units(rng: random.Random, short: str, level: str):
    """An endless, varied sequence of (subordinate key, sector, unit name, cell names)."""
    party_word = "Thành ủy" if level == "thành phố" else "Tỉnh ủy"
    for name in AGENCIES[:1]:
        yield "ubnd", "agency", name, AGENCY_CELLS
    yield "dn", "enterprise", f"Công ty Điện lực {short}", ENTERPRISE_CELLS
    yield "dang", "agency", PARTY_AGENCIES[0].replace("Tỉnh ủy", party_word), AGENCY_CELLS
    yield "ubnd", "hospital", f"Bệnh viện Đa khoa {short}", HOSPITAL_CELLS
    for name in AGENCIES[1:]:
        yield "ubnd", "agency", name, AGENCY_CELLS
    for name in PARTY_AGENCIES[1:]:
        unit = name.replace("Tỉnh ủy", party_word)
        if not unit.endswith(party_word):
            unit = f"{unit} {short}"
        yield "dang", "agency", unit, AGENCY_CELLS
    n = 0
    while True:
        n += 1
        street = rng.choice(STREETS)
        family = rng.choice(FAMILY_NAMES)
        yield "ubnd", "school", f"Trường THPT {street}" if n % 3 else f"Trường THCS {street}", SCHOOL_CELLS
        yield (
            "dn",
            "enterprise",
            f"Công ty Cổ phần {rng.choice(INDUSTRIES)} {family} {short}",
            ENTERPRISE_CELLS,
        )
        if n % 3 == 0:
            yield (
                "ubnd",
                "hospital",
                f"Bệnh viện {rng.choice(['Đa khoa', 'Y học cổ truyền', 'Phục hồi chức năng'])} khu vực {n}",
                HOSPITAL_CELLS,
            )
        if n % 2 == 0:
            yield (
                "dn",
                "enterprise",
                f"Công ty TNHH MTV {rng.choice(INDUSTRIES)} {short} số {n}",
                ENTERPRISE_CELLS,
            )


def _residential_cells(rng: random.Random, commune: Commune, count: int) -> list[tuple[str, str]]:
    """(cell name, hamlet) pairs: tổ dân phố in a ward, thôn in a commune, khu dân cư in a special zone."""
    kind = commune.division_type
    if kind == "phường":
        return [(f"Chi bộ tổ dân phố số {k}", f"Tổ dân phố số {k}") for k in range(1, count + 1)]
    if kind == "xã":
        names = rng.sample(VILLAGES, min(count, len(VILLAGES)))
        names += [str(k) for k in range(len(names) + 1, count + 1)]
        return [(f"Chi bộ thôn {n}", f"Thôn {n}") for n in names]
    return [(f"Chi bộ khu dân cư số {k}", f"Khu dân cư số {k}") for k in range(1, count + 1)]


def _commune_committee_name(commune: Commune) -> str:
    kind = commune.division_type
    bare = commune.name
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        bare = bare.removeprefix(prefix)
    return f"Đảng bộ {kind} {bare}"


@dataclass
class _Tree:
    root: _Node
    workplace_committees: list[_Node]
    workplace_cells: list[_Node]
    commune_committees: list[_Node]
    residential_cells: dict[str, list[_Node]]  # commune code -> cells


def _plan_tree(rng: random.Random, province: Province, communes: list[Commune], n_members: int) -> _Tree:
    level, short = _province_short(province)
    pcode = f"T{province.code.zfill(2)}"
    root = _Node(pcode, f"Đảng bộ {level} {short}", K.PROVINCIAL)
    subordinate = {
        "dang": root.add(_Node(f"{pcode}-CQD", f"Đảng bộ các cơ quan Đảng {level} {short}", K.SUBORDINATE)),
        "ubnd": root.add(_Node(f"{pcode}-UB", f"Đảng bộ Ủy ban nhân dân {level} {short}", K.SUBORDINATE)),
        "dn": root.add(_Node(f"{pcode}-DN", f"Đảng bộ Doanh nghiệp {level} {short}", K.SUBORDINATE)),
    }
    # About 30 members a cell; a committee has 3-10 cells.
    target_cells = max(16, round(0.9 * n_members / 30))
    committees: list[_Node] = []
    cells: list[_Node] = []
    units = _workplace_units(rng, short, level)
    while len(cells) < target_cells or len(committees) < 4:
        key, sector, unit, cell_names = next(units)
        n = len(committees) + 1
        committee = subordinate[key].add(
            _Node(f"{pcode}-CS{n:03d}", f"Đảng bộ {unit}", K.GRASSROOTS, sector=sector, unit=unit)
        )
        committees.append(committee)
        size = rng.randint(3, min(10, len(cell_names)))
        names = cell_names[:2] + rng.sample(cell_names[2:], size - 2)
        for k, cell_name in enumerate(names, start=1):
            cells.append(
                committee.add(
                    _Node(
                        f"{committee.code}-{k:02d}", f"Chi bộ {cell_name}", K.CELL, sector=sector, unit=unit
                    )
                )
            )

    # Commune/ward committees sit directly under the province since 07/2025. The first is a ward.
    n_communes = min(len(communes), max(5, n_members // 800))
    wards = [c for c in communes if c.division_type == "phường"]
    first = wards[0] if wards else communes[0]
    others = [c for c in communes if c.code != first.code]
    chosen = [first] + sorted(rng.sample(others, n_communes - 1), key=lambda c: c.name_folded)
    per_commune = max(4, min(20, n_members // (n_communes * 60)))
    commune_committees: list[_Node] = []
    residential: dict[str, list[_Node]] = {}
    for commune in chosen:
        committee = root.add(
            _Node(
                f"{pcode}-X{commune.code}",
                _commune_committee_name(commune),
                K.GRASSROOTS,
                residential=True,
                commune=commune,
            )
        )
        commune_committees.append(committee)
        count = max(3, per_commune + rng.randint(-2, 2))
        residential[commune.code] = [
            committee.add(
                _Node(
                    f"{committee.code}-{k:02d}",
                    cell_name,
                    K.CELL,
                    residential=True,
                    commune=commune,
                    sector="retired",
                    hamlet=hamlet,
                )
            )
            for k, (cell_name, hamlet) in enumerate(_residential_cells(rng, commune, count), start=1)
        ]
    return _Tree(root, committees, cells, commune_committees, residential)


def _write_tree(tree: _Tree, province: Province) -> None:
    """Insert the planned tree: the root through treebeard (it finds the next root path), the rest in bulk."""
    root = tree.root
    saved = Organization.objects.add_root(
        dict(code=root.code, name=root.name, name_folded=fold(root.name), kind=root.kind, province=province)
    )
    root.path, root.depth, root.pk = saved.path, saved.depth, saved.pk

    rows = []
    for node in root.walk():
        for n, child in enumerate(node.children, start=1):
            child.path = node.path + _step(n)
            child.depth = node.depth + 1
        if node is root:
            continue
        rows.append(
            Organization(
                path=node.path,
                depth=node.depth,
                numchild=len(node.children),
                code=node.code,
                name=node.name,
                name_folded=fold(node.name),
                kind=node.kind,
                is_residential=node.residential,
                commune=node.commune,
                province=province,
            )
        )
    Organization.objects.filter(pk=root.pk).update(numchild=len(root.children))
    Organization.objects.bulk_create(rows, batch_size=BATCH)
    ids = dict(Organization.objects.filter(path__startswith=root.path).values_list("code", "pk"))
    for node in root.walk():
        node.pk = ids[node.code]


# --- members and liaisons ------------------------------------------------------------------
def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return datetime.date.fromordinal(rng.randint(start.toordinal(), max(start.toordinal(), end.toordinal())))


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_STATUS_WEIGHTS = [(S.FULL, 880), (S.PROBATIONARY, 70), (S.TRANSFERRED, 20), (S.DECEASED, 12),
                   (S.REMOVED, 12), (S.EXPELLED, 6)]  # fmt: skip
_LIAISON_WEIGHTS = [(L.ACTIVE, 760), (L.RECEIVED, 60), (L.INTRODUCED, 60), (L.RETURNED, 25),
                    (L.DRAFT, 40), (L.ENDED, 55)]  # fmt: skip
_PHONE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "032", "033", "035",
                   "037", "038", "039", "070", "076", "077", "081", "083", "084", "085", "056", "058"]  # fmt: skip


def _weighted(pairs):
    values = [v for v, _ in pairs]
    cum = list(itertools.accumulate(w for _, w in pairs))
    return values, cum


_STATUSES, _STATUS_CUM = _weighted(_STATUS_WEIGHTS)
_C = Member.LiaisonCategory
_CATEGORIES, _CATEGORY_CUM = _weighted(
    [
        ((_C.REGULAR, ""), 960),
        ((_C.MOBILE, "Công tác lưu động tại các công trình ngoài tỉnh"), 15),
        ((_C.STUDY, "Học tập trung dài hạn tại Học viện Chính trị quốc gia Hồ Chí Minh"), 10),
        ((_C.BARRACKS, "Ở nhà công vụ của cơ quan"), 5),
        ((_C.SECRET, "Theo văn bản của cấp có thẩm quyền"), 3),
    ]
)


@dataclass
class _MemberPlan:
    member: Member
    home_cell: _Node | None  # residential cell where the member lives (if the commune has a committee)
    commune_committee: _Node | None
    retired: bool
    workplace_committee: _Node


def _plan_member(
    rng: random.Random,
    n: int,
    *,
    cell: _Node,
    retired: bool,
    province: Province,
    tree: _Tree,
    committee_communes: list[Commune],
    other_communes: list[Commune],
    card_prefix: str,
    forced: dict | None = None,
) -> _MemberPlan:
    forced = forced or {}
    gender = forced.get("gender") or (
        Member.Gender.MALE if rng.random() < (0.62 if retired else 0.55) else Member.Gender.FEMALE
    )
    full_name, name_folded, sort_key = _name_fields(vietnamese_name(rng, gender))
    status = forced.get("status") or rng.choices(_STATUSES, cum_weights=_STATUS_CUM)[0]
    category, category_note = Member.LiaisonCategory.REGULAR, ""
    if not retired and not forced:
        category, category_note = rng.choices(_CATEGORIES, cum_weights=_CATEGORY_CUM)[0]
    if retired:
        born = _date_between(rng, datetime.date(1940, 1, 1), datetime.date(1966, 12, 31))
    else:
        born = _date_between(rng, datetime.date(1966, 1, 1), datetime.date(2003, 12, 31))
    adult = _years_after(born, 18)
    if status == S.PROBATIONARY:
        admitted = _date_between(rng, max(adult, TODAY - datetime.timedelta(days=360)), TODAY)
        full_date = None
    else:
        latest = min(TODAY - datetime.timedelta(days=400), _years_after(born, 45))
        admitted = _date_between(rng, _years_after(born, 20), latest)
        if admitted < adult:
            admitted = adult
        full_date = _years_after(admitted, 1)

    # Residence: mostly a commune with a committee in the demo, some elsewhere in the province.
    commune = forced.get("commune")
    home_cell = forced.get("home_cell")
    if commune is None:
        if retired:
            commune = cell.commune
            home_cell = cell
        else:
            roll = rng.random()
            if roll < 0.8:
                commune = rng.choice(committee_communes)
            elif roll < 0.97 and other_communes:
                commune = rng.choice(other_communes)
    if commune is not None and home_cell is None and commune.code in tree.residential_cells:
        home_cell = rng.choice(tree.residential_cells[commune.code])
    if home_cell is not None:
        hamlet = home_cell.hamlet
    elif commune is not None:
        hamlet = (
            f"Tổ dân phố số {rng.randint(1, 30)}"
            if commune.division_type == "phường"
            else f"Thôn {rng.randint(1, 15)}"
        )
    else:
        hamlet = ""
    street = ""
    if commune is not None and commune.division_type == "phường":
        street = f"Số {rng.randint(1, 250)}, ngõ {rng.randint(1, 120)} {rng.choice(STREETS)}"

    positions = POSITIONS[cell.sector]
    position = rng.choices([p for p, _ in positions], weights=[w for _, w in positions])[0]
    workplace_unit = "" if retired else f"{cell.name.removeprefix('Chi bộ ')}, {cell.unit}"
    century_gender = (0 if born.year < 2000 else 2) + (1 if gender == Member.Gender.FEMALE else 0)
    national_id = f"{province.code.zfill(3)}{century_gender}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
    email = ""
    if not retired and rng.random() < 0.4:
        email = f"{name_folded.replace(' ', '')}{rng.randint(1, 999)}@gmail.com"
    member = Member(
        full_name=full_name,
        name_folded=name_folded,
        sort_key=sort_key,
        date_of_birth=born,
        gender=gender,
        party_card_number=f"{card_prefix}{n:07d}",
        admission_date=admitted,
        full_membership_date=full_date,
        national_id=national_id,
        phone=f"{rng.choice(_PHONE_PREFIXES)}{rng.randint(0, 9999999):07d}",
        email=email,
        workplace_cell_id=cell.pk,
        position=position,
        workplace_unit=workplace_unit,
        address_street=street,
        address_hamlet=hamlet,
        residence_commune=commune,
        residence_province=province if commune is not None else None,
        residence_type=Member.ResidenceType.TEMPORARY
        if rng.random() < 0.12
        else Member.ResidenceType.PERMANENT,
        status=status,
        liaison_category=category,
        liaison_category_note=category_note,
    )
    committee = None
    if home_cell is not None:
        committee = next(c for c in tree.commune_committees if c.commune.code == commune.code)
    return _MemberPlan(member, home_cell, committee, retired, cell.parent)


def _moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=_TZ)


class _Letters:
    """Introduction letter numbers per workplace committee, running through its term (HD 36)."""

    def __init__(self):
        self.last: dict[int, int] = {}

    def next(self, committee: _Node) -> int:
        self.last[committee.pk] = self.last.get(committee.pk, 0) + 1
        return self.last[committee.pk]


def _liaison(
    rng: random.Random,
    plan: _MemberPlan,
    status: str,
    letters: _Letters,
    *,
    committee: _Node,
    cell: _Node,
    excused: bool,
    end_reason: str = "",
) -> Liaison:
    """One liaison with the dates and documents its status implies."""
    member = plan.member
    workplace = plan.workplace_committee
    rules = settings.HAICHIEU["RULES"]
    earliest = max(member.admission_date, datetime.date(2021, 1, 1))
    letter_date = _date_between(rng, earliest, TODAY - datetime.timedelta(days=5))
    if status == L.INTRODUCED and rng.random() < 0.7:  # most are still within the deadline
        letter_date = TODAY - datetime.timedelta(days=rng.randint(1, 30))
    liaison = Liaison(
        member=member,
        workplace_org_id=workplace.pk,
        commune_org_id=committee.pk,
        commune_id=committee.commune.code,
        address_street=member.address_street,
        address_hamlet=cell.hamlet,
        status=status,
        excused=excused,
    )
    if status == L.DRAFT:
        return liaison
    liaison.letter_number = letters.next(workplace)
    liaison.letter_symbol = f"{rules['LETTER_SYMBOL']}/ĐU"
    liaison.letter_date = letter_date
    liaison.introduced_at = _moment(letter_date)
    liaison.receive_due = letter_date + datetime.timedelta(days=rules["RECEIVE_WITHIN_DAYS"])
    received = letter_date + datetime.timedelta(days=rng.randint(2, 14))
    if status == L.RETURNED:
        liaison.returned_at = _moment(received, 15)
        liaison.return_reason = rng.choice(
            [Liaison.ReturnReason.NOT_OUR_AREA, Liaison.ReturnReason.WRONG_ADDRESS]
        )
        liaison.return_note = (
            "Địa chỉ không thuộc địa bàn phường/xã."
            if liaison.return_reason == Liaison.ReturnReason.NOT_OUR_AREA
            else f"Không có số nhà này tại {cell.hamlet.lower()}."
        )
        return liaison
    if status == L.INTRODUCED:
        return liaison
    liaison.cell_id = cell.pk
    liaison.received_at = _moment(received)
    if status == L.RECEIVED:
        return liaison
    liaison.activated_at = _moment(received + datetime.timedelta(days=rng.randint(1, 20)))
    if status == L.ENDED:
        end = _date_between(rng, liaison.activated_at.date() + datetime.timedelta(days=90), TODAY)
        liaison.end_date = end
        liaison.ended_at = _moment(end, 14)
        liaison.end_reason = end_reason or Liaison.EndReason.NO_LONGER_RESIDES
    return liaison


def _plan_liaisons(rng: random.Random, plans: list[_MemberPlan], tree: _Tree) -> tuple[list, list]:
    """Liaisons for most working members who live where the demo has a commune committee.

    The first ones cycle through every status so even a small demo shows each of them. Returns
    (earlier links ended by a move, current links); a current link's `previous` is set later.
    """
    values, cum = _weighted(_LIAISON_WEIGHTS)
    rules = settings.HAICHIEU["RULES"]
    every_status = [L.ACTIVE, L.DRAFT, L.INTRODUCED, L.RETURNED, L.RECEIVED, L.ENDED]
    letters = _Letters()
    moved: list[tuple[Liaison, Liaison]] = []
    current: list[Liaison] = []
    for index, plan in enumerate(plans):
        member = plan.member
        if plan.retired or plan.home_cell is None:
            continue
        if member.status not in Member.ACTIVE_STATUSES:
            continue
        if member.liaison_category in rules["NOT_INTRODUCED_CATEGORIES"]:
            continue
        if index and rng.random() > 0.85:
            continue
        status = every_status[len(current)] if len(current) < len(every_status) else None
        status = status or (L.ACTIVE if index == 0 else rng.choices(values, cum_weights=cum)[0])
        excused = member.liaison_category in rules["EXCUSED_CATEGORIES"]
        link = _liaison(
            rng, plan, status, letters, committee=plan.commune_committee, cell=plan.home_cell, excused=excused
        )
        current.append(link)
        if index and status == L.ACTIVE and len(tree.commune_committees) > 1 and rng.random() < 0.05:
            # Moved house: the old link ended and a new one started; `previous` keeps the chain.
            old = rng.choice([c for c in tree.commune_committees if c is not plan.commune_committee])
            old_cell = rng.choice(tree.residential_cells[old.commune.code])
            earlier = _liaison(
                rng,
                plan,
                L.ENDED,
                letters,
                committee=old,
                cell=old_cell,
                excused=excused,
                end_reason=Liaison.EndReason.MOVED,
            )
            moved.append((earlier, link))
    return moved, current


def _save_letter_counters(liaisons: list[Liaison]) -> None:
    """So the next real introduction letter of a committee follows the demo's numbers."""
    last: dict[int, int] = {}
    for link in liaisons:
        if link.letter_number:
            last[link.workplace_org_id] = max(last.get(link.workplace_org_id, 0), link.letter_number)
    terms = dict(Organization.objects.filter(pk__in=list(last)).values_list("pk", "term"))
    symbol = settings.HAICHIEU["RULES"]["LETTER_SYMBOL"]
    DocumentCounter.objects.bulk_create(
        [
            DocumentCounter(organization_id=pk, doc_type=symbol, term=terms[pk], last_number=number)
            for pk, number in last.items()
        ]
    )


# --- logins --------------------------------------------------------------------------------
@dataclass
class DemoLogin:
    username: str
    role: str
    organization: str


@dataclass
class DemoResult:
    province: Province
    root: Organization
    members: int
    liaisons: int
    organizations: int
    logins: list[DemoLogin]
    seconds: float
    password: str = DEMO_PASSWORD


DEMO_USERNAMES = ["admin", "bantochuc", "coquan", "chibocoquan", "phuong", "chibotdp", "dangvien"]


def existing_demo_logins() -> list[DemoLogin]:
    """The demo accounts still in the database, with their role, to print them again."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    roles = {
        r.user.username: r
        for r in Role.objects.filter(user__username__in=DEMO_USERNAMES).select_related("user", "organization")
    }
    logins = []
    for username in DEMO_USERNAMES:
        if username not in users:
            continue
        role = roles.get(username)
        if role is not None:
            logins.append(DemoLogin(username, role.get_kind_display(), role.organization.name))
        else:
            logins.append(
                DemoLogin(username, "Quản trị hệ thống" if users[username].is_superuser else "—", "—")
            )
    return logins


def _create_users(rng: random.Random, tree: _Tree, dangvien_member: Member) -> list[DemoLogin]:
    coquan_committee = tree.workplace_committees[0]
    coquan_cell = coquan_committee.children[0]
    phuong = tree.commune_committees[0]
    tdp = phuong.children[0]
    specs = [
        ("admin", None, None, "Quản trị hệ thống"),
        ("bantochuc", Role.Kind.STAFF, tree.root, "Cán bộ Ban Tổ chức"),
        ("coquan", Role.Kind.STAFF, coquan_committee, "Cán bộ tổ chức nơi công tác"),
        ("chibocoquan", Role.Kind.SECRETARY, coquan_cell, "Bí thư chi bộ nơi công tác"),
        ("phuong", Role.Kind.STAFF, phuong, "Cán bộ đảng ủy phường"),
        ("chibotdp", Role.Kind.SECRETARY, tdp, "Bí thư chi bộ tổ dân phố"),
        ("dangvien", Role.Kind.MEMBER, coquan_cell, "Đảng viên"),
    ]
    taken = list(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True))
    if taken:
        raise DemoError(f"Đã có tài khoản {', '.join(sorted(taken))}: dữ liệu mẫu đã được tạo trước đó.")
    password = make_password(DEMO_PASSWORD)  # hashed once for every demo account
    users, roles, logins = [], [], []
    for username, kind, org, label in specs:
        if username == "dangvien":
            full_name = dangvien_member.full_name
        else:
            full_name = vietnamese_name(rng, rng.choice([Member.Gender.MALE, Member.Gender.FEMALE]))
        user = User(
            username=username,
            password=password,
            full_name=full_name,
            is_superuser=org is None,
            is_staff=org is None,
        )
        users.append(user)
        logins.append(
            DemoLogin(
                username, label if kind is None else f"{label} ({kind.label})", org.name if org else "—"
            )
        )
    User.objects.bulk_create(users)
    by_name = dict(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", "pk"))
    for username, kind, org, _label in specs:
        if kind is not None:
            roles.append(
                Role(
                    user_id=by_name[username],
                    organization_id=org.pk,
                    kind=kind,
                    start_date=datetime.date(2025, 7, 1),
                )
            )
    Role.objects.bulk_create(roles)
    Member.objects.filter(pk=dangvien_member.pk).update(user_id=by_name["dangvien"])
    return logins


def _refresh_statistics() -> None:
    """After a bulk load: fresh planner statistics, and on PostgreSQL flushed GIN pending lists.

    Rows inserted in bulk wait in a GIN index's pending list, which every trigram search then
    reads in full (a search took 6.5 ms instead of 0.7 ms at 100,000 members); autovacuum would
    flush it later, we do it now. Stale statistics gave hash joins over whole tables.
    """
    tables = [m._meta.db_table for m in (Province, Commune, Organization, Member, Liaison, User, Role)]
    if connection.vendor == "sqlite":
        # Without statistics SQLite walked the status index for an organisation filter (128 ms
        # instead of 3 ms at 100,000 members).
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
        return
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE am.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])",
            [tables],
        )
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


# --- entry points --------------------------------------------------------------------------
def demo_exists() -> bool:
    return Organization.objects.exists()


def seed_demo(
    *, members: int = 2000, seed: int = 2026, province_code: str = DEFAULT_PROVINCE, log=None
) -> DemoResult:
    """Build the demo province with `members` members, reproducibly from `seed`, in one transaction."""
    if members < 20:
        raise DemoError("Cần ít nhất 20 đảng viên để dựng dữ liệu mẫu.")
    started = time.perf_counter()
    log = log or (lambda message: None)
    rng = random.Random(seed)
    if not Province.objects.exists():
        from django.core.management import call_command

        call_command("load_units", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    code = province_code.lstrip("0") or "0"
    province = next((p for p in Province.objects.all() if p.code.lstrip("0") == code), None)
    if province is None:
        raise DemoError(f"Không tìm thấy tỉnh/thành phố có mã “{province_code}”.")
    communes = list(Commune.objects.filter(province=province).order_by("code"))
    if len(communes) < 5:
        raise DemoError(f"{province.name} có quá ít xã/phường để dựng dữ liệu mẫu.")

    with transaction.atomic():
        tree = _plan_tree(rng, province, communes, members)
        if Organization.objects.filter(code=tree.root.code).exists():
            raise DemoError(f"Đã có dữ liệu mẫu của {province.name} (mã {tree.root.code}).")
        _write_tree(tree, province)
        log(f"cây tổ chức: {sum(1 for _ in tree.root.walk())} tổ chức")

        committee_communes = [c.commune for c in tree.commune_committees]
        chosen = {c.code for c in committee_communes}
        other_communes = [c for c in communes if c.code not in chosen]
        # The ward of the `phuong` login gets a larger share, so its users see people.
        weighted_communes = committee_communes + [committee_communes[0]] * max(
            1, len(committee_communes) // 4
        )
        retired_cells = [cell for cells in tree.residential_cells.values() for cell in cells]
        cell_weights = list(itertools.accumulate(rng.randint(8, 60) for _ in tree.workplace_cells))
        card_prefix = province.code.zfill(2)
        offset = Member.objects.filter(party_card_number__startswith=card_prefix).count()

        phuong = tree.commune_committees[0]
        forced_first = {
            "gender": Member.Gender.MALE,
            "status": S.FULL,
            "commune": phuong.commune,
            "home_cell": phuong.children[0],
        }
        plans: list[_MemberPlan] = []
        for n in range(members):
            retired = n > 0 and rng.random() < 0.1
            if n == 0:
                cell = tree.workplace_committees[0].children[0]
            elif retired:
                cell = rng.choice(retired_cells)
            else:
                cell = rng.choices(tree.workplace_cells, cum_weights=cell_weights)[0]
            plans.append(
                _plan_member(
                    rng,
                    offset + n + 1,
                    cell=cell,
                    retired=retired,
                    province=province,
                    tree=tree,
                    committee_communes=weighted_communes,
                    other_communes=other_communes,
                    card_prefix=card_prefix,
                    forced=forced_first if n == 0 else None,
                )
            )
        # Liaisons are planned first: a member's `link_status` is the status of their current one.
        moved, liaisons = _plan_liaisons(rng, plans, tree)
        for link in liaisons:
            link.member.link_status = link.status
        rows = [p.member for p in plans]
        for start in range(0, len(rows), BATCH):
            Member.objects.bulk_create(rows[start : start + BATCH])
        if rows[0].pk is None:  # a database that does not return ids from a bulk insert
            ids = dict(
                Member.objects.filter(party_card_number__in=[m.party_card_number for m in rows]).values_list(
                    "party_card_number", "pk"
                )
            )
            for m in rows:
                m.pk = ids[m.party_card_number]
        log(f"đảng viên: {len(rows)}")

        earlier = [old for old, _new in moved]
        for link in earlier + liaisons:
            link.member_id = link.member.pk
        Liaison.objects.bulk_create(earlier, batch_size=BATCH)
        for old, new in moved:
            new.previous_id = old.pk
        Liaison.objects.bulk_create(liaisons, batch_size=BATCH)
        liaisons += earlier
        _save_letter_counters(liaisons)
        log(f"hồ sơ giữ mối liên hệ: {len(liaisons)}")

        logins = _create_users(rng, tree, rows[0])
        _refresh_statistics()
    root = Organization.objects.get(pk=tree.root.pk)
    return DemoResult(
        province=province,
        root=root,
        members=len(rows),
        liaisons=len(liaisons),
        organizations=sum(1 for _ in tree.root.walk()),
        logins=logins,
        seconds=time.perf_counter() - started,
    )
