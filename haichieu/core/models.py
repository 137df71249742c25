from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what to which object, when and from where (every write, and reads of full records)."""

    class Action(models.TextChoices):
        CREATE = "create", "Tạo mới"
        UPDATE = "update", "Cập nhật"
        DELETE = "delete", "Xóa"
        MOVE = "move", "Chuyển vị trí"
        DEACTIVATE = "deactivate", "Ngừng hoạt động"
        ACTIVATE = "activate", "Hoạt động lại"
        VIEW = "view", "Xem hồ sơ đầy đủ"
        EXPORT = "export", "Xuất dữ liệu"
        LOGIN = "login", "Đăng nhập"
        LOGOUT = "logout", "Đăng xuất"
        LOGIN_FAILED = "login_failed", "Đăng nhập không thành công"
        LOCKOUT = "lockout", "Tạm khóa đăng nhập"
        UNLOCK = "unlock", "Mở khóa đăng nhập"
        TWO_FACTOR_ON = "two_factor_on", "Bật xác thực hai bước"
        RECOVERY_CODES = "recovery_codes", "Tạo mã dự phòng mới"
        # A party card number or national ID that belongs to no one the user may see (issue 9,
        # finding 2): counted per user and day (members/collisions.py).
        COLLISION = "collision", "Dùng số thẻ/số định danh ngoài phạm vi"
        # `haichieu backup` / `haichieu restore` (core/backup.py), run from the command line.
        BACKUP = "backup", "Sao lưu dữ liệu"
        RESTORE = "restore", "Khôi phục dữ liệu"

    at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField("người thực hiện", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    action = models.CharField("thao tác", max_length=20, choices=Action.choices)
    target_type = models.CharField("loại đối tượng", max_length=60)
    target_id = models.CharField("mã đối tượng", max_length=40, blank=True)
    target_repr = models.CharField("đối tượng", max_length=255, blank=True)
    changes = models.JSONField("thay đổi", default=dict, blank=True)
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "nhật ký thao tác"
        verbose_name_plural = "nhật ký thao tác"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_idx"),
            # Today's collisions of one user, counted on every member form and import.
            models.Index(
                fields=["actor", "at"], condition=models.Q(action="collision"), name="audit_collision_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_repr} {self.get_action_display()} {self.target_repr}"


class DocumentCounter(models.Model):
    """Running numbers of party documents per issuing committee, type and term (HD 36-HD/VPTW).

    Numbers run through a committee's term and are not reset each year.
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    doc_type = models.CharField(max_length=20)
    term = models.CharField(max_length=20)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "doc_type", "term"], name="document_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.term}: {self.last_number}"


class Heartbeat(models.Model):
    """The last sign of life of a background process ("worker"), which /healthz reads (core/health.py).
    One row per process name, overwritten at each beat: not audited (it records no one's action)."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"
