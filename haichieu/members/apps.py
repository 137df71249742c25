from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "haichieu.members"
    label = "members"
    verbose_name = "Đảng viên"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the background import)
