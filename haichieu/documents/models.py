from django.conf import settings
from django.db import models
from django.utils import timezone


class DocumentTemplate(models.Model):
    """A province's own Word template for one kind of document (a letter, the return slip…).

    It applies to every document issued in the province's tree (`organization` is the province: the
    top of its tree). The file is kept in the database, so no app server holds state. At most one
    variant per kind and province is in force; uploading another or going back to the default
    takes the old one out of force (`is_active`, `replaced_at`) and keeps it: the rows are the
    history of what each province used, and the audit log says who changed it.
    """

    kind = models.CharField("loại văn bản", max_length=50)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="tỉnh/thành ủy",
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.BinaryField("tệp mẫu (.docx)")
    filename = models.CharField("tên tệp", max_length=255)
    size = models.PositiveIntegerField("dung lượng (byte)")
    sha256 = models.CharField("SHA-256", max_length=64)
    placeholders = models.JSONField("trường dùng trong mẫu", default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tải lên",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("thời điểm tải lên", default=timezone.now)
    is_active = models.BooleanField("đang dùng", default=True)
    replaced_at = models.DateTimeField("thôi dùng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mẫu văn bản"
        verbose_name_plural = "mẫu văn bản"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=models.Q(is_active=True),
                name="one_template_in_force_per_kind",
            )
        ]
        indexes = [models.Index(fields=["organization", "kind", "-uploaded_at"], name="template_history_idx")]

    def __str__(self) -> str:
        return self.filename
