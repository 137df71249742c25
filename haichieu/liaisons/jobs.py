"""Introduction letters in the background (issue 14).

A batch of more than JOB_LETTERS letters (one .docx, a page each: Mẫu 1-213 / 2-213) is written by the
worker: `letters_issue` builds the same document and writes the same audit entries (one per letter) as
the download in the request, as the user who asked, and the file is kept as the job's result.
"""

from django.conf import settings

from haichieu.access import liaisons_visible_to, scope_for
from haichieu.core.audit import audit_bulk, audit_entry
from haichieu.core.documents import DOCX_CONTENT_TYPE, docx_bytes
from haichieu.jobs.services import JobFailed, Outcome, register

from .models import Liaison

LETTERS_KIND = "liaison_letters"


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
