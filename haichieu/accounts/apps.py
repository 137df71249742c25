from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "haichieu.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và vai trò"

    def ready(self):
        from . import signals  # noqa: F401
