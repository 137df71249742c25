"""Document numbers per issuing committee, type and term (HD 36-HD/VPTW): 'Số 15-GGT/ĐU'."""

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import DocumentCounter


def next_document_number(*, organization, doc_type: str) -> int:
    """The next number of `doc_type` for `organization` in its current term; race-safe on both databases."""
    term = organization.term
    for _ in range(5):
        counter = DocumentCounter.objects.filter(
            organization=organization, doc_type=doc_type, term=term
        ).first()
        if counter is None:
            try:
                with transaction.atomic():
                    DocumentCounter.objects.create(
                        organization=organization, doc_type=doc_type, term=term, last_number=1
                    )
                return 1
            except IntegrityError:
                continue
        updated = DocumentCounter.objects.filter(pk=counter.pk, last_number=counter.last_number).update(
            last_number=F("last_number") + 1
        )
        if updated:
            return counter.last_number + 1
    raise RuntimeError("Không cấp được số văn bản: có quá nhiều người cùng cấp số. Hãy thử lại.")


def document_symbol(*, organization, doc_type: str) -> str:
    return f"{doc_type}/{organization.document_abbreviation}"
