"""Export then import of the member list changes nothing (issue 4), proved on generated Vietnamese members."""

import datetime
import unicodedata

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haichieu.core.models import AuditEntry
from haichieu.members.imports import members_import
from haichieu.members.models import Member
from haichieu.members.services import derived_name_fields
from haichieu.organizations.models import Commune, Province

pytestmark = pytest.mark.django_db

INITIALS = [
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gi",
    "h",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "ph",
    "qu",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ươ", "iê", "uô", "oa"]
FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u"]
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]  # huyền, sắc, ngã, hỏi, nặng
WORDS = [
    "Phó",
    "Trưởng",
    "phòng",
    "Chuyên",
    "viên",
    "Sở",
    "Tài",
    "chính",
    "Ban",
    "Tổ",
    "dân",
    "phố",
    "số",
    "12",
]


@st.composite
def syllables(draw):
    vowel = draw(st.sampled_from(VOWELS))
    tone = draw(st.sampled_from(TONES))
    toned = (
        unicodedata.normalize("NFC", vowel[-1] + tone)
        if len(vowel) > 1
        else unicodedata.normalize("NFC", vowel + tone)
    )
    vowel = vowel[:-1] + toned if len(vowel) > 1 else toned
    word = draw(st.sampled_from(INITIALS)) + vowel + draw(st.sampled_from(FINALS))
    return word[0].upper() + word[1:]


names = st.lists(syllables(), min_size=2, max_size=5).map(" ".join)
# Text cells, some starting with what a spreadsheet would run as a formula (the export quotes them).
free_text = st.one_of(
    st.just(""),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join),
    st.tuples(st.sampled_from(["=", "-", "+", "@"]), st.sampled_from(WORDS)).map(
        lambda t: f"{t[0]} {t[1]}".strip()
    ),
)
digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@st.composite
def members(draw):
    born = draw(st.dates(datetime.date(1940, 1, 1), datetime.date(2000, 12, 31)))
    admitted = born + datetime.timedelta(days=draw(st.integers(19 * 366, 45 * 365)))
    admitted = min(admitted, datetime.date(2025, 12, 31))
    full = draw(st.one_of(st.none(), st.just(admitted + datetime.timedelta(days=365))))
    if full is None:
        status = Member.Status.PROBATIONARY
    else:
        status = draw(st.sampled_from([Member.Status.FULL, Member.Status.TRANSFERRED, Member.Status.FULL]))
    card_format = draw(st.sampled_from(["{}", "{}.{}", "-{}"]))
    return {
        "name": draw(names),
        "date_of_birth": born,
        "gender": draw(st.sampled_from([Member.Gender.MALE, Member.Gender.FEMALE])),
        "admission_date": admitted,
        "full_membership_date": full,
        "status": status,
        "card_format": card_format,
        "national_id": draw(
            st.one_of(st.just(""), st.tuples(st.sampled_from(["001", "079", "048"]), digits).map("".join))
        ),
        "phone": draw(
            st.one_of(st.just(""), digits.map(lambda d: "09" + d[1:]), digits.map(lambda d: "+84" + d))
        ),
        "email": draw(
            st.one_of(st.just(""), st.from_regex(r"[a-z]{1,8}\.[a-z]{1,5}@example\.vn", fullmatch=True))
        ),
        "position": draw(free_text),
        "workplace_unit": draw(free_text),
        "address_street": draw(free_text),
        "address_hamlet": draw(free_text),
        "cell": draw(st.sampled_from(["w1c1", "w1c2"])),
        "commune": draw(st.sampled_from([None, "00070", "00004"])),
    }


def _create(world, specs):
    hanoi = Province.objects.get(code="01")
    for n, spec in enumerate(specs):
        number = f"{70000000 + n}"
        card = (
            spec["card_format"].format(number[:4], number[4:])
            if "." in spec["card_format"]
            else spec["card_format"].format(number)
        )
        commune = Commune.objects.get(code=spec["commune"]) if spec["commune"] else None
        Member.objects.create(
            **derived_name_fields(spec["name"]),
            date_of_birth=spec["date_of_birth"],
            gender=spec["gender"],
            party_card_number=card,
            admission_date=spec["admission_date"],
            full_membership_date=spec["full_membership_date"],
            status=spec["status"],
            national_id=spec["national_id"],
            phone=spec["phone"],
            email=spec["email"],
            position=spec["position"],
            workplace_unit=spec["workplace_unit"],
            address_street=spec["address_street"],
            address_hamlet=spec["address_hamlet"],
            workplace_cell=getattr(world, spec["cell"]),
            residence_commune=commune,
            residence_province=hanoi if commune else None,
        )


def _export(client) -> bytes:
    response = client.get(reverse("members:list"), {"format": "xlsx"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _round_trip(client, user, tmp_path, *, exported: int):
    path = tmp_path / "xuat.xlsx"
    path.write_bytes(_export(client))
    state = list(Member.objects.order_by("pk").values())
    entries = AuditEntry.objects.exclude(action="export").count()
    result = members_import(actor=user, path=path, apply=True)
    assert result.errors == [] and not result.file_error
    assert (result.created, result.updated, result.invalid) == (0, 0, 0)
    assert result.unchanged == exported == result.rows
    assert list(Member.objects.order_by("pk").values()) == state
    assert AuditEntry.objects.exclude(action="export").count() == entries


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(members(), min_size=1, max_size=8, unique_by=lambda m: m["national_id"] or object()))
def test_export_then_import_changes_nothing(world, client_for, tmp_path_factory, specs):
    client = client_for(world.w1_staff)
    with transaction.atomic():
        Member.objects.filter(pk=world.m1.pk).update(national_id="001085000001")  # m1 and m3 share one
        _create(world, specs)
        exported = Member.objects.filter(workplace_cell__in=[world.w1c1, world.w1c2]).count()
        _round_trip(client, world.w1_staff, tmp_path_factory.mktemp("xuat"), exported=exported)
        transaction.set_rollback(True)


def test_the_whole_deployment_exported_by_an_administrator_imports_back_unchanged(
    world, client_for, tmp_path
):
    Member.objects.filter(pk=world.m3.pk).update(national_id="001085000003")
    _round_trip(client_for(world.admin), world.admin, tmp_path, exported=Member.objects.count())
