from django.apps import AppConfig
from django.db.models.signals import post_migrate

BATCH = 2000


def _fill_sort_keys(sender, using, **kwargs):
    """Give every organisation without one its name's sort key (Organization.sort_key), after each
    `migrate`: the rows that were there when the column came (organizations 0007) get it from the
    live rule, which a migration may not import (core.tests.test_migrations). Nothing to do once
    filled: save() and the bulk writers set it."""
    from django.db import connections

    from .models import Organization

    if Organization._meta.db_table not in connections[using].introspection.table_names():
        return
    if "sort_key" not in {
        column.name
        for column in connections[using].introspection.get_table_description(
            connections[using].cursor(), Organization._meta.db_table
        )
    }:
        return
    from haichieu.core.text import vn_text_key

    empty = Organization.objects.using(using).filter(sort_key="").only("pk", "name")
    rows = []
    for org in empty.iterator(chunk_size=BATCH):
        org.sort_key = vn_text_key(org.name)
        rows.append(org)
        if len(rows) == BATCH:
            Organization.objects.using(using).bulk_update(rows, ["sort_key"])
            rows = []
    Organization.objects.using(using).bulk_update(rows, ["sort_key"])


class OrganizationsConfig(AppConfig):
    name = "haichieu.organizations"
    label = "organizations"
    verbose_name = "Tổ chức đảng"

    def ready(self):
        post_migrate.connect(_fill_sort_keys, sender=self)
