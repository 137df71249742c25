from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "haichieu.organizations"
    label = "organizations"
    verbose_name = "Tổ chức đảng"
