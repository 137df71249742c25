"""`haichieu backup --output FILE`: an encrypted snapshot of the database and the stored files.

The key comes from HAICHIEU_BACKUP_KEY (docs/backup.md); `haichieu restore FILE` reads it back.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from haichieu.core.backup import BackupError, backup_create, backup_key


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và các tệp lưu trữ vào một tệp mã hóa bằng khóa trong biến môi trường "
        "HAICHIEU_BACKUP_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, type=Path, help="tệp sao lưu sẽ tạo")

    def handle(self, *args, output, **options):
        try:
            result = backup_create(output=output, secret=backup_key())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        parts = result.manifest["parts"]
        files = sum(1 for name in parts if name.startswith("files/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu vào {result.path} ({result.size / 1e6:.1f} MB): cơ sở dữ liệu "
                f"{result.manifest['database']['vendor']}, {files} tệp lưu trữ."
            )
        )
        self.stdout.write(f"sha256 {result.sha256}")
