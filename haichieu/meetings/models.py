"""Cell meetings and attendance (issue 11).

A `Meeting` belongs to one cell (residential or workplace). Its invitations are `Attendance` rows,
one per member expected (rules.invitation_list), made when the invitations are sent; the roll-call
marks them one tap at a time. Each mark keeps how it was made, by whom and when. A `Task` is a
piece of work a residential cell gives one of its linked members (rules.task_members), seen by the
member's workplace.
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


class CalendarFeed(models.Model):
    """A user's subscribable calendar (meetings/calendar.py `feed_token`): the link names the user
    and this generation, signed with the server's key. "Make a new link" moves the generation on,
    which revokes every older link. A user without a row is at generation 0."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    generation = models.PositiveIntegerField("lần cấp liên kết", default=0)
    renewed_at = models.DateTimeField("cấp lại lúc", null=True, blank=True)

    class Meta:
        verbose_name = "liên kết lịch sinh hoạt"
        verbose_name_plural = "liên kết lịch sinh hoạt"

    def __str__(self) -> str:
        return f"Liên kết lịch sinh hoạt của {self.user} (lần {self.generation})"


class Task(models.Model):
    """A task a residential cell gives a working member linked and placed in it (QĐ 213-QĐ/TW Art. 2:
    the member's duties at the residence; Art. 4: the cell creates the conditions for them), with a
    due date and an outcome. Its kind is one of the TASK_KINDS setting (kept as its key: the labels
    are the deployment's). The workplace committee sees it (seed 003: cells must not hand their own
    chores to these members unseen)."""

    class Outcome(models.TextChoices):
        IN_PROGRESS = "in_progress", "Đang thực hiện"
        DONE = "done", "Hoàn thành"
        NOT_DONE = "not_done", "Chưa hoàn thành"

    cell = models.ForeignKey(
        "organizations.Organization",
        verbose_name="chi bộ nơi cư trú",
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,  # task_cell_idx starts with it
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name="đảng viên",
        on_delete=models.CASCADE,
        related_name="tasks",
        db_index=False,  # task_member_idx starts with it
    )
    liaison = models.ForeignKey(
        "liaisons.Liaison", verbose_name="giữ mối liên hệ", on_delete=models.PROTECT, related_name="tasks"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name="giao tại buổi sinh hoạt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    kind = models.CharField("loại nhiệm vụ", max_length=40)
    description = models.TextField("nội dung nhiệm vụ")
    due_date = models.DateField("thời hạn")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    given_at = models.DateTimeField("giao lúc")
    outcome = models.CharField("kết quả", max_length=20, choices=Outcome.choices, default=Outcome.IN_PROGRESS)
    outcome_note = models.TextField("nhận xét kết quả", blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_at = models.DateTimeField("ghi kết quả lúc", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "nhiệm vụ ở nơi cư trú"
        verbose_name_plural = "nhiệm vụ ở nơi cư trú"
        indexes = [
            # The cell's list, newest first.
            models.Index(fields=["cell", "-given_at", "-id"], name="task_cell_idx"),
            # A member's tasks (their page, the workplace's list, their own page).
            models.Index(fields=["member", "-given_at", "-id"], name="task_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.description[:60]}"

    @property
    def kind_label(self) -> str:
        from .rules import task_kind_label  # rules reads these models

        return task_kind_label(self.kind)
