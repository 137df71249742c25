"""The rules a member record must satisfy, shared by the member form and the Excel import.

Each field rule takes the raw value and returns it cleaned, or raises `ValidationError` with the
Vietnamese message the user sees; `member_record_errors` checks the rules that tie several fields
together. One set of rules, so a row the import accepts is a record the form would accept.
"""

import datetime
import re

from django.core.exceptions import ValidationError

from haichieu.core.text import clean_text

from .models import Member

NATIONAL_ID_RE = re.compile(r"^\d{12}$")
PHONE_RE = re.compile(r"^(0|\+84)\d{9,10}$")
_NAME_FORBIDDEN = re.compile(r"[0-9@#$%^&*=+<>{}\[\]|\\/]")
_CARD_RE = re.compile(r"[0-9A-Za-z.\-]{4,20}")
_PHONE_NOISE = re.compile(r"[\s.\-()]")

DATE_INVALID = "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."
EMAIL_INVALID = "Địa chỉ email không hợp lệ: hãy nhập theo dạng ten@coquan.vn."
CARD_TAKEN = "Số thẻ đảng viên này đã có trong hệ thống."


def required_message(label: str) -> str:
    return f"Vui lòng nhập {label.lower()}."


def invalid_choice_message(label: str) -> str:
    return f"{label.capitalize()} không hợp lệ."


def field_label(name: str) -> str:
    return str(Member._meta.get_field(name).verbose_name)


def normalise_phone(value: str) -> str:
    return _PHONE_NOISE.sub("", value or "")


def clean_full_name(value) -> str:
    value = clean_text(value)
    if len(value.split(" ")) < 2:
        raise ValidationError("Họ và tên phải có ít nhất họ và tên (hai từ trở lên).")
    if _NAME_FORBIDDEN.search(value):
        raise ValidationError("Họ và tên chỉ gồm chữ cái và khoảng trắng.")
    return value


def clean_party_card_number(value) -> str:
    value = clean_text(value).replace(" ", "")
    if not _CARD_RE.fullmatch(value):
        raise ValidationError("Số thẻ đảng viên chỉ gồm chữ số (có thể có dấu chấm, gạch), 4–20 ký tự.")
    return value


def clean_national_id(value) -> str:
    value = clean_text(value).replace(" ", "")
    if value and not NATIONAL_ID_RE.match(value):
        raise ValidationError("Số CCCD phải gồm đúng 12 chữ số.")
    return value


def clean_phone(value) -> str:
    value = normalise_phone(clean_text(value))
    if value and not PHONE_RE.match(value):
        raise ValidationError("Số điện thoại không hợp lệ: 10 chữ số bắt đầu bằng 0 (hoặc +84).")
    return value


def member_record_errors(data: dict, *, today: datetime.date) -> list[tuple[str, str]]:
    """(field, message) for every rule across fields that `data` (cleaned values) breaks.

    `residence_commune` and `residence_province` are the unit objects (or None).
    """
    errors = []
    born, admitted, full = (
        data.get("date_of_birth"),
        data.get("admission_date"),
        data.get("full_membership_date"),
    )
    for name in ("date_of_birth", "admission_date", "full_membership_date"):
        if data.get(name) and data[name] > today:
            errors.append((name, "Ngày không được ở tương lai."))
    if born and admitted and admitted <= born:
        errors.append(("admission_date", "Ngày vào Đảng phải sau ngày sinh."))
    elif born and admitted and (admitted.year - born.year) < 18:
        errors.append(("admission_date", "Người vào Đảng phải đủ 18 tuổi."))
    if admitted and full and full < admitted:
        errors.append(("full_membership_date", "Ngày chính thức không được trước ngày vào Đảng."))
    status = data.get("status")
    if status == Member.Status.PROBATIONARY and full:
        errors.append(("full_membership_date", "Đảng viên dự bị chưa có ngày chính thức: hãy để trống."))
    if status == Member.Status.FULL and admitted and not full:
        errors.append(("full_membership_date", "Đảng viên chính thức phải có ngày chính thức."))
    commune, province = data.get("residence_commune"), data.get("residence_province")
    if commune and province and commune.province_id != province.pk:
        errors.append(("residence_commune", "Xã/phường không thuộc tỉnh/thành phố đã chọn."))
    return errors
