"""Audit entries for people: field labels and values in Vietnamese, dates as dd/mm/yyyy.

The audit log stores field names and JSON values (`core.audit.snapshot`: dates in ISO format,
choices as their stored value, foreign keys as text). `{% for row in entry|change_rows %}` turns
them back into what the form showed: ("Chức vụ", "Chuyên viên", "Phó trưởng phòng").
"""

import datetime

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst

from haichieu.core.audit import target_label as _target_label

register = template.Library()

EMPTY = "(trống)"


def _model_for(entry):
    try:
        return apps.get_model(entry.target_type)
    except (LookupError, ValueError):
        return None


def _value(field, value) -> str:
    if value is None or value == "":
        return EMPTY
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    try:
        if isinstance(field, models.DateTimeField):
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "DATETIME_FORMAT")
        if isinstance(field, models.DateField):
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value)
    if isinstance(field, models.BooleanField):
        return "Có" if value else "Không"
    return str(value)


@register.filter
def change_rows(entry) -> list[tuple[str, str, str]]:
    """(label, old, new) for each field an "update" entry changed, in the order it was recorded."""
    changes = entry.changes or {}
    model = _model_for(entry)
    rows = []
    for name, pair in changes.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        label = capfirst(field.verbose_name) if field is not None else name
        rows.append((label, _value(field, pair[0]), _value(field, pair[1])))
    return rows


@register.filter
def target_label(entry) -> str:
    """What kind of object the entry is about ("Đảng viên", "Tổ chức đảng")."""
    return _target_label(entry.target_type)
