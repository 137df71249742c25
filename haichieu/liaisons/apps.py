from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_coverage_triggers(sender, using, **kwargs):
    """Install the coverage triggers again if a migration dropped them, and recount.

    SQLite drops a table's triggers when a migration rebuilds the table (adding a column with a
    default does), which would leave the coverage counts silently stale.
    """
    from django.db import connections

    from . import coverage

    connection = connections[using]
    if coverage.COUNTS not in connection.introspection.table_names():
        return
    if coverage.coverage_triggers_install(connection):
        coverage.coverage_counts_rebuild(using=using)


class LiaisonsConfig(AppConfig):
    name = "haichieu.liaisons"
    label = "liaisons"
    verbose_name = "Giữ mối liên hệ nơi cư trú"

    def ready(self):
        from .document_kinds import register_kinds

        post_migrate.connect(_ensure_coverage_triggers, sender=self)
        register_kinds()  # the letters, the notice and the tracking book a province may adapt
        from . import jobs  # noqa: F401  (registers the letters batch in the background)
