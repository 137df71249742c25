from django.apps import AppConfig


class CommentsConfig(AppConfig):
    """The residence's comment on a working member (issue 12): the workplace asks (yearly round or ad
    hoc), the residential cell answers on the form of the year, the commune committee confirms when
    the setting asks, the workplace receives it."""

    name = "haichieu.comments"
    label = "comments"
    verbose_name = "Nhận xét đảng viên nơi cư trú"

    def ready(self):
        from .document_kinds import register_kinds

        register_kinds()  # the comment (Mẫu 3-213 / 4-213) a province may adapt
        from . import jobs  # noqa: F401  (registers the round in the background)
