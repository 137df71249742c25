"""Expected answers of the template pages for every persona (walked by access/tests/test_permissions.py).

Only those who manage the province (its organisation department, the superuser) open them; anyone
else gets 404 on GET and POST. The walk's world has one province, so the twin side names the same
URLs. Downloads are GET only; going back to the default is POST only and writes.
"""

import hashlib

from haichieu.access.tests.access_tables import Target, everyone, row, table

from . import kinds

MANAGERS = dict(admin=200, province_staff=200)


def _province(s):
    return {"province_pk": s.world.province.pk}


def _kind(s):
    return {"province_pk": s.world.province.pk, "kind": kinds.KIND}


def _with_variant(s):
    """The province has a variant in force (made once, before the walk's first request)."""
    from haichieu.documents.models import DocumentTemplate

    content = kinds.letter_template(receipt_on_letter=True)
    DocumentTemplate.objects.get_or_create(
        organization=s.world.province,
        kind=kinds.KIND,
        is_active=True,
        defaults={
            "content": content,
            "filename": "tiep-nhan-tren-giay.docx",
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        },
    )
    return Target(_kind(s))


DOCUMENTS_EXPECTED: dict = {
    # One province: straight to it.
    "documents:index": row(get=table(404, admin=302, province_staff=302), post=everyone(405)),
    "documents:province": row(_province, get=table(404, **MANAGERS), post=everyone(405)),
    # POST without a file: the form's error, nothing written.
    "documents:kind": row(_with_variant, get=table(404, **MANAGERS), post=table(404, **MANAGERS)),
    "documents:default": row(_kind, get=table(404, **MANAGERS), post=everyone(405)),
    "documents:current": row(_with_variant, get=table(404, **MANAGERS), post=everyone(405)),
    "documents:preview": row(_with_variant, get=table(404, **MANAGERS), post=everyone(405)),
    "documents:revert": row(
        _with_variant,
        get=everyone(405),
        post=table(404, admin=302, province_staff=302),
        writes=("admin", "province_staff"),
    ),
}
