"""Reads for the template pages. The caller has checked the province (access.province_managed_or_404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from haichieu.organizations.models import Organization

from .models import DocumentTemplate
from .registry import DocumentKind, all_kinds

HISTORY_LIMIT = 20


@dataclass
class KindInForce:
    """One kind of document and the province's variant in force (None: the default)."""

    kind: DocumentKind
    variant: DocumentTemplate | None


def _listed(qs: QuerySet) -> QuerySet:
    return qs.defer("content").select_related("uploaded_by")


def kinds_in_force(province: Organization) -> list[KindInForce]:
    """Every registered kind with the province's variant in force, if any (one query)."""
    variants = {
        v.kind: v for v in _listed(DocumentTemplate.objects.filter(organization=province, is_active=True))
    }
    return [KindInForce(kind, variants.get(kind.kind)) for kind in all_kinds()]


def variant_in_force(province: Organization, kind: DocumentKind, *, with_content: bool = False):
    """The province's variant of `kind` in force, or None."""
    qs = DocumentTemplate.objects.filter(organization=province, kind=kind.kind, is_active=True)
    return (qs if with_content else _listed(qs)).first()


def template_history(province: Organization, kind: DocumentKind) -> list[DocumentTemplate]:
    """The province's variants of `kind`, newest first (the one in force among them), at most
    HISTORY_LIMIT."""
    qs = DocumentTemplate.objects.filter(organization=province, kind=kind.kind).order_by(
        "-uploaded_at", "-pk"
    )
    return list(_listed(qs)[:HISTORY_LIMIT])
