from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work with progress (issue 14): a `Job` per long piece of work, run by the worker
    (`haichieu db_worker`, django-tasks-db) through the service of the app that registered its kind;
    the user follows it at /viec-nen/<id>/ and downloads its result while it is kept."""

    name = "haichieu.jobs"
    label = "jobs"
    verbose_name = "Việc chạy nền"
