"""Reads of change notices, scoped, and their rows for the shared exporter."""

from django.db.models import QuerySet

NOTICE_COLUMNS = [
    "STT",
    "Ngày biến động",
    "Họ và tên",
    "Loại biến động",
    "Nơi gửi",
    "Nơi nhận",
    "Nội dung",
    "Ngày gửi",
]


def notice_rows(notices: QuerySet):
    """Rows of `notices` (already scoped, filtered and ordered), streamed."""
    for n, notice in enumerate(notices.iterator(chunk_size=2000), start=1):
        yield [
            n, notice.event_date, notice.member.full_name, notice.get_kind_display(), notice.sender_org.name,
            notice.recipient_org.name if notice.recipient_org_id else "", notice.details, notice.created_at,
        ]  # fmt: skip
