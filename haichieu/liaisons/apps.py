from django.apps import AppConfig


class LiaisonsConfig(AppConfig):
    name = "haichieu.liaisons"
    label = "liaisons"
    verbose_name = "Giữ mối liên hệ nơi cư trú"
