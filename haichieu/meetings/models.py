"""Cell meetings and attendance (issue 11).

A `Meeting` belongs to one cell (residential or workplace). Its invitations are `Attendance` rows,
one per member expected (rules.invitation_list), made when the invitations are sent; the roll-call
marks them one tap at a time. Each mark keeps how it was made, by whom and when.
"""

from django.conf import settings
from django.db import models


class Meeting(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "Sinh hoạt thường kỳ"
        THEMATIC = "thematic", "Sinh hoạt chuyên đề"
        EXTRAORDINARY = "extraordinary", "Sinh hoạt bất thường"

    class State(models.TextChoices):
        PLANNED = "planned", "Đã lên kế hoạch"
        OPEN = "open", "Đang họp"
        CLOSED = "closed", "Đã kết thúc"

    cell = models.ForeignKey(
        "organizations.Organization",
        verbose_name="chi bộ",
        on_delete=models.PROTECT,
        related_name="meetings",
        db_index=False,  # meeting_cell_date_idx starts with it
    )
    kind = models.CharField("loại buổi sinh hoạt", max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    date = models.DateField("ngày họp")
    start_time = models.TimeField("giờ bắt đầu")
    place = models.CharField("địa điểm", max_length=255)
    agenda = models.TextField("nội dung sinh hoạt")
    # The minutes (biên bản): who chaired and who recorded (names as the minutes print them: the
    # chair may be a guest from the commune committee) and the chair's conclusion.
    chair = models.CharField("người chủ trì", max_length=255, blank=True)
    recorder = models.CharField("thư ký", max_length=255, blank=True)
    conclusion = models.TextField("kết luận", blank=True)
    state = models.CharField("trạng thái", max_length=20, choices=State.choices, default=State.PLANNED)
    invited_at = models.DateTimeField("gửi giấy mời lúc", null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "buổi sinh hoạt chi bộ"
        verbose_name_plural = "buổi sinh hoạt chi bộ"
        indexes = [models.Index(fields=["cell", "date", "id"], name="meeting_cell_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y} — {self.cell}"


class Attendance(models.Model):
    """One member invited to one meeting, and how they took part (blank status: not marked yet)."""

    class Status(models.TextChoices):
        PRESENT = "present", "Có mặt"
        LATE = "late", "Đến muộn"
        LEFT_EARLY = "left_early", "Về sớm"
        EXCUSED = "excused", "Vắng có lý do"
        UNEXCUSED = "unexcused", "Vắng không lý do"
        EXEMPT = "exempt", "Miễn"

    # Took part (counted as attending in the rates).
    ATTENDED = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)
    # Not expected: left out of the rates.
    NOT_EXPECTED = (Status.EXEMPT,)

    class Method(models.TextChoices):
        ROLL_CALL = "roll_call", "Bí thư điểm danh"
        SELF_CHECK_IN = "self_check_in", "Tự điểm danh"
        CORRECTED = "corrected", "Sửa sau"

    class Source(models.TextChoices):
        CELL = "cell", "Đảng viên của chi bộ"
        LIAISON = "liaison", "Đảng viên giữ mối liên hệ nơi cư trú"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="attendances", db_index=False
    )
    source = models.CharField("diện mời", max_length=10, choices=Source.choices, default=Source.CELL)
    status = models.CharField("tình hình tham dự", max_length=20, choices=Status.choices, blank=True)
    reason = models.CharField("lý do vắng", max_length=255, blank=True)
    contribution = models.TextField("ý kiến đóng góp", blank=True)
    method = models.CharField("cách ghi nhận", max_length=20, choices=Method.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField("ghi nhận lúc", null=True, blank=True)

    class Meta:
        verbose_name = "tham dự sinh hoạt"
        verbose_name_plural = "tham dự sinh hoạt"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_one_per_member")
        ]
        # A member's history (their page, the workplace's view, missed in a row).
        indexes = [models.Index(fields=["member", "meeting"], name="attendance_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_status_display() or 'chưa điểm danh'}"

    @property
    def attended(self) -> bool:
        return self.status in self.ATTENDED
