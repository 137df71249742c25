"""The yearly rating of a member (đánh giá, xếp loại chất lượng đảng viên hằng năm), issue 12.

The levels, their score bands, their conditions and their labels are data (`RatingScheme` per year
and its `RatingLevel`s, loaded by a data migration and editable in the Django admin), each with the
text it comes from: next year's rules are a data change. A level needs its points **and** its
conditions (QĐ 366-QĐ/TW Art. 11): `rules.decide_level` is the one rule that places a member.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

SCORE_MIN, SCORE_MAX = Decimal("0"), Decimal("100")


class RatingScheme(models.Model):
    """How one year's members are rated: the texts it follows and its levels."""

    year = models.PositiveSmallIntegerField("năm", unique=True)
    name = models.CharField("tên", max_length=255)
    source = models.TextField(
        "căn cứ", help_text="Văn bản, điều khoản; ghi rõ phần nào chưa đối chiếu được nguyên văn."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "cách xếp loại của năm"
        verbose_name_plural = "cách xếp loại theo năm"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class RatingLevel(models.Model):
    """One level of a year's scheme: its place (1 = highest), its score band and its conditions.

    `min_score` is the band's floor; `max_score` (exclusive, empty for the top) is the next level's
    floor, shown to people. A condition is {"key", "text"}; the same key in two levels of a scheme
    is the same condition (ticked once on the form)."""

    scheme = models.ForeignKey(RatingScheme, on_delete=models.CASCADE, related_name="levels")
    order = models.PositiveSmallIntegerField("thứ tự (1 = cao nhất)")
    code = models.SlugField("mã", max_length=40)
    label = models.CharField("tên mức", max_length=255)
    min_score = models.DecimalField(
        "điểm từ", max_digits=4, decimal_places=1,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )  # fmt: skip
    max_score = models.DecimalField(
        "đến dưới", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )  # fmt: skip
    conditions = models.JSONField("điều kiện", default=list, blank=True)
    source = models.CharField("nguồn", max_length=255)

    class Meta:
        verbose_name = "mức xếp loại"
        verbose_name_plural = "mức xếp loại"
        ordering = ["scheme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "order"], name="rating_level_order_unique"),
            models.UniqueConstraint(fields=["scheme", "code"], name="rating_level_code_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        """Conditions are keyed texts (checked here, not by a field validator: a migration would
        then import this module)."""
        value = self.conditions
        if not isinstance(value, list) or not all(
            isinstance(c, dict)
            and set(c) == {"key", "text"}
            and str(c["key"]).strip()
            and str(c["text"]).strip()
            for c in value
        ):
            raise ValidationError(
                {
                    "conditions": 'Điều kiện là một danh sách, mỗi điều kiện có "key" và "text", ví dụ '
                    '[{"key": "dung_han", "text": "Hoàn thành 100% nhiệm vụ đúng hạn"}].'
                }
            )

    @property
    def band(self) -> str:
        """'từ 70 đến dưới 90 điểm', as people read a band."""
        low = f"{self.min_score.normalize():f}".replace(".", ",")
        if self.max_score is None:
            return f"từ {low} điểm trở lên"
        high = f"{self.max_score.normalize():f}".replace(".", ",")
        return f"từ {low} đến dưới {high} điểm" if self.min_score > 0 else f"dưới {high} điểm"

    @property
    def condition_keys(self) -> list[str]:
        return [str(c["key"]) for c in self.conditions]


class Rating(models.Model):
    """One member's rating for one year: the score, the conditions met and the level they decide
    (stored as `rules.decide_level` gave it), or the mark that the member is exempt, not rated."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="ratings", verbose_name="đảng viên"
    )
    year = models.PositiveSmallIntegerField("năm")
    score = models.DecimalField(
        "điểm", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )  # fmt: skip
    conditions_met = models.JSONField("điều kiện đạt", default=list, blank=True)
    level = models.ForeignKey(
        RatingLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="xếp loại",
    )
    exempt = models.BooleanField("miễn, không xếp loại", default=False)
    note = models.TextField("ghi chú", blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField("ghi lúc")

    class Meta:
        verbose_name = "xếp loại chất lượng đảng viên"
        verbose_name_plural = "xếp loại chất lượng đảng viên"
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="rating_one_per_member_year"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="rating_score_0_100",
            ),
            # Exempt: no score, no level. Rated: both.
            models.CheckConstraint(
                condition=Q(exempt=True, score__isnull=True, level__isnull=True)
                | Q(exempt=False, score__isnull=False, level__isnull=False),
                name="rating_exempt_or_rated",
            ),
        ]
        indexes = [models.Index(fields=["year", "member"], name="rating_year_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} — {self.year}"
