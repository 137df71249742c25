"""The two-way link (Regulation 213-QĐ/TW): liaisons, their history, notices, inboxes, digests."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce

# Where an introduction without a deadline sorts among those waiting: last.
NO_DUE_DATE = datetime.date(9999, 12, 31)


class Group(models.Model):
    """A group of working members inside a residential cell (tổ/nhóm đảng viên 213)."""

    cell = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="liaison_groups"
    )
    name = models.CharField("tên tổ/nhóm", max_length=100)

    class Meta:
        verbose_name = "tổ/nhóm đảng viên"
        verbose_name_plural = "tổ/nhóm đảng viên"
        constraints = [models.UniqueConstraint(fields=["cell", "name"], name="group_unique_name_in_cell")]

    def __str__(self) -> str:
        return self.name


class SignerTitle(models.TextChoices):
    """Who signs a letter or notice for the committee, under "T/M ĐẢNG ỦY" (the value is printed)."""

    SECRETARY = "BÍ THƯ", "Bí thư"
    DEPUTY = "PHÓ BÍ THƯ", "Phó Bí thư"


def signer_fields() -> tuple[models.CharField, models.CharField]:
    """The signer's title and name, chosen at issue and kept with the document: a reprint is identical."""
    return (
        models.CharField(
            "chức danh người ký", max_length=20, choices=SignerTitle.choices, default=SignerTitle.SECRETARY
        ),
        models.CharField("họ tên người ký", max_length=100, blank=True),
    )


# A link whose dates are out of the workflow's order (introduced → received → active; returned or
# ended after the introduction) or lack one its status needs: data that needs care (care/checks.py).
# Written once here, for the check and for the index on it (`liaison_dates_care_idx`): an index on
# the expression itself, so PostgreSQL keeps statistics of it (a partial index was never chosen:
# the planner guessed 80% of the links match comparisons of two columns, and read them all). The
# COALESCE keeps the OR whole: the planner flattens nested ORs, and an arm matches no index.
LINK_DATES_NEED_CARE = Coalesce(
    ExpressionWrapper(
        Q(received_at__lt=F("introduced_at"))
        | Q(activated_at__lt=F("received_at"))
        | Q(returned_at__lt=F("introduced_at"))
        | Q(ended_at__lt=F("introduced_at"))
        | Q(status__in=["introduced", "received", "active"], letter_date__isnull=True)
        | Q(status__in=["received", "active"], received_at__isnull=True),
        output_field=models.BooleanField(),
    ),
    Value(False),
    output_field=models.BooleanField(),
)


class Liaison(models.Model):
    """One member's link with one residence (hồ sơ đảng viên giữ mối liên hệ nơi cư trú).

    draft → introduced → received → active → ended; introduced → returned → introduced.
    A move of residence ends the link and opens a new one (`previous` keeps the chain).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Chưa giới thiệu"
        INTRODUCED = "introduced", "Đã giới thiệu"
        RETURNED = "returned", "Bị trả lại"
        RECEIVED = "received", "Đã tiếp nhận"
        ACTIVE = "active", "Đang sinh hoạt"
        ENDED = "ended", "Đã kết thúc"

    OPEN_STATUSES = (Status.DRAFT, Status.INTRODUCED, Status.RETURNED, Status.RECEIVED, Status.ACTIVE)
    # The member is the residence's now: sent there and not returned or ended. Only through such a
    # link does the residence side open the member's record (data minimisation, issue 9).
    RESIDENT_STATUSES = (Status.INTRODUCED, Status.RECEIVED, Status.ACTIVE)
    # What an introduction letter prints of its link, read with it in one query.
    LETTER_RELATED = (
        "member",
        "member__workplace_cell",
        "member__residence_commune",
        "member__residence_province",
        "workplace_org",
        "commune_org",
        "commune",
        "commune__province",
    )

    class ReturnReason(models.TextChoices):
        NOT_OUR_AREA = "not_our_area", "Không thuộc địa bàn"
        WRONG_ADDRESS = "wrong_address", "Sai địa chỉ"
        DUPLICATE = "duplicate", "Trùng hồ sơ"
        OTHER = "other", "Lý do khác"

    class EndReason(models.TextChoices):
        MOVED = "moved", "Chuyển nơi cư trú"
        NO_LONGER_RESIDES = "no_longer_resides", "Không còn cư trú tại địa phương"
        EXPELLED = "expelled", "Bị khai trừ"
        REMOVED = "removed", "Bị xóa tên"
        LEFT_PARTY = "left_party", "Ra khỏi Đảng"
        DECEASED = "deceased", "Từ trần"
        SPECIAL_DUTY = "special_duty", "Nhận nhiệm vụ đặc biệt"
        # The workplace took its letter back before the residence acted on it (`liaison_withdraw`).
        WITHDRAWN = "withdrawn", "Đã thu hồi giấy giới thiệu"
        OTHER = "other", "Lý do khác"

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="liaisons")
    workplace_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="cấp ủy nơi công tác",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons_sent",
    )
    commune_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đảng ủy xã/phường",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons_received",
    )
    cell = models.ForeignKey(
        "organizations.Organization",
        verbose_name="chi bộ nơi cư trú",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons_in_cell",
    )
    group = models.ForeignKey(
        Group,
        verbose_name="tổ/nhóm",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaisons",
    )
    follower_name = models.CharField("cấp ủy viên theo dõi", max_length=100, blank=True)
    follower_phone = models.CharField("điện thoại người theo dõi", max_length=15, blank=True)
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.DRAFT)
    excused = models.BooleanField("miễn sinh hoạt nơi cư trú", default=False)
    # The residence the link was made for (kept as it was, even if the member's record changes).
    commune = models.ForeignKey(
        "organizations.Commune",
        verbose_name="xã/phường/đặc khu",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address_street = models.CharField("số nhà, đường phố", max_length=255, blank=True)
    address_hamlet = models.CharField("thôn, tổ dân phố", max_length=255, blank=True)
    letter_number = models.PositiveIntegerField("số giấy giới thiệu", null=True, blank=True)
    letter_symbol = models.CharField("ký hiệu", max_length=30, blank=True)
    letter_date = models.DateField("ngày giới thiệu", null=True, blank=True)
    signer_title, signer_name = signer_fields()
    introduced_at = models.DateTimeField(null=True, blank=True)
    receive_due = models.DateField("hạn tiếp nhận", null=True, blank=True, db_index=True)
    received_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField("lý do trả lại", max_length=20, choices=ReturnReason.choices, blank=True)
    return_note = models.CharField("ghi chú trả lại", max_length=255, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_date = models.DateField("ngày kết thúc", null=True, blank=True)
    end_reason = models.CharField("lý do kết thúc", max_length=20, choices=EndReason.choices, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name="hồ sơ trước",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_links",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hồ sơ giữ mối liên hệ"
        verbose_name_plural = "hồ sơ giữ mối liên hệ"
        constraints = [
            # At most one open link per member (issue 15): a second one, from a move recorded twice
            # or two users at once, is refused by the database whatever the writer.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["draft", "introduced", "returned", "received", "active"]),
                name="liaison_one_open_per_member",
            )
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="liaison_member_status_idx"),
            # Data that needs care (care/checks.py): the links whose dates need it, few once the data
            # is clean, so a check reads them alone whatever the scope; and letters dated after today.
            models.Index(LINK_DATES_NEED_CARE, name="liaison_dates_care_idx"),
            models.Index(fields=["letter_date"], name="liaison_letter_date_idx"),
            # The introduce form's default signer (selectors.letter_signer_default): the newest signed
            # letter in the scope, read from the signed links alone, newest first, rather than every
            # link of a province from the newest back (79 ms at 1,000,000 members).
            models.Index(
                fields=["-id"], condition=~Q(signer_name=""), name="liaison_signed_idx"
            ),  # fmt: skip
            # The tracking book of a commune committee or a cell (selectors.tracking_book_counts)
            # counts its links from these alone (an index-only scan: 118,496 links of a ward at
            # 1,000,000 members), and a page of it finds each link's member here.
            models.Index(
                fields=["commune_org", "status", "received_at"],
                include=["end_date", "member"],
                name="liaison_commune_book_idx",
            ),  # fmt: skip
            models.Index(
                fields=["cell", "status", "received_at"],
                include=["commune_org", "end_date", "member"],
                name="liaison_cell_book_idx",
            ),  # fmt: skip
            # The commune inbox (selectors.incoming_page): introductions waiting, per committee, in
            # the page's order, so a page reads the index, not every introduction (bench/).
            # The commune inbox's order (deadline, the undated last, then id) for one committee: the
            # first page is read from the index instead of sorting every waiting introduction.
            models.Index(
                F("commune_org"),
                Coalesce(F("receive_due"), Value(NO_DUE_DATE, output_field=models.DateField())),
                F("id"),
                name="liaison_incoming_idx",
                condition=Q(status="introduced"),
            ),
            # The same order across committees: the inbox of provincial staff (every waiting
            # introduction of the province, 35,059 at 1,000,000 members) reads its page from here.
            models.Index(
                Coalesce(F("receive_due"), Value(NO_DUE_DATE, output_field=models.DateField())),
                F("id"),
                name="liaison_incoming_order_idx",
                condition=Q(status="introduced"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.commune_org or self.commune or 'chưa rõ nơi cư trú'}"

    @property
    def letter_reference(self) -> str:
        """'Số 15-GGT/ĐU' (HD 36-HD/VPTW)."""
        return self.format_letter_reference(self.letter_number, self.letter_symbol)

    @staticmethod
    def format_letter_reference(number, symbol: str) -> str:
        return f"Số {number}-{symbol}" if number else ""

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.ENDED and self.end_reason == self.EndReason.WITHDRAWN

    @property
    def status_label(self) -> str:
        """The status as the pages print it: a withdrawn letter's link reads "Đã thu hồi"."""
        return "Đã thu hồi" if self.is_withdrawn else self.get_status_display()


class LiaisonEvent(models.Model):
    """One transition of a liaison: who, when, why (the link's own history)."""

    liaison = models.ForeignKey(Liaison, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_repr = models.CharField(max_length=150, blank=True)
    action = models.CharField("thao tác", max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField("ghi chú", blank=True)

    ACTION_LABELS = {
        "open": "Mở hồ sơ",
        "introduce": "Giới thiệu về nơi cư trú",
        "receive": "Tiếp nhận, phân về chi bộ",
        "return": "Trả lại giới thiệu",
        "activate": "Chi bộ xác nhận đã tiếp nhận",
        "place": "Phân tổ/nhóm, người theo dõi",
        "readdress": "Chuyển nơi cư trú trước khi giới thiệu",
        "no_longer_resides": "Báo không còn cư trú",
        "departure_report": "Chi bộ báo không còn cư trú",
        "departure_reject": "Đảng ủy không xác nhận báo không còn cư trú",
        "end": "Kết thúc giữ mối liên hệ",
        "withdraw": "Thu hồi giấy giới thiệu",
        "address_correction": "Sửa lỗi nhập nơi cư trú (giữ liên hệ)",
    }

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"

    @property
    def action_label(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)

    @property
    def to_status_label(self) -> str:
        return (
            Liaison.Status(self.to_status).label
            if self.to_status in Liaison.Status.values
            else self.to_status
        )


class ChangeNotice(models.Model):
    """A change the other side must be told about (thông báo biến động)."""

    class Kind(models.TextChoices):
        RESIDENCE_CHANGE = "residence_change", "Thay đổi nơi cư trú"
        POSITION_CHANGE = "position_change", "Thay đổi chức vụ"
        JOB_TRANSFER = "job_transfer", "Điều động, chuyển công tác"
        LONG_ABSENCE = "long_absence", "Đi công tác, vắng mặt dài ngày"
        SPECIAL_DUTY = "special_duty", "Nhận nhiệm vụ đặc biệt"
        EXPELLED = "expelled", "Bị khai trừ khỏi Đảng"
        REMOVED = "removed", "Bị xóa tên khỏi danh sách đảng viên"
        LEFT_PARTY = "left_party", "Ra khỏi Đảng"
        DECEASED = "deceased", "Từ trần"
        NEW_ADMISSION = "new_admission", "Đảng viên mới kết nạp"
        NO_LONGER_RESIDES = "no_longer_resides", "Không còn cư trú tại địa phương"

    class Direction(models.TextChoices):
        TO_RESIDENCE = "to_residence", "Nơi công tác → nơi cư trú"
        TO_WORKPLACE = "to_workplace", "Nơi cư trú → nơi công tác"

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="notices")
    liaison = models.ForeignKey(
        Liaison, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    kind = models.CharField("loại biến động", max_length=30, choices=Kind.choices)
    direction = models.CharField(max_length=20, choices=Direction.choices)
    sender_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="nơi gửi",
        on_delete=models.PROTECT,
        related_name="notices_sent",
    )
    recipient_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="nơi nhận",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices_received",
    )
    event_date = models.DateField("ngày biến động")
    details = models.TextField("nội dung", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "thông báo biến động"
        verbose_name_plural = "thông báo biến động"
        indexes = [
            models.Index(fields=["sender_org", "recipient_org", "event_date"], name="notice_digest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.member}"


class InboxItem(models.Model):
    """Something an organisation received: read once by anyone of that organisation."""

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", "Giới thiệu đảng viên đến"
        RECEIVED = "received", "Nơi cư trú đã tiếp nhận"
        RETURNED = "returned", "Giới thiệu bị trả lại"
        NOTICE = "notice", "Thông báo biến động"
        NO_LONGER_RESIDES = "no_longer_resides", "Đảng viên không còn cư trú"
        DEPARTURE_REPORT = "departure_report", "Chi bộ báo đảng viên không còn cư trú"
        DEPARTURE_REJECTED = "departure_rejected", "Đảng ủy không xác nhận báo không còn cư trú"
        DEPARTURE_CONFIRMED = "departure_confirmed", "Đảng ủy xác nhận đảng viên không còn cư trú"
        ENDED = "ended", "Kết thúc giữ mối liên hệ"
        REMINDER = "reminder", "Nhắc việc quá hạn"
        COMMITTEE = "committee", "Thay đổi đảng ủy phụ trách xã/phường"
        WITHDRAWN = "withdrawn", "Thu hồi giấy giới thiệu"
        MEETING = "meeting", "Giấy mời sinh hoạt chi bộ nơi cư trú"
        EXEMPTION = "exemption", "Chi bộ báo cáo miễn công tác và sinh hoạt đảng"
        TASK = "task", "Chi bộ nơi cư trú giao nhiệm vụ"
        COMMENT_REQUEST = "comment_request", "Phiếu lấy ý kiến nhận xét đảng viên"
        COMMENT = "comment", "Nơi cư trú gửi nhận xét đảng viên"

    recipient_org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="inbox"
    )
    kind = models.CharField("loại", max_length=30, choices=Kind.choices)
    liaison = models.ForeignKey(
        Liaison, null=True, blank=True, on_delete=models.CASCADE, related_name="inbox_items"
    )
    notice = models.ForeignKey(
        ChangeNotice, null=True, blank=True, on_delete=models.CASCADE, related_name="inbox_items"
    )
    summary = models.CharField("nội dung", max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    due_date = models.DateField("hạn xử lý", null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "văn bản đến"
        verbose_name_plural = "văn bản đến"
        indexes = [models.Index(fields=["recipient_org", "read_at", "-created_at"], name="inbox_unread_idx")]

    def __str__(self) -> str:
        return self.summary


class DepartureReport(models.Model):
    """A residential cell's report that a member no longer lives in its area (QĐ 213, Art. 4).

    The cell reports to the commune/ward committee, which confirms it (the link ends and the
    workplace committee is told) or rejects it with a reason (the cell is told). The report does not
    end the link; at most one is pending per link.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Chờ đảng ủy xác nhận"
        CONFIRMED = "confirmed", "Đảng ủy đã xác nhận"
        REJECTED = "rejected", "Đảng ủy không xác nhận"
        # The link ended by another path (the workplace's notice of a move, death…) before a decision.
        CLOSED = "closed", "Hồ sơ đã kết thúc trước khi xét"

    liaison = models.ForeignKey(Liaison, on_delete=models.CASCADE, related_name="departure_reports")
    # Who decides (the link's commune committee) and who reported (its cell), as they were then.
    commune_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đảng ủy xã/phường",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cell = models.ForeignKey(
        "organizations.Organization",
        verbose_name="chi bộ nơi cư trú",
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField("ngày không còn cư trú")
    note = models.CharField("ghi chú", max_length=500, blank=True)
    state = models.CharField("tình trạng", max_length=20, choices=State.choices, default=State.PENDING)
    reported_at = models.DateTimeField(auto_now_add=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reject_reason = models.CharField("lý do không xác nhận", max_length=500, blank=True)

    class Meta:
        verbose_name = "báo không còn cư trú"
        verbose_name_plural = "báo không còn cư trú"
        constraints = [
            models.UniqueConstraint(
                fields=["liaison"], condition=Q(state="pending"), name="departure_one_pending_per_liaison"
            )
        ]
        indexes = [
            # The commune committee's queue: pending reports per committee, oldest first.
            models.Index(
                fields=["commune_org", "id"], condition=Q(state="pending"), name="departure_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.liaison.member} — {self.get_state_display()}"


class Digest(models.Model):
    """The list of changes of one digest period (DIGEST_EVERY_MONTHS long: a quarter by default) that
    a workplace committee sent to one receiving committee."""

    sender_org = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    recipient_org = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    period = models.PositiveSmallIntegerField()  # rules.digest_period: 1 .. 12 / DIGEST_EVERY_MONTHS
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Issued as a numbered notice (QĐ 213 calls the list a "thông báo"): "Số 3-TB/ĐU", from the
    # sender's document counter when it is sent, kept with the date and signer so a reprint is identical.
    number = models.PositiveIntegerField("số thông báo", null=True, blank=True)
    symbol = models.CharField("ký hiệu", max_length=30, blank=True)
    issued_on = models.DateField("ngày thông báo", null=True, blank=True)
    signer_title, signer_name = signer_fields()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sender_org", "recipient_org", "year", "period"], name="digest_once"
            )
        ]

    def __str__(self) -> str:
        from django.utils.text import capfirst

        from .rules import digest_period_label  # the rules read these models

        return f"{capfirst(digest_period_label(self.year, self.period))}: {self.sender_org} → {self.recipient_org}"

    @property
    def reference(self) -> str:
        """'Số 3-TB/ĐU' (HD 36-HD/VPTW)."""
        return Liaison.format_letter_reference(self.number, self.symbol)


class ReminderSent(models.Model):
    """A reminder that went out; the unique key makes `send_reminders` never send one twice."""

    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    recipient_org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "recipient_org"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class CoverageCountQuerySet(models.QuerySet):
    def members_by_org(self, org_ids) -> dict[int, int]:
        """Active members in the whole subtree of each organisation of `org_ids`, in one query.

        Organisations without an active member are left out (no rows, or rows at zero).
        """
        rows = self.filter(org_id__in=list(org_ids)).values("org_id").annotate(n=Sum("members")).order_by()
        return {row["org_id"]: row["n"] for row in rows if row["n"]}


class CoverageCount(models.Model):
    """How many active members of an organisation's whole subtree have each link status and category.

    One row per (organisation, link status, HD 33 category, working), for the organisation and every
    ancestor of each member's workplace cell: the coverage summary of any subtree is the handful of
    rows of its top organisation, not a count over its members (DESIGN.md "Scale"). `working`: the
    member's official cell is not a residential cell (rules.working); the coverage reads only
    those rows, the tree's member counts read them all.

    Kept by database triggers on members_member (migration 0004), so every writer — services,
    bulk loads, imports, the admin, tests — keeps it exact in the same transaction. Moving an
    organisation changes ancestors, not members: `coverage.coverage_counts_rebuild` recounts the
    ancestors concerned (organization_move calls it); `rebuild_coverage_counts` recounts all.
    """

    org = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    link_status = models.CharField(max_length=20)
    liaison_category = models.CharField(max_length=20)
    working = models.BooleanField(default=True)
    members = models.IntegerField(default=0)

    objects = CoverageCountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "link_status", "liaison_category", "working"], name="coverage_count_once"
            )
        ]
        indexes = [
            # Everything a subtree's coverage reads, in the index (PostgreSQL: an index-only scan):
            # a page of a drill-down's children and the rows of their coverage (the 2,658 children
            # of a committee at 1,000,000 members, when the page ranked them all: 29,402 rows,
            # 18 ms from the table, whose rows the triggers' updates scatter over ~16,000 pages;
            # 12 ms from this index).
            models.Index(
                fields=["org", "working"],
                include=["link_status", "liaison_category", "members"],
                name="coverage_count_cover_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.link_status} {self.liaison_category}: {self.members}"


class IntroductionBatch(models.Model):
    """A bulk introduction: previewed (who, to which committees, date and signer) and then confirmed
    once. The confirmation moves it from previewed to issued with a conditional update, so a double
    submission issues the letters once; the issued batch keeps what it did, so its result page can be
    reloaded or bookmarked (post/redirect/get). Only its creator sees it."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", "Chờ xác nhận"
        ISSUED = "issued", "Đã giới thiệu"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PREVIEWED)
    letter_date = models.DateField("ngày giới thiệu")
    # The signer chosen on the coverage page; a blank name: each committee's signer of its last letter.
    signer_title, signer_name = signer_fields()
    member_ids = models.JSONField(default=list)
    limited = models.BooleanField(default=False)  # the selection was cut at the batch limit
    # Why members returned for their address are introduced again to the same one (services).
    note = models.CharField(max_length=255, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    introduced_ids = models.JSONField(default=list)  # the liaisons introduced, in letter order
    skipped = models.JSONField(default=list)  # [[member id, reason], …] refused at the confirmation

    class Meta:
        verbose_name = "đợt giới thiệu"
        verbose_name_plural = "đợt giới thiệu"
        indexes = [models.Index(fields=["created_by", "state", "created_at"], name="intro_batch_user_idx")]

    def __str__(self) -> str:
        return f"Đợt giới thiệu {self.pk} ({self.get_state_display()})"
