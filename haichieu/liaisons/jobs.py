"""Word documents of links that grow with a list, in the background (issue 14).

- A batch of more than JOB_LETTERS introduction letters (one .docx, a page each: Mẫu 1-213 / 2-213):
  `letters_issue` builds the same document and writes the same audit entries (one per letter) as the
  download in the request.
- The tracking book (.docx or .xlsx) of a commune committee or cell with more than JOB_BOOK_ROWS
  links in the period (a ward of 12,000 links: 57 s for the .docx, 25 s for the .xlsx on the shared
  cores): `tracking_book_file`, the same file and audit entry as the download.

The worker runs them as the user who asked, looks the objects up again through the access rule, and
keeps the file as the job's result.
"""

import datetime

from django.conf import settings
from django.http import Http404

from haichieu.access import liaisons_visible_to, organization_get_for, scope_for
from haichieu.core.audit import audit_bulk, audit_entry, audit_record
from haichieu.core.documents import DOCX_CONTENT_TYPE, docx_bytes
from haichieu.core.exports import XLSX_CONTENT_TYPE
from haichieu.jobs.services import JobFailed, Outcome, register

from . import selectors
from .models import Liaison

LETTERS_KIND = "liaison_letters"
BOOK_KIND = "tracking_book"


def letters_in_scope(user, ids) -> list[Liaison]:
    """The letters among `ids` the user sees on the workplace side (letters are the workplace's
    documents), in the order of their numbers."""
    scope = scope_for(user)
    qs = (
        liaisons_visible_to(user)
        .filter(scope.workplace_q("member__"), pk__in=ids)
        .exclude(letter_number__isnull=True)
    )
    return list(qs.select_related(*Liaison.LETTER_RELATED).order_by("letter_number", "pk"))


def letters_in_background(count: int) -> bool:
    """A batch of `count` letters goes to the worker."""
    return count > int(settings.HAICHIEU.get("JOB_LETTERS", 200))


def letters_filename(found: list[Liaison]) -> str:
    return "giay-gioi-thieu.docx" if len(found) > 1 else f"giay-gioi-thieu-{found[0].letter_number}.docx"


def letters_issue(*, actor, liaisons: list[Liaison], progress=None) -> bytes:
    """The .docx of `liaisons`' letters, each download in the audit log (one insert: the batch runs the
    queries of one letter). Raises a ServiceError when the province's template cannot be filled
    (nothing is audited then). `progress(done, total, message)` hears of each letter written."""
    from .document_kinds import letters_document

    def each(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total, f"Đã viết {done}/{total} giấy giới thiệu.")

    data = docx_bytes(letters_document(liaisons, progress=each))
    audit_bulk(
        [
            audit_entry(
                actor=actor,
                action="export",
                target=liaison,
                note=f"Giấy giới thiệu {liaison.letter_reference}",
            )
            for liaison in liaisons
        ]
    )
    return data


@register(LETTERS_KIND)
def run_letters(job, progress) -> Outcome:
    ids = job.params.get("ids", [])
    found = letters_in_scope(job.owner, ids)
    if len(found) != len(set(ids)):
        raise JobFailed(
            "Một số giấy giới thiệu không còn trong phạm vi của bạn (đã chuyển hoặc thu hồi): "
            "hãy chọn lại danh sách."
        )
    data = letters_issue(actor=job.owner, liaisons=found, progress=progress)

    return Outcome(
        message=f"Đã viết {len(found)} giấy giới thiệu.",
        file_name=letters_filename(found),
        file_data=data,
        content_type=DOCX_CONTENT_TYPE,
    )


def book_in_background(liaisons) -> bool:
    """The tracking book of `liaisons` (its queryset) goes to the worker."""
    return liaisons.count() > int(settings.HAICHIEU.get("JOB_BOOK_ROWS", 1000))


BOOK_FORMATS = ("docx", "xlsx")


def tracking_book_file(
    *, actor, org, start: datetime.date, end: datetime.date, fmt: str, progress=None
) -> tuple[bytes, str, str]:
    """The tracking book of `org` for [start, end] as (bytes, file name, content type), in `fmt`
    (BOOK_FORMATS), its download in the audit log. Raises a ServiceError when the province's Word
    template cannot be filled (nothing is audited then)."""
    from . import documents
    from .document_kinds import tracking_book_document

    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 2, message)

    step(0, "Đang đọc sổ theo dõi.")
    rows = list(selectors.tracking_book(org, start=start, end=end))
    step(1, f"Đang viết sổ theo dõi ({len(rows)} dòng).")
    if fmt == "docx":
        data, content_type = docx_bytes(tracking_book_document(org, start, end, rows)), DOCX_CONTENT_TYPE
    else:
        data, content_type = documents.tracking_book_xlsx(org, start, end, rows), XLSX_CONTENT_TYPE
    # Every export is logged (DESIGN.md "Data protection").
    audit_record(
        actor=actor, action="export", target=org, note=f"Sổ theo dõi {start:%d/%m/%Y}–{end:%d/%m/%Y} ({fmt})"
    )
    return data, documents.tracking_book_filename(org, start, end, fmt), content_type


@register(BOOK_KIND)
def run_book(job, progress) -> Outcome:
    params = job.params
    try:
        org = organization_get_for(job.owner, pk=params["org"])
    except Http404 as exc:
        raise JobFailed("Tổ chức này không còn trong phạm vi của bạn.") from exc
    start, end = datetime.date.fromisoformat(params["start"]), datetime.date.fromisoformat(params["end"])
    data, name, content_type = tracking_book_file(
        actor=job.owner, org=org, start=start, end=end, fmt=params["fmt"], progress=progress
    )
    return Outcome(
        message=f"Đã viết sổ theo dõi của {org.name}.",
        file_name=name,
        file_data=data,
        content_type=content_type,
    )
