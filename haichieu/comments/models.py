"""The residence's comment on a working member (issue 12).

The form is data: a `CommentForm` per year and audience (Mẫu 3-213 for members who meet at the
residence, Mẫu 4-213 for those HD 33 excuses from its meetings) with its ordered `Criterion` rows,
each with three levels (the top first). An administrator adds next year's in the Django admin; a
year without its own form uses the latest earlier one (`CommentForm.objects.in_force`).

A `CommentRequest` is the workplace's request for one member's comment: yearly (at most one per
member and year, a database constraint) or ad hoc (before an election, an appointment…). It names
the residential cell that answers, its commune committee and the requesting workplace committee as
they were when it was made. The cell's answer is a `Comment` with one `CommentAnswer` per criterion.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class CommentFormQuerySet(models.QuerySet):
    def in_force(self, year: int, audience: str) -> "CommentForm | None":
        """The form of `audience` for `year`: that year's, else the latest earlier one."""
        return self.filter(audience=audience, year__lte=year).order_by("-year").first()


class CommentForm(models.Model):
    class Audience(models.TextChoices):
        REGULAR = "regular", "Đảng viên sinh hoạt nơi cư trú"
        EXCUSED = "excused", "Đảng viên được miễn sinh hoạt nơi cư trú (HD 33)"

    year = models.PositiveSmallIntegerField("áp dụng từ năm")
    code = models.CharField("số hiệu mẫu", max_length=20, help_text="Ví dụ: 3-213")
    title = models.CharField("tên mẫu", max_length=255)
    audience = models.CharField("áp dụng cho", max_length=20, choices=Audience.choices)
    source = models.CharField("căn cứ", max_length=255, blank=True)

    objects = CommentFormQuerySet.as_manager()

    class Meta:
        verbose_name = "mẫu phiếu nhận xét"
        verbose_name_plural = "mẫu phiếu nhận xét"
        constraints = [
            models.UniqueConstraint(fields=["year", "audience"], name="comment_form_one_per_year_audience")
        ]

    def __str__(self) -> str:
        return f"Mẫu {self.code} ({self.year}): {self.title}"


class Criterion(models.Model):
    """One criterion of a form, ticked on three levels (level 1 the best)."""

    # The key of the criterion the meetings attended suggest (comments/rules.py).
    MEETINGS = "meetings"

    form = models.ForeignKey(CommentForm, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField("thứ tự")
    key = models.SlugField("mã tiêu chí", max_length=30)
    label = models.CharField("tiêu chí", max_length=255)
    level_1 = models.CharField("mức 1 (cao nhất)", max_length=100)
    level_2 = models.CharField("mức 2", max_length=100)
    level_3 = models.CharField("mức 3", max_length=100)

    class Meta:
        verbose_name = "tiêu chí nhận xét"
        verbose_name_plural = "tiêu chí nhận xét"
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "position"], name="criterion_unique_position"),
            models.UniqueConstraint(fields=["form", "key"], name="criterion_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def levels(self) -> list[tuple[int, str]]:
        return [(1, self.level_1), (2, self.level_2), (3, self.level_3)]

    def level_label(self, level: int | None) -> str:
        return dict(self.levels).get(level or 0, "")


class CommentRequest(models.Model):
    class Purpose(models.TextChoices):
        YEARLY = "yearly", "Nhận xét hằng năm"
        ELECTION = "election", "Bầu cử"
        APPOINTMENT = "appointment", "Bổ nhiệm"
        REAPPOINTMENT = "reappointment", "Bổ nhiệm lại"
        FULL_MEMBERSHIP = "full_membership", "Công nhận đảng viên chính thức"
        COMMENDATION = "commendation", "Khen thưởng"
        DISCIPLINE = "discipline", "Kỷ luật"

    AD_HOC_PURPOSES = (
        Purpose.ELECTION,
        Purpose.APPOINTMENT,
        Purpose.REAPPOINTMENT,
        Purpose.FULL_MEMBERSHIP,
        Purpose.COMMENDATION,
        Purpose.DISCIPLINE,
    )

    class State(models.TextChoices):
        PENDING = "pending", "Chờ nhận xét"
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Chờ đảng ủy xác nhận"
        ANSWERED = "answered", "Đã gửi nơi công tác"

    # Not answered yet (the workplace has no comment): what "pending" and "overdue" count.
    OPEN_STATES = (State.PENDING, State.AWAITING_CONFIRMATION)

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="comment_requests")
    liaison = models.ForeignKey(
        "liaisons.Liaison", on_delete=models.PROTECT, related_name="comment_requests", db_index=False
    )
    cell = models.ForeignKey(
        "organizations.Organization",
        verbose_name="chi bộ nơi cư trú",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # comment_request_cell_idx starts with it
    )
    commune_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đảng ủy xã/phường",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # comment_request_commune_idx starts with it
    )
    workplace_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="cấp ủy nơi công tác",
        on_delete=models.PROTECT,
        related_name="+",
    )
    form = models.ForeignKey(CommentForm, verbose_name="mẫu", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    purpose = models.CharField("mục đích", max_length=20, choices=Purpose.choices)
    deadline = models.DateField("hạn trả lời")
    portal_reference = models.CharField("số hồ sơ trên Cổng dịch vụ công", max_length=50, blank=True)
    state = models.CharField("trạng thái", max_length=30, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField("gửi nơi công tác lúc", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "phiếu lấy ý kiến nhận xét"
        verbose_name_plural = "phiếu lấy ý kiến nhận xét"
        constraints = [
            # One yearly request per member and year, whoever writes it (a round run twice, two users).
            models.UniqueConstraint(
                fields=["member", "year"], condition=Q(purpose="yearly"), name="comment_request_one_yearly"
            )
        ]
        indexes = [
            # A cell's and a commune's requests, oldest deadline first; the progress counts.
            models.Index(fields=["cell", "deadline", "id"], name="comment_request_cell_idx"),
            models.Index(fields=["commune_org", "deadline", "id"], name="comment_request_commune_idx"),
            models.Index(fields=["member", "year"], name="comment_request_member_idx"),
            # A cell's and a commune's requests not answered, by deadline: their inbox (the list's
            # pending, overdue and awaiting tabs) reads those alone, not every answered one beside.
            models.Index(
                fields=["cell", "deadline", "id"],
                condition=Q(state__in=["pending", "awaiting_confirmation"]),
                name="comment_request_cell_open",
            ),
            models.Index(
                fields=["commune_org", "deadline", "id"],
                condition=Q(state__in=["pending", "awaiting_confirmation"]),
                name="comment_request_commune_open",
            ),
            # The requests not answered, by deadline: the reminders; and the list's order, which a
            # scope of most of the province (provincial staff) walks, testing each (1 ms, not 170).
            models.Index(
                fields=["deadline", "id"],
                condition=Q(state__in=["pending", "awaiting_confirmation"]),
                name="comment_request_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.year}: {self.member}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.deadline < today


class Comment(models.Model):
    """The residential cell's comment on one request: a level per criterion, then free text."""

    request = models.OneToOneField(CommentRequest, on_delete=models.CASCADE, related_name="comment")
    text = models.TextField("nhận xét khác")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("đảng ủy xác nhận lúc", null=True, blank=True)

    class Meta:
        verbose_name = "nhận xét của chi bộ nơi cư trú"
        verbose_name_plural = "nhận xét của chi bộ nơi cư trú"

    def __str__(self) -> str:
        return f"Nhận xét: {self.request}"


class CommentAnswer(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField("mức")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "criterion"], name="comment_answer_once"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="comment_answer_level_1_3"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"
