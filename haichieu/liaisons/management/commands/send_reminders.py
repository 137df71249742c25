import json

from django.core.management.base import BaseCommand

from haichieu.liaisons.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Nhắc các tổ chức việc quá hạn (giới thiệu, tiếp nhận, danh sách biến động, miễn sinh hoạt sắp hết hạn, phiếu nhận xét sắp đến hạn hoặc quá hạn). "
        "Chạy lại không nhắc trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        counts = send_reminders()
        if options["format"] == "json":
            self.stdout.write(json.dumps(counts))
            return
        self.stdout.write(
            f"Đã nhắc: {counts['introduce']} quá hạn giới thiệu, {counts['receive']} quá hạn tiếp nhận, "
            f"{counts['digest']} danh sách biến động quá hạn, {counts['exemption']} lần miễn sinh hoạt sắp hoặc đã "
            f"hết hạn, {counts['comment']} phiếu nhận xét sắp đến hạn hoặc quá hạn; tổng {counts['sent']}."
        )
