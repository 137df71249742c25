from django.apps import AppConfig


class CareConfig(AppConfig):
    """Data that needs care (issue 13) and the one-page guide of each role. No models."""

    name = "haichieu.care"
    label = "care"
    verbose_name = "Dữ liệu cần xử lý, hướng dẫn"

    def ready(self):
        from .guides import register_kind

        register_kind()  # the role guide, a Word template a province may adapt
