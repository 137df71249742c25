"""The member import: read, validate with the member form's rules, match, and apply in one transaction.

Rules (issue 4, DESIGN.md "Bad input"):
- A row is matched to an existing member by party card number, then by national ID; an existing
  member is updated, never duplicated. An empty cell never blanks a stored value, so importing the
  same file twice changes nothing the second time.
- Rows of members the importing user may not write (their cell is outside the user's scope, or
  outside the organisation given to the command line), or that name a cell outside it, are refused
  with a message, never moved.
- A card number or national ID is matched only among the members the user sees on the workplace
  side; one held by anyone else is a collision (`members/collisions.py`): one neutral message that
  names nothing, an audit entry, and past the day's limit the whole import is refused. The command
  line (no acting user) sees everyone and keeps its messages.
- Every row is checked with the rules of the member form (`validators.py`); each invalid row is
  reported with its sheet, its row number as Excel shows it, the column header as written in the
  sheet and a Vietnamese message.
- Applying is one transaction: any invalid row stops the whole import unless the caller chose to
  apply only the valid rows; a failure half-way leaves the database as it was.
- A new residence commune for a member whose link the residence holds (introduced, received,
  active) is a move (issue 15): the preview lists these rows, and applying records each as the
  "Ghi nhận biến động" residence change on the import's day (`liaisons.services.member_record_event`:
  the link ends, the old residence is told, an introduction to the new commune opens), in the same
  transaction. A typo in a commune is corrected in the member form, which asks. The command line
  without a user cannot record events: such rows are refused with a message.
- Each created or updated member gets the audit entry `member_create`/`member_update` would have
  written (same action, same `changes`); they are written in bulk, because one service call per row
  costs several queries and a 20,000-row file would take minutes (bench/imports.py).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.access import members_visible_to, scope_for, writable_cells
from haichieu.core.audit import audit_bulk, audit_entry, audit_prepared, audit_value
from haichieu.core.bulk import (
    bulk_inserting,
    bulk_update_versioned,
    gc_paused,
    in_chunks,
)
from haichieu.core.models import AuditEntry
from haichieu.core.services import ConflictError, ServiceError
from haichieu.core.text import clean_text
from haichieu.liaisons.models import ChangeNotice, Liaison
from haichieu.liaisons.services import RESIDENCE_FIELDS, member_record_event
from haichieu.organizations.models import Organization

from .. import validators
from ..collisions import LIMIT_MESSAGE, NEUTRAL_MESSAGE, collisions_blocked, collisions_record
from ..exports import MEMBER_COLUMNS
from ..models import Member
from ..services import AUDITED_FIELDS, derived_name_fields
from .places import CellIndex, UnitIndex
from .reader import ImportFileError, SheetRows, cell_chars_limit, check_xlsx, read_workbook
from .values import (
    BadValue,
    TooLong,
    card_text,
    category_value,
    cell_text,
    date_value,
    digits_of_number,
    expand_compound,
    gender_value,
    header_field,
    identity_text,
    phone_text,
    text_day,
)

# field -> the template's header for it (where a message points when the sheet has no such column).
TEMPLATE_HEADERS = {header_field(h): h for h in MEMBER_COLUMNS}
REQUIRED = ("full_name", "date_of_birth", "gender", "party_card_number", "admission_date", "workplace_cell")
DATE_FIELDS = ("date_of_birth", "admission_date", "full_membership_date")
TEXT_FIELDS = ("position", "workplace_unit", "address_street", "address_hamlet", "liaison_category_note")
FK_FIELDS = {
    "workplace_cell": "workplace_cell_id",
    "residence_commune": "residence_commune_id",
    "residence_province": "residence_province_id",
}
CROSS_FIELDS = {*DATE_FIELDS, "residence_commune", "residence_province"}
MAX_LENGTHS = {name: Member._meta.get_field(name).max_length for name in ("full_name", "email", *TEXT_FIELDS)}
# The preview lists this many changed rows (all of them are counted).
PREVIEW_CHANGES = 500


@dataclass
class RowIssue:
    sheet: str
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = True
    file_error: str = ""
    sheets: list[str] = field(default_factory=list)
    skipped_sheets: list[dict] = field(default_factory=list)  # {"sheet", "reason"}
    skipped_rows: list[dict] = field(default_factory=list)  # {"sheet", "row", "reason"}: not members
    warnings: list[dict] = field(default_factory=list)  # {"sheet", "column", "message"}
    day_month: bool = False  # Excel's dates were read as day/month swapped
    ignored_columns: list[str] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)  # the first PREVIEW_CHANGES updated rows
    moves: list[dict] = field(default_factory=list)  # {"sheet", "row", "name", "before", "after"}

    def summary(self, source_name: str) -> str:
        """What the user reads once the import is applied (the page's message, the job's outcome)."""
        text = (
            f"Đã nhập “{source_name}”: {self.created} đảng viên mới, {self.updated} hồ sơ cập nhật, "
            f"{self.unchanged} không đổi"
        )
        if self.invalid:
            text += f", {self.invalid} dòng lỗi bỏ qua"
        if self.moves:
            text += (
                f"; ghi nhận {len(self.moves)} chuyển nơi cư trú (đã thông báo nơi cũ, mở hồ sơ giới thiệu "
                "về nơi mới trên trang Giữ mối liên hệ)"
            )
        return text + "."

    def not_applied_message(self) -> str:
        """Why nothing was written (a file or rights error, or invalid rows without skipping them)."""
        if self.file_error:
            return self.file_error
        return (
            f"Chưa nhập gì: có {self.invalid} dòng không hợp lệ. Hãy sửa tệp rồi tải lên lại, "
            "hoặc chọn “chỉ nhập các dòng hợp lệ”."
        )

    def as_json(self) -> dict:
        """The command line's report: {"rows", "created", "updated", "unchanged", "invalid", "errors",
        "skipped_sheets", "skipped_rows", "warnings"}."""
        errors = [e.as_dict() for e in self.errors]
        if self.file_error:
            errors.insert(0, {"sheet": "", "row": None, "column": "", "message": self.file_error})
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "errors": errors,
            "skipped_sheets": self.skipped_sheets,
            "skipped_rows": self.skipped_rows,
            "warnings": self.warnings,
        }

    def skipped_row_groups(self) -> list[dict]:
        """The skipped rows, runs of rows skipped for the same reason in one sheet as one line:
        {"sheet", "first", "last", "reason"}."""
        groups: list[dict] = []
        for skipped in self.skipped_rows:
            last = groups[-1] if groups else None
            if (
                last is not None
                and last["sheet"] == skipped["sheet"]
                and last["reason"] == skipped["reason"]
                and last["last"] + 1 == skipped["row"]
            ):
                last["last"] = skipped["row"]
            else:
                groups.append({**skipped, "first": skipped["row"], "last": skipped["row"]})
        return groups

    def to_store(self) -> dict:
        """Everything the preview page shows, JSON-ready (kept next to the uploaded file).

        Each sheet name, column header and message is stored once, and each error as four numbers
        pointing to them: a message repeats on every row it concerns (issue 9, finding 5: a file of
        long values made a 58.5 MB preview when every error carried its own copy).
        """
        data = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("errors", "skipped_rows")
        }
        texts: dict[str, int] = {}
        data["skipped_rows"] = [
            [texts.setdefault(r["sheet"], len(texts)), r["row"], texts.setdefault(r["reason"], len(texts))]
            for r in self.skipped_rows
        ]
        errors = []
        for e in self.errors:
            errors.append(
                [
                    texts.setdefault(e.sheet, len(texts)),
                    e.row,
                    texts.setdefault(e.column, len(texts)),
                    texts.setdefault(e.message, len(texts)),
                ]
            )
        data["errors"] = {"texts": list(texts), "rows": errors}  # the texts of the skipped rows too
        return data

    @classmethod
    def from_store(cls, data: dict) -> ImportResult:
        data = dict(data)
        stored = data.get("errors") or []
        if isinstance(stored, dict):
            texts = stored["texts"]
            data["errors"] = [RowIssue(texts[s], row, texts[c], texts[m]) for s, row, c, m in stored["rows"]]
            data["skipped_rows"] = [
                {"sheet": texts[s], "row": row, "reason": texts[r]}
                for s, row, r in data.get("skipped_rows", [])
            ]
        else:  # a preview stored before the compact form
            data["errors"] = [RowIssue(**e) for e in stored]
        data["skipped_sheets"] = [  # a preview stored before the reasons: names only
            s if isinstance(s, dict) else {"sheet": s, "reason": ""} for s in data.get("skipped_sheets", [])
        ]
        return cls(**data)


@dataclass
class _Row:
    sheet: SheetRows
    number: int
    values: dict  # field -> cleaned value (only the cells that have one)
    errors: list  # (field, message)
    existing: dict | None = None
    action: str = ""
    changes: dict = field(default_factory=dict)
    collisions: list = field(default_factory=list)  # (kind, value) held by someone the user does not see
    move: bool = False  # a new residence commune of a member whose link the residence holds

    def collide(self, kind: str, value: str) -> None:
        self.errors.append((kind, NEUTRAL_MESSAGE))
        self.collisions.append((kind, value))
        self.action = "invalid"

    def issue(self, field_name: str, message: str) -> RowIssue:
        column = self.sheet.header_of(field_name)
        if column is None and field_name == "full_name":
            column = self.sheet.header_of("family_middle")
        return RowIssue(
            self.sheet.title, self.number, column or TEMPLATE_HEADERS.get(field_name, ""), message
        )


class _Scope:
    """Where the importing user may write: their write roles, narrowed to `org` when one is given."""

    def __init__(self, actor, org: Organization | None):
        self.actor = actor
        self.org = org
        self._scope = scope_for(actor) if actor is not None else None  # None: the command line, everywhere
        if self._scope is not None and not self._scope.writes_somewhere:
            raise ServiceError("Bạn không có quyền thêm hoặc sửa đảng viên.")

    def covers_path(self, path: str) -> bool:
        if self.org is not None and not self.org.contains_path(path):
            return False
        return self._scope is None or self._scope.may_write_path(path)

    def hidden(self, members: dict[int, str]) -> set[int]:
        """Of `members` ({pk: workplace cell path}), those the user may neither change nor see on the
        workplace side: a row that names one of them is a collision. None for the command line."""
        if self._scope is None:
            return set()
        outside = [pk for pk, path in members.items() if not self._scope.may_write_path(path)]
        if not outside:
            return set()
        visible = set()
        for start in range(0, len(outside), 5000):  # keys, not texts: core.bulk.in_chunks is for texts
            chunk = outside[start : start + 5000]
            visible.update(
                members_visible_to(self.actor, workplace_only=True)
                .filter(pk__in=chunk)
                .values_list("pk", flat=True)
            )
        return set(outside) - visible

    def cells(self):
        if self._scope is None:
            cells = Organization.objects.filter(kind=Organization.Kind.CELL, is_active=True)
        else:
            cells = writable_cells(self.actor)
        if self.org is not None:
            cells = cells.filter(self.org.subtree_q())
        return cells.only("pk", "code", "name", "path")


# --- reading and checking one row ------------------------------------------------------------------
def _max_length(name: str, value: str) -> None:
    limit = MAX_LENGTHS[name]
    if len(value) > limit:  # the validator (and its message) only for the values it refuses
        MaxLengthValidator(limit)(value)


def _if_text(text: str, rule):
    return rule(text) if text else ""


def _checked_name(value) -> str:
    value = validators.clean_full_name(cell_text(value))
    _max_length("full_name", value)
    return value


def _checked_email(value) -> str:
    text = cell_text(value)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(validators.EMAIL_INVALID) from None
        _max_length("email", text)
    return text


def _text_rule(name: str):
    def checked(value) -> str:
        text = cell_text(value)
        _max_length(name, text)
        return text

    return checked


OLD_ID_LENGTH = 9
IDENTITY_INVALID = "Số CCCD phải gồm đúng 12 chữ số (số CMND cũ: đúng 9 chữ số)."


def _checked_identity(value) -> str:
    """A 12-digit CCCD, or a 9-digit CMND older lists carry (stored apart: `old_identity_card_number`)."""
    text = identity_text(value)
    if len(text) == OLD_ID_LENGTH and text.isdigit():
        return text
    try:
        return validators.clean_national_id(text)
    except ValidationError:
        raise BadValue(IDENTITY_INVALID) from None


def _field_rules(today, day_month: bool = False) -> dict:
    """field -> the function that turns its raw cell into the cleaned value (or raises)."""
    rules = {
        "full_name": _checked_name,
        "gender": gender_value,
        "liaison_category": category_value,
        "party_card_number": lambda v: _if_text(card_text(v), validators.clean_party_card_number),
        "national_id": _checked_identity,
        "phone": lambda v: validators.clean_phone(phone_text(v)),
        "email": _checked_email,
        # Places are matched to the official units later, on the whole file (_resolve_places).
        "workplace_cell": cell_text,
        "residence_commune": cell_text,
        "residence_province": cell_text,
    }
    for name in DATE_FIELDS:
        rules[name] = lambda v: date_value(v, today=today, swap_day_month=day_month)
    for name in TEXT_FIELDS:
        rules[name] = _text_rule(name)
    return rules


# Columns whose values repeat down a list (a few genders, positions, units, hamlets, cells, places,
# dates): each distinct value is read once per import. Names, card numbers, IDs and phones do not
# repeat, so caching them would only cost.
_REPEATING = {
    "gender",
    "liaison_category",
    "position",
    "workplace_unit",
    "address_hamlet",
    "address_street",
    "workplace_cell",
    "residence_commune",
    "residence_province",
    *DATE_FIELDS,
}


class _RowParser:
    """Cleans the raw cells of rows: {field: cleaned value} for the cells that have one, and
    [(field, message)] for the others."""

    def __init__(self, today, day_month: bool = False):
        self.rules = _field_rules(today, day_month)
        self.cache: dict[str, dict] = {name: {} for name in _REPEATING}
        self.max_chars = cell_chars_limit()

    def too_long(self, value: TooLong) -> str:
        return (
            f"Ô quá dài ({_number(value.length)} ký tự; mỗi ô tối đa {_number(self.max_chars)} ký tự): "
            "giá trị không được đọc, hãy sửa ô này."
        )

    def _clean(self, name: str, raw):
        """(value, None) or (None, message)."""
        try:
            return self.rules[name](raw), None
        except (ValidationError, BadValue) as exc:
            return None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc)

    def __call__(self, raw: dict, compound: bool = False) -> tuple[dict, list]:
        values: dict = {}
        errors: list = []
        if compound:
            raw, errors = expand_compound(raw)
        if "full_name" not in raw and ("family_middle" in raw or "given_name" in raw):
            parts = (raw.get("family_middle"), raw.get("given_name"))
            long = [p for p in parts if isinstance(p, TooLong)]
            full_name = long[0] if long else " ".join(t for t in map(cell_text, parts) if t)
            raw = {**raw, "full_name": full_name}
        for name, value in raw.items():
            if value is None or value == "" or name not in self.rules:
                continue
            if value.__class__ is TooLong:
                errors.append((name, self.too_long(value)))
                continue
            cache = self.cache.get(name)
            if cache is None:
                result, message = self._clean(name, value)
            else:
                # One cache per kind of value: True == 1 == 1.0, but they do not read the same.
                same_kind = cache.get(value.__class__)
                if same_kind is None:
                    same_kind = cache[value.__class__] = {}
                try:
                    result, message = same_kind[value]
                except KeyError:
                    result, message = same_kind[value] = self._clean(name, value)
                except TypeError:  # a value that cannot be a key
                    result, message = self._clean(name, value)
            if message is not None:
                errors.append((name, message))
            elif result is not None and result != "":
                values[name] = result
        identity = values.get("national_id")
        if identity is not None and len(identity) == OLD_ID_LENGTH:
            values["old_identity_card_number"] = values.pop("national_id")
        return values, errors


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# --- the import --------------------------------------------------------------------------------------
# Rows read between two progress reports.
PROGRESS_EVERY = 500


@gc_paused()
def members_import(
    *,
    actor,
    path,
    org: Organization | None = None,
    default_cell: Organization | None = None,
    apply: bool = False,
    skip_invalid: bool = False,
    source_name: str = "",
    today: datetime.date | None = None,
    day_month: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportResult:
    """Read the workbook at `path` and, with `apply`, write it (see the module's docstring for the rules).

    `actor` None is the command line without --user: the scope is then `org` alone. `default_cell`
    is the cell of new members whose row names none. Without `apply` nothing is written (preview,
    --dry-run): the counts say what applying would do. `day_month` reads the dates Excel stored as
    dates with their day and month swapped (a list typed d/m into an English-locale Excel; the
    preview warns when a column shows it). `progress(done, total, message)` hears how far the
    reading got (the background job's bar); it is never called inside the writing transaction.
    """
    report = progress or (lambda done, total, message: None)
    today = today or timezone.localdate()
    result = ImportResult(dry_run=not apply)
    scope = _Scope(actor, org)
    if collisions_blocked(actor):
        result.file_error = LIMIT_MESSAGE
        return result
    try:
        check_xlsx(path)
        workbook = read_workbook(path)
    except ImportFileError as exc:
        result.file_error = exc.message
        return result
    result.sheets = [s.title for s in workbook.sheets]
    result.skipped_sheets = [{"sheet": title, "reason": reason} for title, reason in workbook.skipped_sheets]
    result.skipped_rows = [
        {"sheet": s.title, "row": number, "reason": reason}
        for s in workbook.sheets
        for number, reason in s.skipped
    ]
    result.ignored_columns = [f"{s.title}: {h}" for s in workbook.sheets for h in s.ignored]
    result.day_month = day_month

    total = sum(len(s.rows) for s in workbook.sheets)
    report(0, total, f"Đã mở tệp: {total} dòng cần đọc.")
    rows = []
    parse = _RowParser(today, day_month)
    for sheet in workbook.sheets:
        if not day_month:
            result.warnings.extend(_swapped_date_columns(sheet))
        card_length = _usual_card_length(sheet)
        for number, raw in sheet.rows:
            values, errors = parse(raw, sheet.compound)
            if card_length and _lost_zeros(raw.get("party_card_number"), card_length):
                values.pop("party_card_number", None)
                errors.append(("party_card_number", lost_zeros_message(card_length)))
            rows.append(_Row(sheet, number, values, errors))
            if len(rows) % PROGRESS_EVERY == 0:
                report(len(rows), total, f"Đang kiểm tra: {len(rows)}/{total} dòng.")
    result.rows = len(rows)

    cells = CellIndex(scope.cells())
    if default_cell is not None and default_cell.pk not in cells.by_pk:
        raise ServiceError(f"Bạn không có quyền thêm đảng viên vào “{default_cell.name}”.")
    units = (
        UnitIndex()
        if any("residence_commune" in r.values or "residence_province" in r.values for r in rows)
        else None
    )
    for row in rows:
        _resolve_places(row, cells, units)
    _mark_duplicates(rows)

    note = f"Nhập từ tệp {source_name}" if source_name else "Nhập từ tệp Excel"
    try:
        if not apply:
            _plan(rows, scope, default_cell, today)
            if _past_limit(actor, rows, note):
                return ImportResult(dry_run=True, file_error=LIMIT_MESSAGE)
            _count(result, rows)
            return result
        report(len(rows), len(rows), "Đã kiểm tra mọi dòng; đang đối chiếu và ghi vào cơ sở dữ liệu.")
        with transaction.atomic():
            _plan(rows, scope, default_cell, today)
            if _past_limit(actor, rows, note):
                return ImportResult(dry_run=False, file_error=LIMIT_MESSAGE)
            _count(result, rows)
            if result.invalid and not skip_invalid:
                result.created = result.updated = 0
                return result
            _write(rows, actor=actor, source_name=source_name)
            _record_moves(rows, actor=actor, today=today)
            result.applied = True
    except ServiceError as exc:  # a conflict, or a move refused (recorded already, no right)
        result.file_error = exc.message
        result.created = result.updated = 0
    except IntegrityError:
        result.file_error = (
            "Không nhập được: có người vừa thêm đảng viên trùng số thẻ trong lúc nhập. "
            "Không có thay đổi nào được lưu; hãy nhập lại."
        )
        result.created = result.updated = 0
    return result


# --- what a column as a whole says ---------------------------------------------------------------------
SWAPPED_DATES = (
    "Mọi ngày Excel lưu kiểu ngày trong cột này có ngày ≤ 12 và mọi ngày ghi dạng chữ có ngày ≥ 13: "
    "dấu hiệu ngày và tháng bị đảo khi gõ vào Excel cài kiểu Anh/Mỹ (gõ 8/6/2015 thành ngày 6 tháng 8). "
    "Hãy kiểm tra vài dòng; nếu đúng vậy, chọn đọc ngày kiểu Excel theo ngày/tháng."
)
# Fewer dates than this say nothing about a column.
SWAPPED_MIN_DATES = 3
_SWAP_FIELDS = (
    "date_of_birth",
    "admission_date",
    "full_membership_date",
    "birth_date_male",
    "birth_date_female",
)


def _swapped_date_columns(sheet: SheetRows) -> list[dict]:
    """A warning for each date column whose Excel dates all have day ≤ 12 while its dates typed as
    text all have day ≥ 13 — d/m dates typed into an English-locale Excel. Stops at the first date
    that breaks the pattern, so a sound column costs a few rows."""
    warnings = []
    for name in _SWAP_FIELDS:
        if name not in sheet.columns:
            continue
        stored = typed = 0
        swaps = False
        for _, raw in sheet.rows:
            value = raw.get(name)
            if value is None:
                continue
            if isinstance(value, datetime.date):
                if value.day > 12:
                    break
                stored += 1
                swaps = swaps or value.day != value.month
            else:
                day = text_day(value)
                if day is None:
                    continue
                if day <= 12:
                    break
                typed += 1
        else:
            if stored and typed and swaps and stored + typed >= SWAPPED_MIN_DATES:
                warnings.append(
                    {"sheet": sheet.title, "column": sheet.columns[name].header, "message": SWAPPED_DATES}
                )
    return warnings


def lost_zeros_message(length: int) -> str:
    return (
        f"Số thẻ ngắn hơn các số thẻ khác trong cột ({length} chữ số): Excel đã lưu nó dạng số và có thể "
        "đã bỏ số 0 ở đầu. Hãy định dạng cột là Văn bản (Text) và ghi đủ số thẻ."
    )


def _usual_card_length(sheet: SheetRows) -> int | None:
    """The number of digits most card numbers of the sheet have, when some were stored as numbers
    (which drops their leading zeros); None otherwise."""
    cards = [raw.get("party_card_number") for _, raw in sheet.rows]
    if not any(isinstance(card, int | float) and not isinstance(card, bool) for card in cards):
        return None
    lengths = Counter(sum(c.isdigit() for c in card_text(card)) for card in cards if card is not None)
    return lengths.most_common(1)[0][0] if lengths else None


def _lost_zeros(value, length: int) -> bool:
    digits = digits_of_number(value)
    return digits is not None and len(digits) < length


def _past_limit(actor, rows: list[_Row], note: str) -> bool:
    """Audit the rows' collisions; True when they take the user past today's limit: the import then
    answers nothing about its rows."""
    found = [c for row in rows for c in row.collisions]
    return bool(found) and collisions_record(actor=actor, found=found, source=note)


def _resolve_places(row: _Row, cells: CellIndex, units: UnitIndex | None) -> None:
    values = row.values
    if "workplace_cell" in values:
        cell, message = cells.resolve(values.pop("workplace_cell"))
        if cell is None:
            row.errors.append(("workplace_cell", message))
        else:
            values["workplace_cell"] = cell
    if units is None:
        return
    province = None
    if "residence_province" in values:
        province, message = units.province(values.pop("residence_province"))
        if province is None:
            row.errors.append(("residence_province", message))
        else:
            values["residence_province"] = province
    if "residence_commune" in values:
        commune, message = units.commune(values.pop("residence_commune"), province)
        if commune is None:
            row.errors.append(("residence_commune", message))
        else:
            values["residence_commune"] = commune
            values.setdefault("residence_province", commune.province)


def _mark_duplicates(rows: list[_Row]) -> None:
    """The same card number (or national ID) on two rows of the file: the later one is refused."""
    seen: dict[tuple[str, str], _Row] = {}
    for row in rows:
        for key in ("party_card_number", "national_id"):
            value = row.values.get(key)
            if not value:
                continue
            first = seen.setdefault((key, value), row)
            if first is not row:
                label = "Số thẻ đảng viên" if key == "party_card_number" else "Số CCCD"
                where = f"dòng {first.number}" + (
                    f" trang “{first.sheet.title}”" if first.sheet is not row.sheet else ""
                )
                row.errors.append((key, f"{label} trùng với {where} của tệp."))


_EXISTING_FIELDS = (
    "pk",
    "version",
    "workplace_cell__path",
    "workplace_cell__name",
    "residence_commune__name",
    "residence_commune__province_id",
    "residence_province__name",
    "status",
    "link_status",
    *[FK_FIELDS.get(f, f) for f in AUDITED_FIELDS],
)


def _existing(lookup: str, keys) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for chunk in in_chunks(sorted(keys)):
        for member in Member.objects.filter(**{f"{lookup}__in": chunk}).values(*_EXISTING_FIELDS):
            found.setdefault(member[lookup], []).append(member)
    return found


def _plan(rows: list[_Row], scope: _Scope, default_cell, today) -> None:
    """Match each row, check it against the rules and decide: create, update, unchanged or invalid."""
    by_card = _existing(
        "party_card_number", {r.values["party_card_number"] for r in rows if "party_card_number" in r.values}
    )
    unmatched_ids = {
        r.values["national_id"]
        for r in rows
        if "national_id" in r.values and r.values.get("party_card_number") not in by_card
    }
    by_national_id = _existing("national_id", unmatched_ids) if unmatched_ids else {}
    hidden = scope.hidden(
        {
            m["pk"]: m["workplace_cell__path"]
            for found in (by_card, by_national_id)
            for members in found.values()
            for m in members
        }
    )
    for row in rows:
        row.existing = None
        row.changes = {}
        row.collisions = []
        row.move = False
        values = row.values
        card = values.get("party_card_number")
        if card in by_card:
            if by_card[card][0]["pk"] in hidden:
                row.collide("party_card_number", card)
                continue
            row.existing = by_card[card][0]
        elif "national_id" in values and values["national_id"] in by_national_id:
            # Matched only among the members the user sees.
            matches = [m for m in by_national_id[values["national_id"]] if m["pk"] not in hidden]
            if not matches:
                row.collide("national_id", values["national_id"])
                continue
            if len(matches) > 1:
                row.errors.append(
                    ("national_id", "Có nhiều đảng viên cùng số CCCD này: hãy ghi số thẻ đảng viên.")
                )
            elif card and matches[0]["party_card_number"] != card:
                row.errors.append(
                    (
                        "party_card_number",
                        "Số CCCD này đã thuộc một đảng viên có số thẻ khác: hãy kiểm tra lại số thẻ hoặc số CCCD.",
                    )
                )
            else:
                row.existing = matches[0]
            if row.existing is None:
                row.action = "invalid"
                continue
        if row.existing is not None:
            _plan_update(row, scope, today)
        else:
            _plan_create(row, default_cell, today)
        row.action = "invalid" if row.errors else row.action


def _plan_update(row: _Row, scope: _Scope, today) -> None:
    current = row.existing
    if not scope.covers_path(current["workplace_cell__path"]):
        key = "party_card_number" if "party_card_number" in row.values else "national_id"
        row.errors.append(
            (
                key,
                "Đảng viên này thuộc tổ chức đảng ngoài phạm vi của bạn: không nhập, không chuyển được. "
                "Hãy đề nghị tổ chức quản lý đảng viên cập nhật.",
            )
        )
        return
    changes = {}
    for name, value in row.values.items():
        stored = current[FK_FIELDS.get(name, name)]
        new = value.pk if name in FK_FIELDS else value
        if new != stored:
            changes[name] = value
    if changes.keys() & CROSS_FIELDS:
        merged = {
            "date_of_birth": current["date_of_birth"],
            "admission_date": current["admission_date"],
            "full_membership_date": current["full_membership_date"],
            "status": current["status"],
            "residence_commune": current["residence_commune_id"]
            and SimpleNamespace(province_id=current["residence_commune__province_id"]),
            "residence_province": current["residence_province_id"]
            and SimpleNamespace(pk=current["residence_province_id"]),
        }
        merged.update({k: v for k, v in changes.items() if k in merged})
        failed = {name for name, _ in row.errors}
        for name, message in validators.member_record_errors(merged, today=today):
            if name not in failed:
                row.errors.append((name, message))
    if "residence_commune" in changes and current["link_status"] in Liaison.RESIDENT_STATUSES:
        if scope.actor is None:
            row.errors.append(("residence_commune", MOVE_NEEDS_USER))
        row.move = True
    if row.errors:
        return
    row.changes = changes
    row.action = "update" if changes else "unchanged"


MOVE_NEEDS_USER = (
    "Đảng viên đang giữ mối liên hệ nơi cư trú đổi xã/phường: chuyển nơi cư trú được ghi nhận như một "
    "biến động, cần người nhập (--user)."
)


# A required field the sheet has no column for: reported once for the sheet, not on every row.
_NO_COLUMN = object()


def _has_column(sheet: SheetRows, name: str) -> bool:
    if name == "full_name":
        return sheet.header_of("full_name") is not None or sheet.header_of("family_middle") is not None
    return sheet.header_of(name) is not None


def _plan_create(row: _Row, default_cell, today) -> None:
    """A new member: every required field, and the rules across fields checked on the values that
    could be read, in the same pass (a row gets all its messages at once)."""
    values = row.values
    if "workplace_cell" not in values and default_cell is not None:
        values["workplace_cell"] = default_cell
    failed = {name for name, _ in row.errors}
    for name in REQUIRED:
        if name not in values and name not in failed:
            if _has_column(row.sheet, name) or (name == "workplace_cell" and default_cell is not None):
                row.errors.append((name, validators.required_message(validators.field_label(name))))
            else:
                row.errors.append((name, _NO_COLUMN))
    record = dict(values)
    record["status"] = (
        Member.Status.FULL if values.get("full_membership_date") else Member.Status.PROBATIONARY
    )
    for name, message in validators.member_record_errors(record, today=today):
        if name not in failed:
            row.errors.append((name, message))
    if row.errors:
        return
    row.changes = record
    row.action = "create"


def _missing_column_issue(sheet: SheetRows, name: str, count: int) -> RowIssue:
    header = TEMPLATE_HEADERS.get(name, validators.field_label(name))
    hint = " hoặc chọn chi bộ cho đảng viên mới không ghi chi bộ" if name == "workplace_cell" else ""
    return RowIssue(
        sheet.title,
        None,
        header,
        f"Trang tính không có cột “{header}”, bắt buộc với đảng viên mới: {_number(count)} dòng đảng viên "
        f"mới không nhập được. Hãy thêm cột này{hint}.",
    )


def _count(result: ImportResult, rows: list[_Row]) -> None:
    missing: dict[tuple[int, str], list] = {}  # (sheet, field) -> [sheet, rows without the column]
    for row in rows:
        if row.action == "invalid":
            result.invalid += 1
            for name, message in row.errors:
                if message is _NO_COLUMN:
                    missing.setdefault((id(row.sheet), name), [row.sheet, 0])[1] += 1
                else:
                    result.errors.append(row.issue(name, message))
        elif row.action == "create":
            result.created += 1
        elif row.action == "update":
            result.updated += 1
            if len(result.changes) < PREVIEW_CHANGES:
                result.changes.append(_change_summary(row))
            if row.move:
                result.moves.append(
                    {
                        "sheet": row.sheet.title,
                        "row": row.number,
                        "name": row.existing["full_name"],
                        "before": _display(row.existing["residence_commune__name"]),
                        "after": _display(row.changes["residence_commune"]),
                    }
                )
        else:
            result.unchanged += 1
    result.errors[:0] = [_missing_column_issue(sheet, name, n) for (_, name), (sheet, n) in missing.items()]


def _display(value) -> str:
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if value in (Member.Gender.MALE, Member.Gender.FEMALE):
        return Member.Gender(value).label
    return str(value)


def _change_summary(row: _Row) -> dict:
    before = _before_values(row.existing)
    return {
        "sheet": row.sheet.title,
        "row": row.number,
        "name": row.existing["full_name"],
        "fields": [
            {
                "label": validators.field_label(name).capitalize(),
                "before": _display(before[name]),
                "after": _display(audit_value(value)),
            }
            for name, value in row.changes.items()
        ],
    }


def _before_values(current: dict) -> dict:
    """The stored values as the audit log writes them (foreign keys as their names)."""
    before = {name: current[FK_FIELDS.get(name, name)] for name in AUDITED_FIELDS}
    before["workplace_cell"] = current["workplace_cell__name"]
    before["residence_commune"] = current["residence_commune__name"]
    before["residence_province"] = current["residence_province__name"]
    return before


# --- writing -------------------------------------------------------------------------------------------
# What a field holds when the row leaves it out (for the audit entry of a created member).
_DEFAULTS = {name: Member._meta.get_field(name).get_default() for name in AUDITED_FIELDS}
_AUDITED = frozenset(AUDITED_FIELDS)


def _write(rows: list[_Row], *, actor, source_name: str) -> None:
    """Create and update in the caller's transaction, with one audit entry per member."""
    now = timezone.now()
    target_type = Member._meta.label_lower
    note = f"Nhập từ tệp {source_name}" if source_name else "Nhập từ tệp Excel"  # as in members_import
    new_members = []
    for row in rows:
        if row.action != "create":
            continue
        record = {k: v for k, v in row.changes.items() if k in _AUDITED}
        record.update(derived_name_fields(record["full_name"]))
        new_members.append(record)
    # COPY on PostgreSQL (core/bulk.py): bulk_create's arrays cost more than reading the file. The
    # audit entries are built, down to the rows COPY sends, while the database writes the members
    # and updates their indexes.
    with bulk_inserting(Member, new_members) as pks:
        created = audit_prepared(
            [
                audit_entry(
                    actor=actor,
                    action=AuditEntry.Action.CREATE,
                    target_type=target_type,
                    target_id=pk,
                    target_repr=record["full_name"],
                    note=note,
                    changes={
                        "after": {
                            name: audit_value(record[name] if name in record else _DEFAULTS[name])
                            for name in AUDITED_FIELDS
                        }
                    },
                )
                for pk, record in zip(pks, new_members, strict=True)
            ]
        )
    audit_bulk(created)
    # A move's address is written by its event (`_record_moves`), with its own audit entry.
    for row in rows:
        if row.action == "update" and row.move:
            row.changes = {k: v for k, v in row.changes.items() if k not in RESIDENCE_FIELDS}
    updates = [row for row in rows if row.action == "update" and row.changes]
    changes = []
    for row in updates:
        values = {FK_FIELDS.get(k, k): (v.pk if k in FK_FIELDS else v) for k, v in row.changes.items()}
        if "full_name" in row.changes:
            values.update(derived_name_fields(row.changes["full_name"]))
        changes.append((row.existing["pk"], row.existing["version"], values))
    done = bulk_update_versioned(Member, changes, now=now)
    for row in updates:
        if row.existing["pk"] not in done:
            raise ConflictError(
                f"Hồ sơ của {row.existing['full_name']} (dòng {row.number}) vừa được người khác sửa trong lúc "
                "nhập. Không có thay đổi nào được lưu; hãy nhập lại."
            )
    entries = []
    for row in updates:
        current = row.existing
        before = _before_values(current)
        entries.append(
            audit_entry(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                target_type=target_type,
                target_id=current["pk"],
                target_repr=clean_text(row.changes.get("full_name") or current["full_name"]),
                note=note,
                changes={
                    name: [audit_value(before[name]), audit_value(value)]
                    for name, value in row.changes.items()
                },
            )
        )
    audit_bulk(entries)


def _record_moves(rows: list[_Row], *, actor, today: datetime.date) -> None:
    """Each move of the import as the residence change event, in the caller's transaction."""
    moved = [row for row in rows if row.action == "update" and row.move]
    if not moved:
        return
    members = Member.objects.select_related("workplace_cell").in_bulk([row.existing["pk"] for row in moved])
    for row in moved:
        member_record_event(
            actor=actor,
            member=members[row.existing["pk"]],
            kind=ChangeNotice.Kind.RESIDENCE_CHANGE,
            event_date=today,
            new_commune=row.values["residence_commune"],
            new_hamlet=row.values.get("address_hamlet", row.existing["address_hamlet"]),
            new_street=row.values.get("address_street", row.existing["address_street"]),
        )
