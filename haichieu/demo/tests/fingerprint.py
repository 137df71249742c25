"""Fingerprints of the rows the demo writes, to show that a seed gives the same data every time."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.db import models

from haichieu.accounts.models import Role, User
from haichieu.liaisons.models import Liaison
from haichieu.members.models import Member
from haichieu.organizations.models import Organization

# Written by the clock or salted at random, so different on every run whatever the seed.
VOLATILE = {"password", "date_joined", "last_login"}

# What the seed chooses, by natural keys and in plain types: the same on SQLite and PostgreSQL, and
# untouched by a column added later with a default. Rows in primary-key order (insertion order).
KEY_COLUMNS = {
    Organization: ["code", "name", "path", "kind", "is_residential", "commune_id", "province_id"],
    Member: [
        "party_card_number",
        "full_name",
        "sort_key",
        "date_of_birth",
        "gender",
        "national_id",
        "phone",
        "email",
        "admission_date",
        "full_membership_date",
        "workplace_cell__code",
        "position",
        "workplace_unit",
        "address_street",
        "address_hamlet",
        "residence_commune_id",
        "residence_type",
        "status",
        "liaison_category",
        "liaison_category_note",
        "link_status",
        "user__username",
    ],
    Liaison: [
        "member__party_card_number",
        "workplace_org__code",
        "commune_org__code",
        "cell__code",
        "commune_id",
        "address_street",
        "address_hamlet",
        "status",
        "excused",
        "letter_number",
        "letter_symbol",
        "letter_date",
        "receive_due",
        "return_reason",
        "return_note",
        "end_date",
        "end_reason",
        "previous__member__party_card_number",
        "previous__commune_org__code",
    ],
    User: ["username", "full_name", "is_superuser", "is_staff"],
    Role: ["user__username", "organization__code", "kind", "start_date", "end_date"],
}


def _digest(tables) -> str:
    digest = hashlib.sha256()
    for label, rows in tables:
        digest.update(label.encode())
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def demo_key_fingerprint() -> str:
    """sha256 over the seed's choices (`KEY_COLUMNS`), comparable across databases and runs."""
    return _digest(
        (model._meta.label, model.objects.order_by("pk").values_list(*columns))
        for model, columns in KEY_COLUMNS.items()
    )


def demo_fingerprint() -> str:
    """sha256 over every concrete column of every table of the project except clocks and hashes.

    Keys are replaced by their row's rank in primary-key order, so two seeds in one database (whose
    sequences a rollback does not rewind) compare equal when they wrote the same rows.
    """
    tables = sorted(
        (m for m in apps.get_models() if m.__module__.startswith("haichieu.")), key=lambda m: m._meta.label
    )
    ranks = {
        model: {pk: n for n, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True))}
        for model in tables
    }

    def plain(model: type[models.Model], field: models.Field, value):
        if field.primary_key:
            return ranks[model][value]
        if field.is_relation and field.related_model in ranks:
            return ranks[field.related_model].get(value, value)
        return value

    def rows(model):
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.name not in VOLATILE
            and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
        ]
        for row in model.objects.order_by("pk").values_list(*[f.attname for f in fields]):
            yield tuple(plain(model, f, v) for f, v in zip(fields, row, strict=True))

    return _digest((model._meta.label, rows(model)) for model in tables)
