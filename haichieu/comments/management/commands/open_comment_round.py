"""`haichieu open_comment_round --org CODE --year YYYY --deadline DD/MM/YYYY [--format json] [--user USERNAME]`

Opens the yearly comment round of the organisation CODE's subtree (comments/services.py
open_comment_round): one request per member who needs one, to the residential cell where they are
placed. Run again, it creates nothing new. With --format json, stdout is one JSON object:
  {"created": N, "skipped": {"already_requested": N, "not_linked": N, "not_placed": N, "excused": N, "exempt": N}}
(reasons with no member are left out). A wrong argument: a Vietnamese message and exit status 2.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from haichieu.accounts.models import User
from haichieu.comments.rules import Skip
from haichieu.comments.services import open_comment_round
from haichieu.core.params import parse_year
from haichieu.core.services import ServiceError
from haichieu.organizations.models import Organization


class Command(BaseCommand):
    help = "Mở đợt lấy ý kiến nhận xét hằng năm của chi bộ nơi cư trú cho đảng viên của một tổ chức đảng."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="mã tổ chức đảng nơi công tác")
        parser.add_argument("--year", required=True, help="năm nhận xét, ví dụ 2026")
        parser.add_argument("--deadline", required=True, help="hạn trả lời, dạng dd/mm/yyyy")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", help="tên đăng nhập của người mở đợt (phạm vi và nhật ký)")

    def handle(self, *args, **options):
        org = Organization.objects.filter(code=options["org"].strip().upper()).first()
        if org is None:
            raise CommandError(f"Không tìm thấy tổ chức đảng mã “{options['org']}”.", returncode=2)
        year = parse_year(options["year"])
        if year is None:
            raise CommandError(
                f"Năm “{options['year']}” không hợp lệ: hãy nhập 4 chữ số, ví dụ 2026.", returncode=2
            )
        try:
            deadline = datetime.datetime.strptime(options["deadline"].strip(), "%d/%m/%Y").date()
        except ValueError:
            raise CommandError(
                f"Hạn trả lời “{options['deadline']}” không hợp lệ: hãy nhập theo dạng dd/mm/yyyy.",
                returncode=2,
            ) from None
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Không có người dùng “{options['user']}”.", returncode=2)
        try:
            result = open_comment_round(actor=actor, org=org, year=year, deadline=deadline)
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=2) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps({"created": result.created, "skipped": result.skipped}))
            return
        skipped = "; ".join(f"{Skip(reason).label}: {n}" for reason, n in result.skipped.items())
        self.stdout.write(
            f"Đã tạo {result.created} phiếu lấy ý kiến nhận xét năm {year} gửi {result.cells} chi bộ nơi cư trú, "
            f"hạn {deadline:%d/%m/%Y}." + (f" Không tạo: {skipped}." if skipped else "")
        )
