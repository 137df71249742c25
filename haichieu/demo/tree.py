"""The organisation tree: planned in memory, then inserted in bulk with treebeard paths computed here.

A provincial committee, its three directly-subordinate committees, workplace grassroots committees
(agencies, hospitals, schools, enterprises) with their cells, and commune/ward committees on real
communes of the province with residential cells.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from haichieu.core.paths import ALPHABET
from haichieu.core.text import fold, vn_text_key
from haichieu.demo.common import BATCH
from haichieu.demo.names import FAMILY_NAMES, STREETS, VILLAGES
from haichieu.organizations.models import Commune, Organization, Province

STEPLEN = Organization.steplen
K = Organization.Kind


def _step(n: int) -> str:
    """The treebeard path step for the n-th child (1-based): 4 characters in base 36."""
    out = ""
    while n:
        n, r = divmod(n, len(ALPHABET))
        out = ALPHABET[r] + out
    return out.rjust(STEPLEN, "0")


@dataclass(eq=False, repr=False)
class Node:
    code: str
    name: str
    kind: str
    residential: bool = False
    commune: Commune | None = None
    # what kind of workplace this is (agency, hospital, school, enterprise), for positions
    sector: str = ""
    unit: str = ""  # the workplace's own name, e.g. "Sở Tài chính"
    hamlet: str = ""  # for a residential cell: "Tổ dân phố số 3", "Thôn Đông"
    children: list[Node] = field(default_factory=list)
    path: str = ""
    depth: int = 0
    pk: int | None = None
    parent: Node | None = None

    def add(self, child: Node) -> Node:
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
]  # fmt: skip # a data table: one entry a line would hide its shape
HOSPITAL_CELLS = [
    "Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Hồi sức cấp cứu", "Khoa Khám bệnh",
    "Khoa Dược", "Khoa Xét nghiệm", "Khoa Chẩn đoán hình ảnh", "Phòng Hành chính - Quản trị",
]  # fmt: skip # a data table: one entry a line would hide its shape
SCHOOL_CELLS = [
    "Tổ Toán - Tin", "Tổ Ngữ văn", "Tổ Ngoại ngữ", "Tổ Khoa học tự nhiên", "Tổ Lịch sử - Địa lý",
    "Tổ Văn phòng", "Tổ Thể dục - Quốc phòng",
]  # fmt: skip # a data table: one entry a line would hide its shape
ENTERPRISE_CELLS = [
    "Phòng Kỹ thuật", "Phòng Kinh doanh", "Phòng Tài chính - Kế toán", "Phòng Tổ chức - Hành chính",
    "Phân xưởng số 1", "Phân xưởng số 2", "Phân xưởng số 3", "Đội Quản lý vận hành", "Đội Thi công",
    "Chi nhánh phía Bắc", "Chi nhánh phía Nam",
]  # fmt: skip # a data table: one entry a line would hide its shape
AGENCIES = [
    "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng", "Sở Công Thương", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ",
    "Sở Văn hóa, Thể thao và Du lịch", "Văn phòng Ủy ban nhân dân", "Thanh tra", "Kho bạc Nhà nước khu vực",
    "Thuế", "Bảo hiểm xã hội", "Sở Dân tộc và Tôn giáo",
]  # fmt: skip # a data table: one entry a line would hide its shape
PARTY_AGENCIES = [
    "Văn phòng Tỉnh ủy",
    "Ban Tổ chức Tỉnh ủy",
    "Báo và Phát thanh, Truyền hình",
    "Trường Chính trị",
]
INDUSTRIES = [
    "Xây dựng", "Cơ khí", "Thương mại", "Vận tải", "Dược phẩm", "Môi trường Đô thị", "May", "Cấp nước",
    "Công trình giao thông", "Lương thực", "Du lịch", "Phát triển nhà",
]  # fmt: skip # a data table: one entry a line would hide its shape


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
class Tree:
    root: Node
    workplace_committees: list[Node]
    workplace_cells: list[Node]
    commune_committees: list[Node]
    residential_cells: dict[str, list[Node]]  # commune code -> cells


def plan_tree(rng: random.Random, province: Province, communes: list[Commune], n_members: int) -> Tree:
    level, short = _province_short(province)
    pcode = f"T{province.code.zfill(2)}"
    root = Node(pcode, f"Đảng bộ {level} {short}", K.PROVINCIAL)
    subordinate = {
        "dang": root.add(Node(f"{pcode}-CQD", f"Đảng bộ các cơ quan Đảng {level} {short}", K.SUBORDINATE)),
        "ubnd": root.add(Node(f"{pcode}-UB", f"Đảng bộ Ủy ban nhân dân {level} {short}", K.SUBORDINATE)),
        "dn": root.add(Node(f"{pcode}-DN", f"Đảng bộ Doanh nghiệp {level} {short}", K.SUBORDINATE)),
    }
    # About 30 members a cell; a committee has 3-10 cells.
    target_cells = max(16, round(0.9 * n_members / 30))
    committees: list[Node] = []
    cells: list[Node] = []
    units = _workplace_units(rng, short, level)
    while len(cells) < target_cells or len(committees) < 4:
        key, sector, unit, cell_names = next(units)
        n = len(committees) + 1
        committee = subordinate[key].add(
            Node(f"{pcode}-CS{n:03d}", f"Đảng bộ {unit}", K.GRASSROOTS, sector=sector, unit=unit)
        )
        committees.append(committee)
        size = rng.randint(3, min(10, len(cell_names)))
        names = cell_names[:2] + rng.sample(cell_names[2:], size - 2)
        for k, cell_name in enumerate(names, start=1):
            cells.append(
                committee.add(
                    Node(f"{committee.code}-{k:02d}", f"Chi bộ {cell_name}", K.CELL, sector=sector, unit=unit)
                )
            )

    # Commune/ward committees sit directly under the province since 07/2025. The first is a ward.
    n_communes = min(len(communes), max(5, n_members // 800))
    wards = [c for c in communes if c.division_type == "phường"]
    first = wards[0] if wards else communes[0]
    others = [c for c in communes if c.code != first.code]
    chosen = [first] + sorted(rng.sample(others, n_communes - 1), key=lambda c: c.name_folded)
    per_commune = max(4, min(20, n_members // (n_communes * 60)))
    commune_committees: list[Node] = []
    residential: dict[str, list[Node]] = {}
    for commune in chosen:
        committee = root.add(
            Node(
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
                Node(
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
    return Tree(root, committees, cells, commune_committees, residential)


def write_tree(tree: Tree, province: Province) -> None:
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
                sort_key=vn_text_key(node.name),
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
