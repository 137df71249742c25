"""Import and export at scale (issue 4), reported with the other operations by bench/run.py.

- `import_members`: a generated 20,000-row file shaped like an office's list (title rows, the
  template's columns, dates as dates, IDs and phones as text, cell codes, commune and province
  names) against the floor of reading the same file with openpyxl alone (read-only, values). Two
  ratios: the dry run (read, validate, match: what the preview and --dry-run do) and the full
  apply (that plus writing the members and their audit entries, and committing: the deferred
  foreign-key checks run then). After the apply the same file is read again ("reimport": every
  row matched, nothing to write), and a copy of the file where every position changed is applied
  ("update": 20,000 members updated); then the members it created and their audit entries are
  deleted (and on PostgreSQL the two tables vacuumed), so the data set keeps its size and each
  run starts from the same tables.
- `import_memory`: peak Python memory (tracemalloc) of the preview of the 20,000-row file, and of a
  hostile file shaped like the one a review sent (issue 9, finding 5: 3,500 rows of 17 cells of
  4,800 characters, 683 KB zipped, 288 MB unpacked), with the size of the preview the upload would
  store for it; and the same file cut to what the unpacked limit lets through ("hostile_within":
  the cell length limit and the preview that stores each value once at work).
- `export_members`: the member list export (`member_export_rows` through the shared xlsx writer)
  for 20,000 members: time, peak Python memory (tracemalloc, a separate run: tracing slows it)
  and the ratio to writing the same rows, already in memory, with openpyxl's write-only mode.

Environment: BENCH_IMPORT_ROWS (default 20000), BENCH_IMPORT_REPEAT (default 3).
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from haichieu.accounts.models import User
from haichieu.core.bulk import in_chunks
from haichieu.core.exports import write_xlsx
from haichieu.core.models import AuditEntry
from haichieu.demo.names import vietnamese_name
from haichieu.members.exports import MEMBER_COLUMNS, member_export_rows
from haichieu.members.imports import members_import
from haichieu.members.models import Member
from haichieu.organizations.models import Commune, Organization

from .operations import BENCH_USERNAME

IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "20000"))
IMPORT_REPEAT = int(os.environ.get("BENCH_IMPORT_REPEAT", "3"))
CARD_PREFIX = "99"  # no province has this code: the generated members are all new


def build_import_file(path: Path, *, user, rows: int, seed: int = 2026, position: str | None = None) -> None:
    """A member list of `rows` new members in cells the user may write, as offices keep them.

    With `position`, the same list with everyone's position changed to it (an update of every row).
    """
    rng = random.Random(seed)
    cells = list(
        Organization.objects.filter(kind=Organization.Kind.CELL, is_active=True, is_residential=False)
        .order_by("path")
        .values_list("code", flat=True)[:300]
    )
    communes = list(Commune.objects.select_related("province").order_by("code")[:400])
    if not cells:
        raise RuntimeError("the bench data set has no cell to import into")
    # Saved the way Excel saves (shared strings, a dimension): not openpyxl's write-only mode.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách đảng viên"
    sheet.append(["ĐẢNG BỘ TỈNH"])
    sheet.append(["DANH SÁCH ĐẢNG VIÊN"])
    sheet.append([])
    sheet.append(MEMBER_COLUMNS)
    for n in range(1, rows + 1):
        gender = rng.choice(["Nam", "Nữ"])
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 50))
        admitted = born + datetime.timedelta(days=rng.randint(19 * 366, 40 * 365))
        admitted = min(admitted, datetime.date(2025, 6, 30))
        full = admitted + datetime.timedelta(days=365) if rng.random() < 0.9 else None
        commune = rng.choice(communes) if rng.random() < 0.8 else None
        values = [
            f"0{rng.randint(1, 96):02d}{rng.randint(0, 10**9 - 1):09d}", f"09{rng.randint(0, 10**8 - 1):08d}",
            rng.choice(["Chuyên viên", "Phó phòng", "Trưởng phòng", ""]),
        ]  # fmt: skip
        national_id, phone, drawn_position = values
        sheet.append(
            [
                n, vietnamese_name(rng, "male" if gender == "Nam" else "female"), born, gender,
                f"{CARD_PREFIX}{n:07d}", admitted, full, national_id, phone, "",
                drawn_position if position is None else position,
                rng.choice(["Sở Tài chính", "Trường THPT", "Bệnh viện tỉnh", ""]), rng.choice(cells),
                f"Số {rng.randint(1, 200)} đường {rng.randint(1, 30)}", f"Tổ dân phố số {rng.randint(1, 20)}",
                commune.name if commune else "", commune.province.name if commune else "",
            ]
        )  # fmt: skip
    workbook.save(path)


# The review's file (issue 9, finding 5): few bytes zipped, hundreds of MB unpacked.
HOSTILE_ROWS, HOSTILE_CELLS, HOSTILE_LENGTH = 3500, 17, 4800
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def build_hostile_file(
    path: Path, *, rows: int = HOSTILE_ROWS, cells: int = HOSTILE_CELLS, length: int = HOSTILE_LENGTH
) -> int:
    """The template's header and `rows` rows of `cells` long texts (each different, so nothing is
    shared), written as Excel's XML straight into the zip: openpyxl would take minutes. Returns
    the unpacked size."""
    header = MEMBER_COLUMNS[:cells]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )

            def write_row(number: int, values) -> None:
                parts = [f'<row r="{number}">']
                for i, value in enumerate(values):
                    ref = f"{_column_letter(i)}{number}"
                    parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
                parts.append("</row>")
                sheet.write("".join(parts).encode())

            write_row(1, header)
            for n in range(2, rows + 2):
                write_row(n, [(f"{n}-{i}-" + "A" * length)[:length] for i in range(cells)])
            sheet.write(b"</sheetData></worksheet>")
        return sum(info.file_size for info in archive.infolist())


def _peak(function, *args, **kwargs) -> tuple[float, object]:
    """Peak Python memory in MB while `function` runs (tracemalloc: a run of its own, tracing slows it)."""
    import gc

    gc.collect()
    tracemalloc.start()
    try:
        value = function(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return round(peak / 1024 / 1024, 1), value


def _preview_figures(user, path: Path) -> dict:
    """The preview of `path` as the upload runs it: peak memory, time, what it answers, what it stores."""
    from haichieu.members.views_import import preview_json

    peak, result = _peak(members_import, actor=user, path=path)
    ms, _ = _timed(members_import, actor=user, path=path)
    stored = preview_json(result) if not result.file_error else ""
    return {
        "peak_memory_mb": peak,
        "median_ms": round(ms, 1),
        "rows": result.rows,
        "invalid": result.invalid,
        "file_error": result.file_error,
        "preview_bytes": len(stored.encode()),
    }


def measure_import_memory(
    *, user, rows: int = IMPORT_ROWS, hostile_rows: int = HOSTILE_ROWS, log=None
) -> dict:
    """Peak memory of the preview for the `rows`-row list and for the review's hostile file."""
    from haichieu.members.imports.reader import unpacked_limit

    figures = {}
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "danh-sach.xlsx"
        build_import_file(path, user=user, rows=rows)
        figures["list"] = {"file_bytes": path.stat().st_size, **_preview_figures(user, path)}
        if log:
            log(f"import_memory list: {figures['list']}")
        path.unlink()
        hostile = Path(directory) / "hostile.xlsx"
        unpacked = build_hostile_file(hostile, rows=hostile_rows)
        figures["hostile"] = {
            "file_bytes": hostile.stat().st_size,
            "unpacked_bytes": unpacked,
            **_preview_figures(user, hostile),
        }
        if log:
            log(f"import_memory hostile: {figures['hostile']}")
        hostile.unlink()
        # The same shape, as many rows as the unpacked limit lets through.
        row_bytes = max(1, unpacked // (hostile_rows + 1))
        within_rows = min(hostile_rows, max(1, unpacked_limit() // row_bytes - 2))
        unpacked = build_hostile_file(hostile, rows=within_rows)
        figures["hostile_within"] = {
            "file_bytes": hostile.stat().st_size,
            "unpacked_bytes": unpacked,
            **_preview_figures(user, hostile),
        }
        if log:
            log(f"import_memory hostile_within: {figures['hostile_within']}")
    return figures


def read_floor(path: Path) -> int:
    """Reading the file with openpyxl alone: every value of every row (the import's floor)."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = 0
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            count += 1
    workbook.close()
    return count


def remove_imported() -> int:
    """Delete the members an import run created (their card numbers start with CARD_PREFIX) and
    their audit entries; vacuum them away on PostgreSQL outside a transaction. The number deleted."""
    pks = list(Member.objects.filter(party_card_number__startswith=CARD_PREFIX).values_list("pk", flat=True))
    if pks:
        with transaction.atomic():
            for chunk in in_chunks([str(pk) for pk in pks]):
                AuditEntry.objects.filter(target_type="members.member", target_id__in=chunk).delete()
            Member.objects.filter(party_card_number__startswith=CARD_PREFIX).delete()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE members_member")
            cursor.execute("VACUUM ANALYZE core_auditentry")
    return len(pks)


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, value


def measure_import(*, user, rows: int = IMPORT_ROWS, repeat: int = IMPORT_REPEAT, log=None) -> dict:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "danh-sach.xlsx"
        build_import_file(path, user=user, rows=rows)
        changed = Path(directory) / "danh-sach-moi.xlsx"
        build_import_file(changed, user=user, rows=rows, position="Chuyên viên chính")
        size = path.stat().st_size
        floor, dry, apply, reimport, update = [], [], [], [], []
        queries = 0
        result = reimported = None
        remove_imported()
        for n in range(repeat):
            floor.append(_timed(read_floor, path)[0])
            ms, result = _timed(members_import, actor=user, path=path)
            dry.append(ms)
            try:
                with CaptureQueriesContext(connection) as captured:
                    ms, applied = _timed(members_import, actor=user, path=path, apply=True)
                apply.append(ms)
                queries = len(captured.captured_queries)
                ms, reimported = _timed(members_import, actor=user, path=path)
                reimport.append(ms)
                ms, updated = _timed(members_import, actor=user, path=changed, apply=True)
                update.append(ms)
            finally:
                remove_imported()
            if log:
                log(f"import_members run {n + 1}: floor {floor[-1]:.0f} ms, dry run {dry[-1]:.0f} ms, "
                    f"apply {apply[-1]:.0f} ms, reimport {reimport[-1]:.0f} ms, update {update[-1]:.0f} ms")  # fmt: skip
        if result.invalid or result.file_error or not applied.applied:
            raise RuntimeError(
                f"the generated file did not import cleanly: {result.file_error or result.errors[:3]}"
            )
    floor_ms, dry_ms, apply_ms = statistics.median(floor), statistics.median(dry), statistics.median(apply)
    return {
        "rows": rows,
        "file_bytes": size,
        "floor_median_ms": round(floor_ms, 1),
        "dry_run_median_ms": round(dry_ms, 1),
        "dry_run_ratio": round(dry_ms / floor_ms, 2),
        "dry_run_rows_per_s": round(rows / dry_ms * 1000),
        "apply_median_ms": round(apply_ms, 1),
        "apply_ratio": round(apply_ms / floor_ms, 2),
        "apply_rows_per_s": round(rows / apply_ms * 1000),
        "apply_queries": queries,
        "reimport_median_ms": round(statistics.median(reimport), 1),
        "reimport_unchanged": reimported.unchanged,
        "update_median_ms": round(statistics.median(update), 1),
        "update_ratio": round(statistics.median(update) / floor_ms, 2),
        "updated": updated.updated,
        "created": applied.created,
    }


def _export(user, qs, target) -> int:
    return write_xlsx(
        target, sheet_title="Đảng viên", header=MEMBER_COLUMNS, rows=member_export_rows(user, qs),
        title="DANH SÁCH ĐẢNG VIÊN",
    )  # fmt: skip


def measure_export(*, user, rows: int = IMPORT_ROWS, repeat: int = IMPORT_REPEAT, log=None) -> dict:
    pks = Member.objects.order_by("pk").values_list("pk", flat=True)
    total = pks.count()
    last = pks[min(rows, total) - 1]
    qs = Member.objects.filter(pk__lte=last)
    times, floor = [], []
    for n in range(repeat):
        with tempfile.TemporaryFile() as target:
            ms, written = _timed(_export, user, qs, target)
        times.append(ms)
        plain = list(member_export_rows(user, qs))
        with tempfile.TemporaryFile() as target:
            floor.append(_timed(_write_plain, plain, target)[0])
        del plain
        if log:
            log(f"export_members run {n + 1}: {times[-1]:.0f} ms, floor {floor[-1]:.0f} ms")
    tracemalloc.start()
    with tempfile.TemporaryFile() as target:
        _export(user, qs, target)
        size = target.tell()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    median = statistics.median(times)
    return {
        "rows": written,
        "median_ms": round(median, 1),
        "rows_per_s": round(written / median * 1000),
        "floor_median_ms": round(statistics.median(floor), 1),
        "ratio": round(median / statistics.median(floor), 2),
        "peak_memory_mb": round(peak / 1024 / 1024, 1),
        "file_bytes": size,
    }


def _write_plain(rows, target) -> None:
    """The floor of the export: the same rows, already in memory, through openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đảng viên")
    sheet.append(MEMBER_COLUMNS)
    for row in rows:
        sheet.append(row)
    workbook.save(target)


def run_import_operations(*, names=(), log=None, username: str = BENCH_USERNAME) -> dict:
    """{"import_members": …, "export_members": …} (or those named in `names`)."""
    user = User.objects.get(username=username)
    results = {}
    if not names or "import_members" in names:
        results["import_members"] = measure_import(user=user, log=log)
        if log:
            log(f"import_members: {results['import_members']}")
    if not names or "import_memory" in names:
        results["import_memory"] = measure_import_memory(user=user, log=log)
    if not names or "export_members" in names:
        results["export_members"] = measure_export(user=user, log=log)
        if log:
            log(f"export_members: {results['export_members']}")
    return results
