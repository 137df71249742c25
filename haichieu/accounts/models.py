from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A person who logs in. What they may see comes from their roles (`Role`)."""

    full_name = models.CharField("họ và tên", max_length=150, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleQuerySet(models.QuerySet):
    def active_on(self, date) -> "RoleQuerySet":
        """Roles in force on `date`: started on or before it, not ended before it (the one definition)."""
        return self.filter(
            models.Q(start_date__lte=date), models.Q(end_date__isnull=True) | models.Q(end_date__gte=date)
        )


class Role(models.Model):
    """A user's role on an organisation; it covers the organisation's whole subtree.

    Roles have start and end dates (hitobito): an ended role grants nothing.
    """

    class Kind(models.TextChoices):
        ADMIN = "admin", "Quản trị hệ thống"
        STAFF = "staff", "Cán bộ tổ chức / cấp ủy"
        SECRETARY = "secretary", "Bí thư / chi ủy viên"
        VIEWER = "viewer", "Chỉ xem"
        MEMBER = "member", "Đảng viên"

    WRITE_KINDS = (Kind.ADMIN, Kind.STAFF, Kind.SECRETARY)
    MANAGE_KINDS = (Kind.ADMIN, Kind.STAFF)
    READ_KINDS = (Kind.ADMIN, Kind.STAFF, Kind.SECRETARY, Kind.VIEWER)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name="người dùng")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="roles", verbose_name="tổ chức"
    )
    kind = models.CharField("vai trò", max_length=20, choices=Kind.choices)
    start_date = models.DateField("từ ngày", default=timezone.localdate)
    end_date = models.DateField("đến ngày", null=True, blank=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"
        indexes = [models.Index(fields=["user", "end_date"], name="role_user_end_idx")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} — {self.organization}"
