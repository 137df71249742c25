"""The work queue on the home page (issue 13): for each of the user's roles, what is to do now, as
counts that link to the list behind each one.

Every count is the list's own query, imported from the app that owns the list (one definition per
rule): the coverage cards' kept counts (liaisons.selectors.coverage_summary, tested against the
list they link to), the digests' states, comments.selectors.requests_count, the meetings' workplace
list, exemptions.selectors.ending_soon_for, liaisons.selectors.incoming_for and
departures_pending_for, the cell's roster, its tasks, a member's meetings and tasks. Counts run in
the database (`.count()`, indexed filters), a bounded number of queries per block, whatever the
data's size. Each item carries a one-line "how to" (DESIGN.md "Workflows") and each block the link
to its role's printable guide (care/guides.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode

from haichieu.access import scope_for
from haichieu.access.scope import (
    GUIDE_COMMUNE_STAFF,
    GUIDE_MEMBER,
    GUIDE_PROVINCE,
    GUIDE_RESIDENCE_CELL,
    GUIDE_WORKPLACE_STAFF,
)
from haichieu.comments import selectors as comment_selectors
from haichieu.exemptions import selectors as exemption_selectors
from haichieu.liaisons import rules as liaison_rules
from haichieu.liaisons import selectors as liaison_selectors
from haichieu.liaisons.forms_workplace import TO_INTRODUCE
from haichieu.liaisons.models import Liaison
from haichieu.meetings import selectors as meeting_selectors
from haichieu.meetings import selectors_tasks
from haichieu.organizations.models import Organization

# The digests' states that ask the workplace to send (liaisons.selectors.digests_status).
DIGEST_TO_SEND = ("due", "overdue")


@dataclass
class Item:
    """One thing to do: how many (None for an item that is not a count), where the list is, and
    what to do next."""

    key: str
    label: str
    count: int | None
    url: str
    how_to: str
    urgent: bool = False  # a count above zero is overdue work (shown in red)
    note: str = ""  # an item that is not a count says what it is here (the next meeting)


@dataclass
class Block:
    """One role's part of the queue."""

    key: str
    title: str
    subtitle: str
    guide: str
    items: list[Item] = field(default_factory=list)

    @property
    def nothing_to_do(self) -> bool:
        return all(not item.count for item in self.items if item.count is not None)


def _url(name: str, *args, query: dict | None = None, anchor: str = "") -> str:
    url = reverse(name, args=args)
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")


def work_queue(user, *, today: datetime.date) -> list[Block]:
    """The user's blocks, one per way of working: workplace staff, commune committee staff, each
    residential cell the user works for, and the member's own."""
    scope = scope_for(user)
    blocks = []
    if scope.is_superuser or scope.has_workplace_role:
        blocks.append(workplace_block(user, today=today))
    if scope.is_superuser or scope.has_residence_committee_role:
        blocks.append(commune_block(user, today=today))
    if scope.residence_cell_ids and not scope.is_superuser:
        blocks.extend(cell_blocks(user, scope.residence_cell_ids, today=today))
    if scope.member_id is not None:
        blocks.append(member_block(user, scope.member_id, today=today))
    return blocks


def workplace_block(user, *, today: datetime.date) -> Block:
    """Members to introduce, returned introductions, digests to send, comments overdue, members
    below the year's meetings minimum, exemptions ending."""
    scope = scope_for(user)
    summary = liaison_selectors.coverage_summary(user)
    digests = liaison_selectors.digests_status(user, today=today)
    overdue_digests = sum(1 for row in digests if row["state"] == "overdue")
    return Block(
        key="workplace",
        title="Nơi công tác",
        subtitle="Cấp ủy, chi bộ nơi đảng viên công tác",
        guide=GUIDE_PROVINCE if scope.manages_a_province else GUIDE_WORKPLACE_STAFF,
        items=[
            Item(
                "to_introduce",
                "Đảng viên chưa giới thiệu về nơi cư trú",
                summary["not_yet"],
                _url("liaisons:coverage", query={"link": TO_INTRODUCE}),
                "Chọn đảng viên, bấm “Giới thiệu”, xem trước rồi xác nhận để cấp giấy giới thiệu.",
            ),
            Item(
                "returned",
                "Giới thiệu bị nơi cư trú trả lại",
                summary["by_status"].get(liaison_rules.LinkStatus.RETURNED, 0),
                _url("liaisons:coverage", query={"link": liaison_rules.LinkStatus.RETURNED}),
                "Đọc lý do trả lại, sửa địa chỉ nơi cư trú của đảng viên rồi giới thiệu lại.",
                urgent=True,
            ),
            Item(
                "digests",
                f"Danh sách biến động đến hạn gửi (quá hạn: {overdue_digests})",
                sum(1 for row in digests if row["state"] in DIGEST_TO_SEND),
                _url("liaisons:digests"),
                "Tải danh sách của kỳ, trình ký rồi bấm “Gửi” để đảng ủy nơi cư trú nhận.",
                urgent=overdue_digests > 0,
            ),
            Item(
                "comments_overdue",
                "Phiếu lấy ý kiến nhận xét quá hạn chưa trả lời",
                comment_selectors.requests_count(user, today=today, state="overdue"),
                _url("comments:list", query={"state": "overdue"}),
                "Nhắc chi bộ nơi cư trú trả lời; quá hạn lâu thì báo đảng ủy xã, phường.",
                urgent=True,
            ),
            Item(
                "below_minimum",
                f"Đảng viên dự sinh hoạt nơi cư trú chưa đủ số buổi năm {today.year}",
                meeting_selectors.workplace_members(user, today=today, below=True).count(),
                _url("meetings:workplace", query={"below": "1"}),
                "Nhắc đảng viên dự sinh hoạt nơi cư trú; cân nhắc khi đánh giá, xếp loại cuối năm.",
            ),
            Item(
                "exemptions_ending",
                "Miễn công tác và sinh hoạt đảng sắp hết hạn",
                exemption_selectors.ending_soon_for(user, today=today).count(),
                _url("exemptions:overview", anchor="ending-title"),
                "Nhắc đảng viên làm đơn gia hạn, hoặc để việc miễn hết hạn và đảng viên sinh hoạt trở lại.",
            ),
        ],
    )


def commune_block(user, *, today: datetime.date) -> Block:
    """Introductions waiting and overdue, comments pending and to confirm, "no longer lives here"
    reports to confirm."""
    incoming = liaison_selectors.incoming_for(user)
    overdue = liaison_rules.reception_overdue(incoming, today).count()
    return Block(
        key="commune",
        title="Nơi cư trú — đảng ủy xã, phường",
        subtitle="Tiếp nhận, phân về chi bộ, xác nhận nhận xét",
        guide=GUIDE_COMMUNE_STAFF,
        items=[
            Item(
                "incoming",
                "Giới thiệu đến chờ tiếp nhận",
                incoming.count(),
                _url("liaisons:residence_incoming"),
                "Tiếp nhận và phân về chi bộ thôn, tổ dân phố; sai địa bàn thì trả lại kèm lý do.",
            ),
            Item(
                "incoming_overdue",
                "Giới thiệu quá hạn tiếp nhận",
                overdue,
                _url("liaisons:residence_incoming"),
                "Xử lý trước những giới thiệu đánh dấu “Quá hạn” (đứng đầu danh sách).",
                urgent=True,
            ),
            Item(
                "comments_pending",
                "Phiếu nhận xét chi bộ chưa trả lời (còn hạn)",
                comment_selectors.requests_count(user, today=today, state="pending"),
                _url("comments:list", query={"state": "pending"}),
                "Nhắc chi ủy chi bộ nơi cư trú họp, nhận xét đảng viên và gửi trước hạn.",
            ),
            Item(
                "comments_awaiting",
                "Nhận xét chờ đảng ủy xác nhận",
                comment_selectors.requests_count(user, today=today, state="awaiting"),
                _url("comments:list", query={"state": "awaiting"}),
                "Mở phiếu, kiểm tra nhận xét của chi bộ rồi xác nhận để gửi nơi công tác.",
                urgent=True,
            ),
            Item(
                "departures",
                "Báo “không còn cư trú” chờ xác nhận",
                liaison_selectors.departures_pending_for(user).count(),
                _url("liaisons:residence_departures"),
                "Xác minh với chi bộ; xác nhận để thông báo nơi công tác, hoặc từ chối kèm lý do.",
                urgent=True,
            ),
        ],
    )


def cell_blocks(user, cell_ids: list[int], *, today: datetime.date) -> list[Block]:
    """One block per residential cell of the user's roles: the next meeting, members to place in a
    group, comments to write, tasks due (five queries a cell, two for all of them)."""
    cells = list(Organization.objects.filter(pk__in=cell_ids).order_by("name", "pk"))
    upcoming = meeting_selectors.next_meetings(user, [c.pk for c in cells], today=today)
    blocks = []
    for cell in cells:
        meeting = upcoming.get(cell.pk)
        if meeting is not None:
            next_item = Item(
                "next_meeting",
                "Kỳ sinh hoạt tới",
                None,
                _url("meetings:detail", meeting.pk),
                "Gửi giấy mời trước ngày họp; mở điểm danh khi họp và ghi biên bản sau buổi họp.",
                note=f"{meeting.date:%d/%m/%Y}, {meeting.start_time:%H:%M}",
            )
        else:
            next_item = Item(
                "next_meeting",
                "Kỳ sinh hoạt tới",
                None,
                _url("meetings:create", cell.pk),
                "Chi bộ gặp đảng viên giữ mối liên hệ 6 tháng một lần: lên lịch kỳ sinh hoạt tới.",
                note="chưa lên lịch",
            )
        block = Block(
            key=f"cell-{cell.pk}",
            title=cell.name,
            subtitle="Chi bộ nơi cư trú",
            guide=GUIDE_RESIDENCE_CELL,
            items=[
                next_item,
                Item(
                    "unplaced",
                    "Đảng viên chưa phân tổ/nhóm",
                    liaison_selectors.cell_unplaced(cell).count(),
                    _url("liaisons:residence_cell", cell.pk, anchor="group-none"),
                    "Mở hồ sơ, bấm “Phân tổ/nhóm”, chọn tổ/nhóm và người theo dõi.",
                ),
                Item(
                    "comments_pending",
                    "Nhận xét cần viết (còn hạn)",
                    comment_selectors.requests_count(user, today=today, cell=cell, state="pending"),
                    _url("comments:list", query={"cell": cell.pk, "state": "pending"}),
                    "Họp chi ủy cùng Ban công tác Mặt trận, nhận xét từng đảng viên và gửi trước hạn.",
                ),
                Item(
                    "comments_overdue",
                    "Nhận xét quá hạn",
                    comment_selectors.requests_count(user, today=today, cell=cell, state="overdue"),
                    _url("comments:list", query={"cell": cell.pk, "state": "overdue"}),
                    "Viết và gửi ngay: nơi công tác cần nhận xét để đánh giá đảng viên cuối năm.",
                    urgent=True,
                ),
                Item(
                    "tasks_due",
                    "Nhiệm vụ đến hạn chưa ghi kết quả",
                    selectors_tasks.cell_tasks(user, cell=cell, due_on=today).count(),
                    _url("meetings:task_list", cell.pk, query={"due": "1"}),
                    "Hỏi đảng viên kết quả, mở nhiệm vụ và ghi “Hoàn thành” hoặc “Chưa hoàn thành”.",
                ),
            ],
        )
        blocks.append(block)
    return blocks


def member_block(user, member_id: int, *, today: datetime.date) -> Block:
    """The member's own: their link, the meetings ahead, the tasks still in progress."""
    link = (
        Liaison.objects.filter(member_id=member_id, status__in=Liaison.RESIDENT_STATUSES)
        .select_related("cell", "commune_org")
        .order_by("-pk")
        .first()
    )
    if link is None:
        where = "chưa được giới thiệu về nơi cư trú"
    else:
        place = link.cell or link.commune_org
        where = place.name if place is not None else "đã giới thiệu, chờ nơi cư trú tiếp nhận"
    return Block(
        key="member",
        title="Của tôi",
        subtitle="Đảng viên",
        guide=GUIDE_MEMBER,
        items=[
            Item(
                "own_link",
                "Nơi cư trú giữ mối liên hệ",
                None,
                _url("members:detail", member_id),
                "Chuyển nơi ở hoặc đổi số điện thoại: báo chi bộ nơi công tác để cập nhật.",
                note=where,
            ),
            Item(
                "upcoming",
                "Buổi sinh hoạt sắp tới",
                meeting_selectors.upcoming_invitations(user, member_id, today=today).count(),
                _url("meetings:mine", anchor="mine-upcoming"),
                "Dự đủ các buổi; vắng thì báo trước với bí thư chi bộ nơi cư trú.",
            ),
            Item(
                "tasks_open",
                "Nhiệm vụ nơi cư trú đang thực hiện",
                selectors_tasks.member_tasks_open(user, member_id).count(),
                _url("meetings:mine", anchor="mine-tasks"),
                "Thực hiện trước thời hạn và báo kết quả với chi bộ nơi cư trú.",
            ),
        ],
    )
