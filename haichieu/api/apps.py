from django.apps import AppConfig


class ApiConfig(AppConfig):
    """`/api/v1/` for other systems (issue 14): django-ninja endpoints over the apps' selectors and
    services, per-user tokens (only their hash is kept), scoped by the access rule, throttled per
    token and audited like the pages."""

    name = "haichieu.api"
    label = "api"
    verbose_name = "API cho hệ thống khác"
