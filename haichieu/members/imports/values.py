"""Reading the cells of the sheets people really keep: header names and values as Excel stores them.

Headers are recognised whatever their case, diacritics, spacing and punctuation, and under the
names offices use ("Ngày tháng năm sinh", "Số thẻ ĐV", "CCCD/CMND", "SĐT"). Values come as Excel
stored them: dates as dates or as text in Vietnamese forms, numbers that lost their leading zeros,
decomposed Unicode, stray spaces, and the quote the exporter puts before text that would read as a
formula.
"""

import datetime
import re

from openpyxl.utils.datetime import from_excel, to_excel

from haichieu.core.exports import FORMULA_TRIGGERS
from haichieu.core.text import clean_text, fold

from ..models import Member

# Canonical header -> field (the template's columns, MEMBER_COLUMNS) and the other names offices use.
HEADER_SYNONYMS: dict[str, list[str]] = {
    "row_number": ["STT", "TT", "Số TT", "Số thứ tự"],
    "full_name": [
        "Họ và tên", "Họ tên", "Họ, tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên",
        "Họ và tên khai sinh", "Họ tên khai sinh", "Họ tên đang dùng", "Họ và tên đang dùng",
    ],
    "family_middle": ["Họ và tên đệm", "Họ đệm", "Họ và đệm", "Họ, tên đệm"],
    "given_name": ["Tên"],
    "date_of_birth": [
        "Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Sinh ngày", "Năm sinh", "Sinh năm",
    ],
    "gender": ["Giới tính", "Nam/Nữ", "Nam, nữ", "Giới"],
    "party_card_number": [
        "Số thẻ đảng viên", "Số thẻ ĐV", "Số thẻ", "Thẻ đảng viên", "Số thẻ Đảng", "Mã đảng viên",
    ],
    "admission_date": [
        "Ngày vào Đảng", "Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày vào Đảng (dự bị)", "Ngày vào Đảng dự bị",
        "Thời gian vào Đảng", "Năm vào Đảng", "Ngày vào Đảng ngày kết nạp",
    ],
    "full_membership_date": [
        "Ngày chính thức", "Ngày công nhận chính thức", "Ngày chuyển chính thức", "Ngày vào Đảng chính thức",
    ],
    "national_id": [
        "Số CCCD", "CCCD", "CCCD/CMND", "CMND/CCCD", "Số CCCD/CMND", "Số CMND/CCCD", "Số định danh",
        "Số định danh cá nhân", "Căn cước công dân", "Số căn cước", "Số căn cước công dân", "Căn cước",
        "Số CMND", "CMND", "Số CMND/Căn cước", "Số CMND/thẻ căn cước",
    ],
    "phone": [
        "Điện thoại", "Số điện thoại", "SĐT", "ĐT", "Số ĐT", "Điện thoại di động", "Di động",
        "Điện thoại liên hệ", "Số điện thoại liên hệ", "SĐT liên hệ",
    ],
    "email": ["Email", "E-mail", "Thư điện tử", "Địa chỉ email", "Email liên hệ", "Địa chỉ thư điện tử"],
    "position": ["Chức vụ", "Chức danh", "Chức vụ, chức danh"],
    "workplace_unit": ["Đơn vị công tác", "Nơi công tác", "Cơ quan công tác", "Cơ quan, đơn vị công tác"],
    "workplace_cell": [
        "Chi bộ", "Chi bộ sinh hoạt", "Mã chi bộ", "Chi bộ sinh hoạt chính thức", "Tên chi bộ", "Thuộc chi bộ",
    ],
    "address_street": [
        "Địa chỉ", "Số nhà, đường phố", "Số nhà", "Địa chỉ cư trú", "Nơi ở hiện nay", "Địa chỉ thường trú",
        "Nơi thường trú", "Hộ khẩu thường trú",
    ],
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
    # Columns that hold several fields, as the party's member register (sổ danh sách đảng viên) keeps
    # them: one line each in the cell (COMPOUND_FIELDS says which).
    "name_birth": ["Họ và tên\nHọ tên khai sinh", "Họ và tên, ngày sinh", "Họ tên, ngày sinh"],
    "gender_lines": [
        "Nam nữ, dân tộc, tôn giáo", "Nam, nữ, dân tộc, tôn giáo", "Giới tính, dân tộc, tôn giáo",
        "Nam nữ, dân tộc", "Giới tính, dân tộc",
    ],
    "admission_lines": [
        "Ngày vào Đảng, ngày chính thức", "Ngày vào Đảng, ngày công nhận chính thức",
        "Ngày kết nạp, ngày chính thức",
    ],
    "card_digits": [
        "Số thẻ đảng viên, số LL đảng viên", "Số thẻ đảng viên, số lý lịch đảng viên", "Số thẻ, số LL đảng viên",
        "Số thẻ, số lý lịch đảng viên", "Số thẻ ĐV, số LLĐV",
    ],
    "card_lines": [
        "Số thẻ đảng viên/Số lý lịch", "Số thẻ đảng viên/số LL", "Số thẻ/Số lý lịch", "Số thẻ, số lý lịch",
    ],
}  # fmt: skip # a data table: one entry a line would hide its shape

# field of a compound column -> the fields it holds, one line of the cell each (the card's digits:
# one column each, the card number's digit on the first line, the record number's on the second).
COMPOUND_FIELDS: dict[str, tuple[str, ...]] = {
    "name_birth": ("full_name", "date_of_birth"),
    "gender_lines": ("gender",),
    "admission_lines": ("admission_date", "full_membership_date"),
    "card_digits": ("party_card_number",),
    "card_lines": ("party_card_number",),
    "birth_date_male": ("date_of_birth", "gender"),
    "birth_date_female": ("date_of_birth", "gender"),
}

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


def subheader_field(parent: str, text: str) -> str | None:
    """The field of a sub-column `text` under a heading `parent` merged over several columns: the
    birth date under "Nam" | "Nữ" (the column gives the sex), "Ngày vào Đảng" over "Dự bị" |
    "Chính thức"; None when the two say nothing together (each is then read alone)."""
    parent_field = header_field(parent)
    if parent_field is None:
        return None
    if parent_field == "date_of_birth":
        sex = header_key(text)
        if sex == "nam":
            return "birth_date_male"
        if sex == "nu":
            return "birth_date_female"
    combined = header_field(f"{parent} {text}")
    # "Ngày vào Đảng" over "Ngày chính thức" reads like the register's one column of both dates.
    return None if combined in COMPOUND_FIELDS else combined


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


def digits_of_number(value) -> str | None:
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
    digits = digits_of_number(value)
    if digits is not None and len(digits) in (10, 11):
        return digits.zfill(12)
    return cell_text(value)


def phone_text(value) -> str:
    """A phone number; one Excel stored as a number (912345678, 84912345678) gets its 0 (or +) back."""
    digits = digits_of_number(value)
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
    digits = digits_of_number(value)
    return digits if digits is not None else cell_text(value)


OLD_ID_RE = re.compile(r"^\d{9}$")


def identity_text(value) -> str:
    """A national ID as `national_id_text` reads it, spaces taken out: 12 digits (CCCD) or, on older
    lists, 9 (CMND)."""
    return national_id_text(value).replace(" ", "")


def _lines(value) -> list:
    """The lines of a cell (a number or a date is one line)."""
    if value.__class__ is str:
        return [line for line in map(cell_text, value.splitlines()) if line]
    if value is None:
        return []
    return [value]


def expand_compound(raw: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The fields of the compound columns (COMPOUND_FIELDS) of a raw row, split into the plain
    fields; a plain column of the same field wins. Returns the row and (field, message) errors."""
    raw = dict(raw)
    errors = []
    if "name_birth" in raw:
        lines = _lines(raw.pop("name_birth"))
        if lines:
            raw.setdefault("full_name", lines[0])
        dated = [line for line in lines[1:] if line.__class__ is not str or any(c.isdigit() for c in line)]
        if dated:
            raw.setdefault("date_of_birth", dated[-1])
    if "gender_lines" in raw:
        lines = _lines(raw.pop("gender_lines"))
        if lines:
            raw.setdefault("gender", lines[0])
    if "admission_lines" in raw:
        lines = _lines(raw.pop("admission_lines"))
        for name, line in zip(("admission_date", "full_membership_date"), lines, strict=False):
            raw.setdefault(name, line)
    if "card_digits" in raw:
        digits = []
        for value in raw.pop("card_digits"):
            lines = _lines(value)
            if lines:
                first = lines[0]
                digits.append(first if first.__class__ is str else card_text(first))
        if digits:
            raw.setdefault("party_card_number", "".join(digits))
    if "card_lines" in raw:
        value = raw.pop("card_lines")
        if value.__class__ is str:
            value = cell_text(re.split(r"[\n/]", value, maxsplit=1)[0])
        raw.setdefault("party_card_number", value)
    if "birth_date_male" in raw or "birth_date_female" in raw:
        pairs = ((raw.pop("birth_date_male", None), "Nam"), (raw.pop("birth_date_female", None), "Nữ"))
        found = [(v, sex) for v, sex in pairs if v is not None and (v.__class__ is not str or cell_text(v))]
        if len(found) == 1:
            raw.setdefault("date_of_birth", found[0][0])
            raw.setdefault("gender", found[0][1])
        elif found:
            errors.append(("date_of_birth", "Có ngày sinh ở cả cột Nam và cột Nữ: chỉ ghi ở một cột."))
    return raw, errors


_DMY = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*(?:thang|/)\s*(\d{1,2})\s*(?:nam|/)\s*(\d{4})$")


class BadValue(ValueError):
    """A cell that cannot be read as the column's kind of value; the message is for the user."""


# Excel serial numbers of 1 January 1910 and of 1 January 2100: a member's dates fall between, so a
# number outside is not a date (a stray 7 from a numbering row, the year 1957 read as 10 May 1905).
FIRST_SERIAL = 3654
LAST_SERIAL = 73051
# A number or a text of four digits in these years is a year alone.
YEARS = range(1800, 2200)
_YEAR = re.compile(r"^\d{4}$")


def year_only_message(year: int) -> str:
    return f"Chỉ ghi năm ({year}), thiếu ngày và tháng: hãy ghi đủ ngày/tháng/năm theo dạng dd/mm/yyyy."


def _not_a_date(value) -> BadValue:
    from ..validators import DATE_INVALID

    return BadValue(f"Số “{cell_text(value)}” không phải là ngày. {DATE_INVALID}")


def _excel_date(day: datetime.date, swap_day_month: bool) -> datetime.date:
    """An Excel date; with `swap_day_month`, its day and month swapped: typed as 8/6/2015 (8 June)
    into an English-locale Excel, it was stored as 6 August (a day > 12 stays text there)."""
    if swap_day_month and day.day <= 12:
        return day.replace(month=day.day, day=day.month)
    return day


def date_value(value, *, today: datetime.date, swap_day_month: bool = False) -> datetime.date | None:
    """A date from an Excel date, an Excel serial number or text: dd/mm/yyyy, d/m/yy, dd-mm-yyyy,
    dd.mm.yyyy, 'ngày 17 tháng 5 năm 1985', yyyy-mm-dd. Two-digit years are the latest past one.

    A year alone (1957, "1958", or 1957 in a cell formatted as a date: 10/05/1905) is refused with
    its own message, never read as a date in 1905; a number is a date only when it is a plausible
    serial (1910–2099). `swap_day_month` reads Excel's own dates (not texts) as day/month swapped."""
    from ..validators import DATE_INVALID

    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day.year < 1910:
            serial = int(to_excel(datetime.datetime(day.year, day.month, day.day)))
            if serial in YEARS:
                raise BadValue(year_only_message(serial))
            raise BadValue(DATE_INVALID)
        return _excel_date(day, swap_day_month)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, int) or value.is_integer():
            if int(value) in YEARS:
                raise BadValue(year_only_message(int(value)))
        if FIRST_SERIAL <= value < LAST_SERIAL:
            result = from_excel(value)
            day = result.date() if isinstance(result, datetime.datetime) else result
            return _excel_date(day, swap_day_month)
        raise _not_a_date(value)
    text = cell_text(value)
    if not text:
        return None
    if _YEAR.match(text) and int(text) in YEARS:
        raise BadValue(year_only_message(int(text)))
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


def text_day(value) -> int | None:
    """The day of a date typed as text (d/m/y), for telling a column's swapped dates; else None."""
    if value.__class__ is not str:
        return None
    match = _DMY.match(fold(cell_text(value)))
    return int(match[1]) if match else None


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


# A total row's label: with its diacritics ("Tống Sơn…", a given name "Công" are names), or typed
# without them; "Tổng"/"Cộng" alone only before a number, a colon or nothing ("Tổng Văn Bình" is a name).
_TOTAL_TAIL = r"(?:\s*[:.\-]|\s*\d|\s*$|\s+(?:{words})\b)"
_TOTAL = re.compile(
    r"^(?:(?:tổng cộng|tổng số)(?!\w)|(?:tổng|cộng)" + _TOTAL_TAIL.format(words="đảng viên|đv|người") + ")"
)
_TOTAL_PLAIN = re.compile(
    r"^(?:tong cong|tong so|tong|cong)" + _TOTAL_TAIL.format(words="dang vien|dv|nguoi")
)


def is_total_text(text: str) -> bool:
    """'Tổng cộng', 'Tổng số: 25 đảng viên', 'Cộng' — the label of a sum row under the list."""
    lower = cell_text(text).lower()
    if _TOTAL.match(lower):
        return True
    return lower.isascii() and bool(_TOTAL_PLAIN.match(lower))


# What is written under a table: notes, who drew it up, signatures, "Hà Nội, ngày … tháng … năm …".
_FOOTER = re.compile(
    r"^(?:ghi chu|chu thich|luu y|nguoi lap|nguoi ky|\(?ky,? (?:ten|ghi ro)|\(?ky va ghi ro|ky ten|"
    r"t/m\b|tm[. ]|thay mat|k/t\b|kt[. ]|xac nhan|noi nhan|thu truong|lanh dao)"
)
_FOOTER_EXACT = {"bi thu", "pho bi thu", "chi uy vien", "nguoi lap bieu", "ky ten", "chu tich"}
_SIGNED_DATE = re.compile(r"^[^0-9]{0,60},\s*ngay\b.*\bthang\b.*\bnam\b")


def is_footer_text(text: str) -> bool:
    """'Người lập biểu', '(Ký, ghi rõ họ tên)', 'T/M CHI BỘ', 'Hà Nội, ngày 5 tháng 6 năm 2024'."""
    folded = fold(text)
    return bool(folded) and (
        folded in _FOOTER_EXACT or bool(_FOOTER.match(folded)) or bool(_SIGNED_DATE.match(folded))
    )
