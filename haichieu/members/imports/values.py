"""Reading the cells of the sheets people really keep: header names and values as Excel stores them.

Headers are recognised whatever their case, diacritics, spacing and punctuation, and under the
names offices use ("Ngày tháng năm sinh", "Số thẻ ĐV", "CCCD/CMND", "SĐT"). Values come as Excel
stored them: dates as dates or as text in Vietnamese forms, numbers that lost their leading zeros,
decomposed Unicode, stray spaces, and the quote the exporter puts before text that would read as a
formula.
"""

import datetime
import re

from openpyxl.utils.datetime import from_excel

from haichieu.core.exports import FORMULA_TRIGGERS
from haichieu.core.text import clean_text, fold

from ..models import Member

# Canonical header -> field (the template's columns, MEMBER_COLUMNS) and the other names offices use.
HEADER_SYNONYMS: dict[str, list[str]] = {
    "row_number": ["STT", "TT", "Số TT", "Số thứ tự"],
    "full_name": [
        "Họ và tên", "Họ tên", "Họ, tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên",
        "Họ và tên khai sinh",
    ],
    "family_middle": ["Họ và tên đệm", "Họ đệm", "Họ và đệm", "Họ, tên đệm"],
    "given_name": ["Tên"],
    "date_of_birth": ["Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Sinh ngày", "Năm sinh"],
    "gender": ["Giới tính", "Nam/Nữ", "Nam, nữ", "Giới"],
    "party_card_number": [
        "Số thẻ đảng viên", "Số thẻ ĐV", "Số thẻ", "Thẻ đảng viên", "Số thẻ Đảng", "Mã đảng viên",
    ],
    "admission_date": ["Ngày vào Đảng", "Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày vào Đảng (dự bị)"],
    "full_membership_date": [
        "Ngày chính thức", "Ngày công nhận chính thức", "Ngày chuyển chính thức", "Ngày vào Đảng chính thức",
    ],
    "national_id": [
        "Số CCCD", "CCCD", "CCCD/CMND", "CMND/CCCD", "Số CCCD/CMND", "Số CMND/CCCD", "Số định danh",
        "Số định danh cá nhân", "Căn cước công dân", "Số căn cước", "Số căn cước công dân", "Căn cước",
    ],
    "phone": ["Điện thoại", "Số điện thoại", "SĐT", "ĐT", "Số ĐT", "Điện thoại di động", "Di động"],
    "email": ["Email", "E-mail", "Thư điện tử", "Địa chỉ email"],
    "position": ["Chức vụ", "Chức danh", "Chức vụ, chức danh"],
    "workplace_unit": ["Đơn vị công tác", "Nơi công tác", "Cơ quan công tác", "Cơ quan, đơn vị công tác"],
    "workplace_cell": ["Chi bộ", "Chi bộ sinh hoạt", "Mã chi bộ", "Chi bộ sinh hoạt chính thức", "Tên chi bộ"],
    "address_street": ["Địa chỉ", "Số nhà, đường phố", "Số nhà", "Địa chỉ cư trú", "Nơi ở hiện nay"],
    "address_hamlet": [
        "Thôn/Tổ dân phố", "Thôn, tổ dân phố", "Thôn", "Tổ dân phố", "Thôn/Tổ", "Khu phố", "Thôn, ấp, bản",
        "Thôn/Tổ dân phố/Khu phố",
    ],
    "residence_commune": [
        "Xã/Phường/Đặc khu", "Xã/Phường", "Phường/Xã", "Xã, phường", "Xã", "Phường", "Xã, phường, đặc khu",
        "Xã/Phường/Thị trấn",
    ],
    "liaison_category": ["Diện giữ mối liên hệ", "Diện", "Diện HD 33", "Diện giữ mối liên hệ nơi cư trú"],
    "liaison_category_note": ["Lý do miễn, không giới thiệu", "Lý do miễn", "Lý do miễn sinh hoạt"],
    "residence_province": ["Tỉnh/Thành phố", "Tỉnh/TP", "Tỉnh, thành phố", "Tỉnh", "Tỉnh thành", "Thành phố"],
}  # fmt: skip # a data table: one entry a line would hide its shape

# A value quoted back in a message is cut to this many characters: a message repeats on every row
# that holds the value, and the preview keeps the messages (issue 9, finding 5).
QUOTE_CHARS = 60


def quoted(text: str) -> str:
    """“text” as a message quotes it: at most QUOTE_CHARS characters."""
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rstrip() + "…"
    return f"“{text}”"


class TooLong:
    """A cell longer than the import reads (reader.cell_chars_limit): its length, not its text."""

    __slots__ = ("length",)

    def __init__(self, length: int):
        self.length = length

    def __repr__(self) -> str:
        return f"TooLong({self.length})"


_PARENTHESES = re.compile(r"\([^)]*\)")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text) -> str:
    """'  Số thẻ ĐV (*) ' -> 'sothedv': no case, diacritics, spaces, punctuation, notes in brackets."""
    folded = fold(_PARENTHESES.sub(" ", str(text or "")))
    return _NOT_ALNUM.sub("", folded)


HEADER_FIELDS: dict[str, str] = {
    header_key(name): field for field, names in HEADER_SYNONYMS.items() for name in names
}


def header_field(text) -> str | None:
    """The field a header names, or None. Brackets count when they are all there is ('(1)')."""
    key = header_key(text)
    if key in HEADER_FIELDS:
        return HEADER_FIELDS[key]
    return HEADER_FIELDS.get(_NOT_ALNUM.sub("", fold(str(text or ""))))


# --- values ----------------------------------------------------------------------------------------
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def cell_text(value) -> str:
    """A cell as clean text: NFC, trimmed, inner spaces collapsed, the exporter's formula quote removed."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value[:1] == "'" and value[1:2] in FORMULA_TRIGGERS:
            value = value[1:]
        return clean_text(value.translate(_INVISIBLE))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return (
            value.strftime("%d/%m/%Y")
            if value.time() == datetime.time()
            else value.strftime("%d/%m/%Y %H:%M")
        )
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(str(value))


def _digits_of_number(value) -> str | None:
    """The digits of a number Excel stored as a number (12345678.0 -> '12345678'), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def national_id_text(value) -> str:
    """A national ID; a 12-digit number Excel shortened by dropping its leading zeros gets them back.

    Every CCCD starts with the province code 001–096, so a number of 10 or 11 digits lost zeros.
    """
    digits = _digits_of_number(value)
    if digits is not None and len(digits) in (10, 11):
        return digits.zfill(12)
    return cell_text(value)


def phone_text(value) -> str:
    """A phone number; one Excel stored as a number (912345678, 84912345678) gets its 0 (or +) back."""
    digits = _digits_of_number(value)
    if digits is None:
        text = cell_text(value)
        compact = re.sub(r"[\s.\-()]", "", text)
        if not (compact.isdigit() and len(compact) == 9):
            return text
        digits = compact
    if digits.startswith("84") and len(digits) in (11, 12):
        return "+" + digits
    if len(digits) in (9, 10) and not digits.startswith("0"):
        return "0" + digits
    return digits


def card_text(value) -> str:
    digits = _digits_of_number(value)
    return digits if digits is not None else cell_text(value)


_DMY = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*(?:thang|/)\s*(\d{1,2})\s*(?:nam|/)\s*(\d{4})$")


class BadValue(ValueError):
    """A cell that cannot be read as the column's kind of value; the message is for the user."""


def date_value(value, *, today: datetime.date) -> datetime.date | None:
    """A date from an Excel date, an Excel serial number or text: dd/mm/yyyy, d/m/yy, dd-mm-yyyy,
    dd.mm.yyyy, 'ngày 17 tháng 5 năm 1985', yyyy-mm-dd. Two-digit years are the latest past one."""
    from ..validators import DATE_INVALID

    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            result = from_excel(value)
            return result.date() if isinstance(result, datetime.datetime) else result
        raise BadValue(DATE_INVALID)
    text = cell_text(value)
    if not text:
        return None
    folded = fold(text)
    match = _DMY.match(folded)
    if match:
        day, month, year = int(match[1]), int(match[3]), match[4]
    elif match := _ISO.match(folded):
        year, month, day = match[1], int(match[2]), int(match[3])
    elif match := _WORDS.match(folded):
        day, month, year = int(match[1]), int(match[2]), match[3]
    else:
        raise BadValue(DATE_INVALID)
    short_year = len(year) == 2
    year = int(year)
    if short_year:
        year += 2000 if year + 2000 <= today.year else 1900
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise BadValue(DATE_INVALID) from None


GENDERS = {
    "nam": Member.Gender.MALE, "m": Member.Gender.MALE, "male": Member.Gender.MALE,
    "nu": Member.Gender.FEMALE, "f": Member.Gender.FEMALE, "female": Member.Gender.FEMALE,
}  # fmt: skip # a data table: one entry a line would hide its shape


def gender_value(value) -> str | None:
    from ..validators import field_label, invalid_choice_message

    text = cell_text(value)
    if not text:
        return None
    gender = GENDERS.get(fold(text).rstrip("."))
    if gender is None:
        raise BadValue(invalid_choice_message(field_label("gender")) + " Ghi “Nam” hoặc “Nữ”.")
    return gender


def category_value(value) -> str | None:
    """A category (Member.LiaisonCategory) by its label, as the export writes it, or its code; any
    case, with or without diacritics."""
    from ..validators import field_label, invalid_choice_message

    text = cell_text(value)
    if not text:
        return None
    key = fold(text).rstrip(".")
    for code, label in Member.LiaisonCategory.choices:
        if key in (code, fold(label)):
            return code
    raise BadValue(
        invalid_choice_message(field_label("liaison_category"))
        + " Ghi đúng tên diện như trang Quy định đang áp dụng, hoặc để trống."
    )


_TOTAL_WORDS = ("tong cong", "tong so", "cong:", "tong:")


def is_total_text(text: str) -> bool:
    """'Tổng cộng', 'Tổng số: 25 đảng viên', 'Cộng' — a sum row under the list."""
    folded = fold(text)
    return folded in ("tong", "cong", "tong cong", "cong") or folded.startswith(_TOTAL_WORDS)
