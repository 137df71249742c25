"""`haichieu unlock_user USERNAME…`: lift the sign-in lock of accounts locked after failed sign-ins.

A locked address is unlocked with django-axes' own `haichieu axes_reset_ip ADDRESS`.
"""

from django.core.management.base import BaseCommand

from haichieu.accounts.services import sign_in_unlock


class Command(BaseCommand):
    help = "Mở khóa đăng nhập cho tài khoản bị tạm khóa do đăng nhập sai nhiều lần."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="+")

    def handle(self, *args, **options):
        for username in options["username"]:
            if sign_in_unlock(username=username):
                self.stdout.write(f"{username}: đã mở khóa đăng nhập.")
            else:
                self.stdout.write(f"{username}: không bị khóa (không có lần đăng nhập sai nào được ghi).")
