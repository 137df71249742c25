"""An exemption from party work and activities for a period (miễn công tác và sinh hoạt đảng).

The reasons, who decides and what an exemption lifts are settings with their source (issue 11);
the model records one decision. `Exemption.objects.in_force_on(day)` is the one definition of an
exemption in force: meetings (who is invited), ratings and the residence side ask it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ExemptionQuerySet(models.QuerySet):
    def in_force_on(self, day) -> "ExemptionQuerySet":
        """Exemptions in force on `day`: decided, started on or before it, not ended before it, not
        revoked (the one definition)."""
        return self.filter(start_date__lte=day, end_date__gte=day, revoked_at__isnull=True)

    def in_force_during(self, first, last) -> "ExemptionQuerySet":
        """Exemptions in force on some day from `first` to `last` (`in_force_on` over a period: a
        year's rating asks it)."""
        return self.filter(start_date__lte=last, end_date__gte=first, revoked_at__isnull=True)


class Exemption(models.Model):
    class Reason(models.TextChoices):
        AGE_HEALTH = "age_health", "Tuổi cao, sức khỏe yếu"
        FAR_WORK = "far_work", "Đi làm ăn xa, công tác lưu động"
        TREATMENT = "treatment", "Điều trị bệnh dài ngày"
        ABROAD = "abroad", "Ra nước ngoài"
        OTHER = "other", "Lý do khác"

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="exemptions", verbose_name="đảng viên"
    )
    reason = models.CharField("lý do", max_length=20, choices=Reason.choices)
    # Private: never shown to the residence side.
    reason_details = models.TextField("chi tiết lý do", blank=True)
    applied_on = models.DateField("ngày làm đơn", null=True, blank=True)
    cell_proposal_on = models.DateField("ngày chi bộ đề nghị", null=True, blank=True)
    decided_by = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="exemption_decisions",
        verbose_name="cấp quyết định",
    )
    decided_on = models.DateField("ngày quyết định")
    decision_number = models.CharField("số quyết định", max_length=50, blank=True)
    start_date = models.DateField("miễn từ ngày")
    end_date = models.DateField("miễn đến ngày")
    contact = models.CharField("liên hệ trong thời gian miễn", max_length=255, blank=True)
    revoked_at = models.DateTimeField("thôi miễn lúc", null=True, blank=True)
    # The exemption this one renews (the member applied again for the next period).
    renews = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewals",
        verbose_name="gia hạn từ",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = "miễn công tác và sinh hoạt đảng"
        verbose_name_plural = "miễn công tác và sinh hoạt đảng"
        indexes = [models.Index(fields=["member", "end_date"], name="exemption_member_end_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="exemption_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — miễn đến {self.end_date:%d/%m/%Y}"

    def is_in_force_on(self, day) -> bool:
        """`ExemptionQuerySet.in_force_on` for one exemption already read (the same definition)."""
        return self.revoked_at is None and self.start_date <= day <= self.end_date


class ExemptionScan(models.Model):
    """The scan of the member's application (PDF, JPEG or PNG), kept in the database beside the
    exemption (never under the web root), read only through the exemption's pages."""

    exemption = models.OneToOneField(Exemption, on_delete=models.CASCADE, related_name="scan")
    content = models.BinaryField("tệp")
    filename = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("loại tệp", max_length=50)
    size = models.PositiveIntegerField("dung lượng (byte)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "bản chụp đơn xin miễn"
        verbose_name_plural = "bản chụp đơn xin miễn"

    def __str__(self) -> str:
        return self.filename
