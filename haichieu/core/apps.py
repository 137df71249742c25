from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haichieu.core"
    label = "core"
    verbose_name = "Lõi hệ thống"
