from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Word templates a province can adapt: the kind registry, the variants, the engine and their pages.

    The apps that issue documents register their kinds in their own `ready()` (registry.register).
    """

    name = "haichieu.documents"
    label = "documents"
    verbose_name = "Mẫu văn bản"
