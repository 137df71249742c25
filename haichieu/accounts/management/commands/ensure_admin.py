"""`haichieu ensure_admin`: the first administrator of a deployment, from HAICHIEU_ADMIN_USERNAME and
HAICHIEU_ADMIN_PASSWORD (the containers run it at each start). Idempotent: a username that exists is
left as it is. Without the two variables it does nothing."""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from haichieu.accounts.services import first_admin_ensure


class Command(BaseCommand):
    help = "Tạo quản trị viên đầu tiên từ HAICHIEU_ADMIN_USERNAME và HAICHIEU_ADMIN_PASSWORD (nếu chưa có)."

    def handle(self, *args, **options):
        username = os.environ.get("HAICHIEU_ADMIN_USERNAME", "").strip()
        password = os.environ.get("HAICHIEU_ADMIN_PASSWORD", "")
        if not username:
            self.stdout.write("Chưa đặt HAICHIEU_ADMIN_USERNAME: không tạo quản trị viên.")
            return
        if not password:
            raise CommandError(f"Chưa đặt HAICHIEU_ADMIN_PASSWORD cho quản trị viên “{username}”.")
        try:
            created = first_admin_ensure(username=username, password=password)
        except ValidationError as exc:
            raise CommandError(
                f"Mật khẩu của quản trị viên “{username}” (HAICHIEU_ADMIN_PASSWORD) chưa đạt: "
                + " ".join(exc.messages)
            ) from exc
        if created:
            self.stdout.write(f"Đã tạo quản trị viên “{username}”.")
        else:
            self.stdout.write(f"Quản trị viên “{username}” đã có: giữ nguyên.")
