from django.apps import AppConfig


class ExemptionsConfig(AppConfig):
    """Exemptions from party work and activities (miễn công tác và sinh hoạt đảng): recorded by the
    workplace side, seen by the residence side only as "miễn đến …" (issue 11)."""

    name = "haichieu.exemptions"
    label = "exemptions"
    verbose_name = "Miễn công tác và sinh hoạt đảng"
