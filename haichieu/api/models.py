from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A user's key to `/api/v1/`: it acts as that user, with that user's roles in force.

    Only a SHA-256 of the key is kept (the key is shown once, at creation), with its first
    characters to tell keys apart on the page. A revoked key stays listed, with its date.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="người dùng",
    )
    name = models.CharField("tên khóa", max_length=100)
    prefix = models.CharField("đầu khóa", max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
