"""`haichieu seed_demo`: a demo province with members, liaisons and one login per role.

`make run` calls it with `--if-empty`, so running the app again keeps the data already there.
"""

from django.core.management.base import BaseCommand, CommandError

from haichieu.demo.accounts import DEMO_PASSWORD, existing_demo_logins
from haichieu.demo.common import DemoError
from haichieu.demo.seed import DEFAULT_PROVINCE, demo_exists, seed_demo


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu: một tỉnh/thành phố với tổ chức đảng, đảng viên, hồ sơ 213 và tài khoản thử."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=2000, help="số đảng viên (mặc định 2000)")
        parser.add_argument(
            "--seed", type=int, default=2026, help="hạt giống ngẫu nhiên, để tạo lại đúng dữ liệu cũ"
        )
        parser.add_argument(
            "--province", default=DEFAULT_PROVINCE, help="mã tỉnh/thành phố (mặc định 01: Thành phố Hà Nội)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="không làm gì nếu cơ sở dữ liệu đã có tổ chức đảng"
        )

    def handle(self, *args, members, seed, province, if_empty, verbosity, **options):
        if if_empty and demo_exists():
            self.stdout.write("Đã có dữ liệu, không tạo dữ liệu mẫu.")
            logins = existing_demo_logins()
            if logins:
                self._print_logins(logins, DEMO_PASSWORD + " (nếu chưa đổi)")
            return
        log = (lambda message: self.stderr.write(f"  {message}")) if verbosity > 1 else None
        try:
            result = seed_demo(members=members, seed=seed, province_code=province, log=log)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo dữ liệu mẫu {result.root.name}: {result.organizations} tổ chức đảng, "
                f"{result.members} đảng viên, {result.liaisons} hồ sơ giữ mối liên hệ "
                f"({result.seconds:.1f} giây)."
            )
        )
        self._print_logins(result.logins, result.password)

    def _print_logins(self, logins, password):
        self.stdout.write("Tài khoản dùng thử:")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role} — {login.organization}")
        self.stdout.write(f"Mật khẩu chung: {password}")
