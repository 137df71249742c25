"""`haichieu import_members FILE --org CODE [--dry-run] [--skip-invalid] [--day-month] [--format json] [--user USERNAME]`

The browser import for administrators, from the command line (issue 4). The rows must fall in the
organisation CODE (and, with --user, in that user's write scope; the audit entries name the user).
Exit status: 0 when the import was applied (or, with --dry-run, would be applied); 1 when nothing
was applied because of invalid rows (without --skip-invalid), because no row could be imported
(with --skip-invalid, every row invalid) or a problem with the whole file; 2 for a wrong argument.
--day-month reads the dates Excel stored as dates with day and month swapped (a list typed d/m
into an English-locale Excel: the report warns when a column looks like one).

With --format json, stdout is one JSON object:
  {"rows": N, "created": N, "updated": N, "unchanged": N, "invalid": N,
   "errors": [{"sheet": S, "row": R, "column": C, "message": M}],
   "skipped_sheets": [{"sheet": S, "reason": M}], "skipped_rows": [{"sheet": S, "row": R, "reason": M}],
   "warnings": [{"sheet": S, "column": C, "message": M}]}
An error with "row": null concerns the whole sheet (a required column it lacks).
`created` and `updated` count what was written; with --dry-run what would be written for the valid
rows, also when invalid rows would stop the import (the whole picture before the sheet is fixed);
0 when nothing was written or the file could not be read. With --org a cell, rows without a cell
go to that cell (a cell's own list has no "Chi bộ" column).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from haichieu.accounts.models import User
from haichieu.core.services import ServiceError
from haichieu.members.imports import members_import
from haichieu.organizations.models import Organization


class Command(BaseCommand):
    help = "Nhập danh sách đảng viên từ tệp Excel (.xlsx) vào một tổ chức đảng."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp .xlsx")
        parser.add_argument("--org", required=True, help="mã tổ chức đảng: các dòng phải thuộc tổ chức này")
        parser.add_argument("--dry-run", action="store_true", help="chỉ đọc và kiểm tra, không lưu gì")
        parser.add_argument("--skip-invalid", action="store_true", help="chỉ nhập các dòng hợp lệ")
        parser.add_argument(
            "--day-month",
            action="store_true",
            help="đọc ngày Excel lưu kiểu ngày theo ngày/tháng đảo (tệp gõ d/m trong Excel cài kiểu Anh/Mỹ)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", help="tên đăng nhập của người nhập (phạm vi và nhật ký)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.", returncode=2)
        org = Organization.objects.filter(code=options["org"].strip().upper()).first()
        if org is None:
            raise CommandError(f"Không có tổ chức đảng mã “{options['org']}”.", returncode=2)
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Không có người dùng “{options['user']}”.", returncode=2)
        try:
            result = members_import(
                actor=actor,
                path=path,
                org=org,
                apply=not options["dry_run"],
                # A cell's own list has no "Chi bộ" column: its rows belong to that cell.
                default_cell=org if org.is_cell else None,
                skip_invalid=options["skip_invalid"],
                source_name=path.name,
                day_month=options["day_month"],
            )
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=2) from None
        # With --skip-invalid, a file whose every row is invalid imports nothing either.
        nothing = result.invalid and not (result.created or result.updated or result.unchanged)
        refused = bool(result.file_error) or (result.invalid and (not options["skip_invalid"] or nothing))
        if result.file_error:
            result.created = result.updated = 0
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            self._report(result, dry_run=options["dry_run"])
        if refused:
            reason = result.file_error or (
                f"không dòng nào hợp lệ ({result.invalid} dòng lỗi)"
                if nothing
                else f"{result.invalid} dòng không hợp lệ"
            )
            raise CommandError(f"Không nhập gì: {reason}.", returncode=1)

    def _report(self, result, *, dry_run: bool) -> None:
        for skipped in result.skipped_sheets:
            self.stdout.write(f"Bỏ qua trang “{skipped['sheet']}”: {skipped['reason']}")
        for group in result.skipped_row_groups():
            rows = f"{group['first']}" + (f"–{group['last']}" if group["last"] != group["first"] else "")
            self.stdout.write(f"{group['sheet']}!{rows} bỏ qua: {group['reason']}")
        for warning in result.warnings:
            self.stdout.write(f"{warning['sheet']} [{warning['column']}] Cảnh báo: {warning['message']}")
        for error in result.errors:
            self.stdout.write(f"{error.sheet}!{error.row or ''} [{error.column}] {error.message}")
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        self.stdout.write(
            f"{verb}: {result.rows} dòng — {result.created} mới, {result.updated} cập nhật, "
            f"{result.unchanged} không đổi, {result.invalid} lỗi."
        )
