"""Writes on a province's Word templates: upload a variant, go back to the default.

Each is one transaction with its audit entry. Only those who manage the province (its
organisation department, the superuser) may change its templates (`Scope.may_manage_province_of`).
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from haichieu.access import scope_for
from haichieu.core.audit import audit_record
from haichieu.core.services import ServiceError
from haichieu.organizations.models import Organization

from .engine import inspect_template
from .models import DocumentTemplate
from .registry import DocumentKind

NOT_YOURS = "Chỉ ban tổ chức của tỉnh/thành phố mới được thay mẫu văn bản của tỉnh/thành phố."
BUSY = "Mẫu văn bản này vừa được người khác thay đổi. Hãy tải lại trang rồi thử lại."


def _require_province(actor, province: Organization) -> None:
    if province.depth != 1 or not scope_for(actor).may_manage_province_of(province):
        raise ServiceError(NOT_YOURS)


def _label(kind: DocumentKind, province: Organization) -> str:
    return f"{kind.label} — {province.name}"


def _retire(*, province: Organization, kind: DocumentKind, now) -> DocumentTemplate | None:
    """Take the variant in force out of force (a conditional update: two at once cannot both do it)."""
    current = (
        DocumentTemplate.objects.filter(organization=province, kind=kind.kind, is_active=True)
        .defer("content")
        .first()
    )
    if current is None:
        return None
    if not DocumentTemplate.objects.filter(pk=current.pk, is_active=True).update(
        is_active=False, replaced_at=now
    ):
        raise ServiceError(BUSY)
    return current


def template_upload(
    *, actor, province: Organization, kind: DocumentKind, filename: str, content: bytes
) -> DocumentTemplate:
    """Put an uploaded variant of `kind` in force for `province`, after `engine.inspect_template`
    accepted it (a .docx, sound Jinja, only the kind's placeholders, fills with its sample). The
    variant it replaces is kept, out of force."""
    _require_province(actor, province)
    inspection = inspect_template(kind, content)
    now = timezone.now()
    name = (filename or "mau.docx").replace("\\", "/").rsplit("/", 1)[-1][:255] or "mau.docx"
    try:
        with transaction.atomic():
            replaced = _retire(province=province, kind=kind, now=now)
            template = DocumentTemplate.objects.create(
                kind=kind.kind,
                organization=province,
                content=content,
                filename=name,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                placeholders=inspection.placeholders,
                uploaded_by=actor,
                uploaded_at=now,
            )
            audit_record(
                actor=actor,
                action="create",
                target=template,
                target_repr=_label(kind, province),
                changes={
                    "after": {
                        "kind": kind.kind,
                        "filename": name,
                        "size": len(content),
                        "sha256": template.sha256,
                        "replaces": replaced.pk if replaced else None,
                    }
                },
                note=f"Tải lên mẫu “{name}”" + (f", thay mẫu “{replaced.filename}”" if replaced else ""),
            )
    except IntegrityError as exc:  # another upload for the same kind and province won the race
        raise ServiceError(BUSY) from exc
    return template


def template_revert(*, actor, province: Organization, kind: DocumentKind) -> DocumentTemplate:
    """Go back to the default template of `kind` for `province`: its variant leaves force (kept as
    history). Returns the variant taken out of force."""
    _require_province(actor, province)
    with transaction.atomic():
        replaced = _retire(province=province, kind=kind, now=timezone.now())
        if replaced is None:
            raise ServiceError("Tỉnh/thành phố đang dùng mẫu mặc định của loại văn bản này.")
        audit_record(
            actor=actor,
            action="deactivate",
            target=replaced,
            target_repr=_label(kind, province),
            changes={"is_active": [True, False]},
            note=f"Thôi dùng mẫu “{replaced.filename}”, dùng lại mẫu mặc định",
        )
    return replaced
