from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "haichieu.demo"
    label = "demo"
    verbose_name = "Dữ liệu mẫu"
