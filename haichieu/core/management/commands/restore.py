"""`haichieu restore FILE [--force]`: rebuild the database and the stored files from a backup.

Refuses a file made with another key, an altered or damaged one, and a database that holds data
unless `--force` (then the data there is replaced by the backup's). Stop the app servers first.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from haichieu.core.backup import BackupError, backup_key, backup_restore, restore_time_label


class Command(BaseCommand):
    help = (
        "Khôi phục cơ sở dữ liệu và các tệp lưu trữ từ một tệp sao lưu (khóa trong biến môi trường "
        "HAICHIEU_BACKUP_KEY)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="tệp sao lưu do `haichieu backup` tạo")
        parser.add_argument(
            "--force",
            action="store_true",
            help="khôi phục cả khi cơ sở dữ liệu đích đang có dữ liệu (toàn bộ dữ liệu đó bị thay thế)",
        )

    def handle(self, *args, file, force, **options):
        try:
            result = backup_restore(path=file, secret=backup_key(), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục bản sao lưu lúc {restore_time_label(result.manifest)} "
                f"(cơ sở dữ liệu {result.manifest['database']['vendor']}, {result.files} tệp lưu trữ)"
                + (", thay thế dữ liệu cũ." if result.replaced_data else ".")
            )
        )
        if not result.audited:
            self.stdout.write(
                "Chưa ghi được mục “Khôi phục dữ liệu” vào nhật ký thao tác của cơ sở dữ liệu vừa khôi phục "
                "(thường do bản sao lưu cũ hơn mã nguồn): chạy `haichieu migrate`."
            )
        if result.migrate_needed:
            self.stdout.write(
                f"Bản sao lưu cũ hơn mã nguồn ({len(result.migrate_needed)} migration chưa áp dụng): "
                "chạy `haichieu migrate` trước khi mở lại ứng dụng."
            )
