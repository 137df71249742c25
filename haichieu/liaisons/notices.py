"""Reads of change notices, scoped, and their rows for the shared exporter."""

from django.db.models import QuerySet

from haichieu.core.access import scope_for
from haichieu.core.paths import subtree_q

from .models import ChangeNotice


def notices_visible_to(user) -> QuerySet:
    """Notices sent or received by an organisation in the user's subtrees."""
    scope = scope_for(user)
    if scope.is_superuser:
        return ChangeNotice.objects.all()
    if not scope.read_paths:
        return ChangeNotice.objects.none()
    return ChangeNotice.objects.filter(
        subtree_q("sender_org__path", scope.read_paths) | subtree_q("recipient_org__path", scope.read_paths)
    )


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
