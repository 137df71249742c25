from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "haichieu.members"
    label = "members"
    verbose_name = "Đảng viên"
