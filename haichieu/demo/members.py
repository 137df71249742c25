"""The members: Vietnamese names, plausible dates, residence, workplace and contact details."""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass

from haichieu.demo.common import BATCH, TODAY, date_between, weighted
from haichieu.demo.names import STREETS, name_fields, vietnamese_name
from haichieu.demo.tree import Node, Tree
from haichieu.members.models import Member
from haichieu.organizations.models import Commune, Province

S = Member.Status

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
}  # fmt: skip # a data table: one entry a line would hide its shape


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_STATUS_WEIGHTS = [(S.FULL, 880), (S.PROBATIONARY, 70), (S.TRANSFERRED, 20), (S.DECEASED, 12),
                   (S.REMOVED, 12), (S.EXPELLED, 6)]  # fmt: skip # a data table: one entry a line would hide its shape
_PHONE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "032", "033", "035",
                   "037", "038", "039", "070", "076", "077", "081", "083", "084", "085", "056", "058"]  # fmt: skip # a data table: one entry a line would hide its shape


_STATUSES, _STATUS_CUM = weighted(_STATUS_WEIGHTS)
_C = Member.LiaisonCategory
_CATEGORIES, _CATEGORY_CUM = weighted(
    [
        ((_C.REGULAR, ""), 960),
        ((_C.MOBILE, "Công tác lưu động tại các công trình ngoài tỉnh"), 15),
        ((_C.STUDY, "Học tập trung 12 tháng trong năm tại Học viện Chính trị quốc gia Hồ Chí Minh"), 10),
        ((_C.ROTATED, "Luân chuyển, ở nhà công vụ của cơ quan"), 5),
        ((_C.SECRET, "Theo văn bản của cấp có thẩm quyền"), 3),
    ]
)


@dataclass
class MemberPlan:
    member: Member
    home_cell: Node | None  # residential cell where the member lives (if the commune has a committee)
    commune_committee: Node | None
    retired: bool
    workplace_committee: Node


def plan_member(
    rng: random.Random,
    n: int,
    *,
    cell: Node,
    retired: bool,
    province: Province,
    tree: Tree,
    committee_communes: list[Commune],
    other_communes: list[Commune],
    card_prefix: str,
    forced: dict | None = None,
) -> MemberPlan:
    forced = forced or {}
    gender = forced.get("gender") or (
        Member.Gender.MALE if rng.random() < (0.62 if retired else 0.55) else Member.Gender.FEMALE
    )
    full_name, name_folded, sort_key = name_fields(vietnamese_name(rng, gender))
    status = forced.get("status") or rng.choices(_STATUSES, cum_weights=_STATUS_CUM)[0]
    category, category_note = Member.LiaisonCategory.REGULAR, ""
    if not retired and not forced:
        category, category_note = rng.choices(_CATEGORIES, cum_weights=_CATEGORY_CUM)[0]
    if retired:
        born = date_between(rng, datetime.date(1940, 1, 1), datetime.date(1966, 12, 31))
    else:
        born = date_between(rng, datetime.date(1966, 1, 1), datetime.date(2003, 12, 31))
    adult = _years_after(born, 18)
    if status == S.PROBATIONARY:
        admitted = date_between(rng, max(adult, TODAY - datetime.timedelta(days=360)), TODAY)
        full_date = None
    else:
        latest = min(TODAY - datetime.timedelta(days=400), _years_after(born, 45))
        admitted = date_between(rng, _years_after(born, 20), latest)
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
    return MemberPlan(member, home_cell, committee, retired, cell.parent)


# Working members the demo ward may house at most (the draws of first_ward_extra): about what it
# houses at 100,000 members. A ward's residents do not grow with its province: drawn a quarter of
# the communes' times more, the ward of a 1,000,000-member province housed a tenth of it (118,496
# links in its tracking book), where a real ward holds a few thousand.
WARD_RESIDENTS = 15_000


def first_ward_extra(communes: int, members: int) -> int:
    """How many more times than another demo commune the first ward is drawn as a working member's
    residence: a quarter of the `communes` (at least once), fewer when it would then house more than
    WARD_RESIDENTS of the working members that draw a demo commune (9 in 10 of `members` work, 8 in
    10 of them draw one: plan_member)."""
    extra = max(1, communes // 4)
    drawing = 0.9 * 0.8 * members
    while extra > 1 and drawing * (1 + extra) / (communes + extra) > WARD_RESIDENTS:
        extra -= 1
    return extra


def plan_members(
    rng: random.Random, tree: Tree, province: Province, communes: list[Commune], count: int
) -> list[MemberPlan]:
    """`count` members in the tree's cells, one in ten retired in a residential cell.

    The first one is the `dangvien` login: a full member of the first workplace cell who lives in
    the first ward, so that the member's own page shows a liaison to the `phuong` login's ward.
    """
    committee_communes = [c.commune for c in tree.commune_committees]
    chosen = {c.code for c in committee_communes}
    other_communes = [c for c in communes if c.code not in chosen]
    # The ward of the `phuong` login gets a larger share, so its users see people.
    weighted_communes = committee_communes + [committee_communes[0]] * first_ward_extra(
        len(committee_communes), count
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
    plans: list[MemberPlan] = []
    for n in range(count):
        retired = n > 0 and rng.random() < 0.1
        if n == 0:
            cell = tree.workplace_committees[0].children[0]
        elif retired:
            cell = rng.choice(retired_cells)
        else:
            cell = rng.choices(tree.workplace_cells, cum_weights=cell_weights)[0]
        plans.append(
            plan_member(
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
    return plans


def write_members(rows: list[Member]) -> None:
    """Insert the members in batches and give each its primary key."""
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
