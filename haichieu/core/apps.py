from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "haichieu.core"
    label = "core"
    verbose_name = "Lõi hệ thống"

    def ready(self):
        from django.urls import register_converter

        from .params import CONVERTERS

        # Before any URLconf is read: every urls.py writes <id:pk>, <year:year>, <period:period>.
        for name, converter in CONVERTERS.items():
            register_converter(converter, name)
