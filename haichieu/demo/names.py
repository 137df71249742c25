"""Vietnamese names of people, streets and villages.

Faker's vi_VN lists come in Western order with titles; we take its words and build names the
Vietnamese way (family + middle + given), with family names weighted by how common they are.
"""

from __future__ import annotations

import functools
import itertools
import random

from faker.providers.address.vi_VN import Provider as FakerAddress
from faker.providers.person.vi_VN import Provider as FakerPerson

from haichieu.members.models import Member
from haichieu.members.services import derived_name_fields

_FAMILY_WEIGHTS = {
    "Nguyễn": 380, "Trần": 110, "Lê": 95, "Phạm": 70, "Hoàng": 40, "Huỳnh": 20, "Phan": 45,
    "Vũ": 30, "Võ": 20, "Đặng": 21, "Bùi": 20, "Đỗ": 14, "Hồ": 13, "Ngô": 13, "Dương": 10,
    "Lý": 5, "Mai": 5, "Đinh": 6, "Trịnh": 5, "Đào": 5, "Lương": 3, "Cao": 3, "Tạ": 2,
    "Quách": 1, "Khúc": 1, "Mạc": 1, "Tôn": 1, "Kiều": 1, "Chu": 2,
}  # fmt: skip # a data table: one entry a line would hide its shape
for _name in FakerPerson.last_names:
    _FAMILY_WEIGHTS.setdefault(_name, 5)
FAMILY_NAMES = list(_FAMILY_WEIGHTS)
FAMILY_CUM = list(itertools.accumulate(_FAMILY_WEIGHTS.values()))

_NOT_MALE_MIDDLE = {"Thị", "Mai", "Mai Bảo"}
MALE_MIDDLE = sorted(
    {m for m in FakerPerson.middle_names if m not in _NOT_MALE_MIDDLE}
    | {"Văn", "Đức", "Hữu", "Quang", "Minh", "Công", "Đình", "Trọng", "Mạnh", "Thanh", "Ngọc", "Xuân", "Duy", "Tiến", "Bá", "Quốc"}
)  # fmt: skip # a data table: one entry a line would hide its shape
FEMALE_MIDDLE = sorted(
    {"Thu", "Ngọc", "Thanh", "Minh", "Thùy", "Kim", "Phương", "Bích", "Hồng", "Mai", "Thúy", "Diệu", "Hải"}
)
MALE_GIVEN = sorted(
    set(FakerPerson.first_names_male)
    | set(FakerPerson.first_names_unisex)
    | {"Cường", "Dũng", "Đạt", "Hiếu", "Hùng", "Khánh", "Long", "Lộc", "Nghĩa", "Phong", "Quân", "Sơn", "Tâm", "Thắng", "Thịnh", "Toàn", "Tuấn", "Việt", "Vinh", "Bình", "Chiến", "Định", "Giang", "Hậu", "Kiên", "Lực", "Tài", "Thái", "Thông", "Trường"}
)  # fmt: skip # a data table: one entry a line would hide its shape
FEMALE_GIVEN = sorted(
    set(FakerPerson.first_names_female)
    | set(FakerPerson.first_names_unisex)
    | {"Hoa", "Hằng", "Huyền", "Loan", "Nga", "Nhung", "Oanh", "Phượng", "Quyên", "Tâm", "Thủy", "Trang", "Uyên", "Yến", "Giang", "Hiền", "Liên", "Lý", "My", "Nhàn", "Quỳnh", "Thư", "Trinh", "Vy", "Dung", "Hạnh", "Lụa", "Thắm", "Bình", "Tuyết"}
)  # fmt: skip # a data table: one entry a line would hide its shape
STREETS = list(FakerAddress.streets)
VILLAGES = [
    "Đông", "Đoài", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Tân Lập", "Tiền Phong", "Đồng Tâm",
    "Hòa Bình", "Quyết Tiến", "Thống Nhất", "Đại Đồng", "Phú Mỹ", "An Lạc", "Yên Bình", "Hợp Thành",
    "Minh Khai", "Tân Phú", "Đoàn Kết", "Phú Thịnh", "Văn Giáp", "Cổ Điển", "Lạc Thị", "Vĩnh Ninh",
]  # fmt: skip # a data table: one entry a line would hide its shape


@functools.cache
def name_fields(full_name: str) -> tuple[str, str, str]:
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
