from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """Where an organisation stands on Regulation 213 (issue 13): its 213 score, made of settings with
    their source, and the yearly review report (báo cáo sơ kết/tổng kết) as a Word document a
    province can adapt."""

    name = "haichieu.review"
    label = "review"
    verbose_name = "Sơ kết, tổng kết thực hiện Quy định 213"

    def ready(self):
        from .document_kinds import register_kinds

        register_kinds()  # the yearly review report a province may adapt
