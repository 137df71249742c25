from django.db import models


class Liaison(models.Model):
    """One member's link with one residence (hồ sơ đảng viên giữ mối liên hệ nơi cư trú).

    The access rule reads it: residence users see a member through the liaisons whose commune
    committee or residential cell lies in their subtree. The workflow (introduce, receive, return,
    end) is built on this model.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Chưa giới thiệu"
        INTRODUCED = "introduced", "Đã giới thiệu"
        RETURNED = "returned", "Bị trả lại"
        RECEIVED = "received", "Đã tiếp nhận"
        ACTIVE = "active", "Đang sinh hoạt"
        ENDED = "ended", "Đã kết thúc"

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="liaisons")
    commune_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đảng ủy xã/phường",
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
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "hồ sơ giữ mối liên hệ"
        verbose_name_plural = "hồ sơ giữ mối liên hệ"
        indexes = [models.Index(fields=["member", "status"], name="liaison_member_status_idx")]

    def __str__(self) -> str:
        return f"{self.member} — {self.commune_org}"
