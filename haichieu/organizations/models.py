from django.db import models
from treebeard.mp_tree import MP_Node

from haichieu.core.paths import in_subtree, subtree_q
from haichieu.core.text import vn_place_key, vn_text_key


class _Place(models.Model):
    """What provinces and communes share: their name's place in Vietnamese order without the
    administrative prefix ("Thành phố Hà Nội" under H), kept in `sort_key` (digits only, so every
    database collation orders it alike); `load_units` and `save()` fill it."""

    sort_key = models.CharField(max_length=200, editable=False, db_index=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.sort_key = vn_place_key(self.name)
        super().save(*args, **kwargs)


class Province(_Place):
    """A province-level unit (tỉnh, thành phố trực thuộc trung ương), by official code."""

    code = models.CharField("mã", max_length=10, primary_key=True)
    name = models.CharField("tên", max_length=100)
    division_type = models.CharField("loại", max_length=40)
    name_folded = models.CharField(max_length=100, editable=False, db_index=True)

    class Meta:
        verbose_name = "tỉnh/thành phố"
        verbose_name_plural = "tỉnh/thành phố"
        ordering = ["sort_key", "name"]

    def __str__(self) -> str:
        return self.name


class Commune(_Place):
    """A commune-level unit (xã, phường, đặc khu) directly under its province since 07/2025."""

    code = models.CharField("mã", max_length=10, primary_key=True)
    name = models.CharField("tên", max_length=100)
    division_type = models.CharField("loại", max_length=40)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    name_folded = models.CharField(max_length=100, editable=False, db_index=True)

    class Meta:
        verbose_name = "xã/phường/đặc khu"
        verbose_name_plural = "xã/phường/đặc khu"
        ordering = ["sort_key", "name"]

    def __str__(self) -> str:
        return self.name


class Organization(MP_Node):
    """A node of the party tree. No level is hard-coded: kinds describe, the tree decides depth."""

    class Kind(models.TextChoices):
        PROVINCIAL = "provincial", "Đảng bộ tỉnh/thành phố"
        SUBORDINATE = "subordinate", "Đảng bộ trực thuộc"
        GRASSROOTS = "grassroots", "Đảng bộ cơ sở"
        CELL = "cell", "Chi bộ"

    code = models.CharField("mã", max_length=30, unique=True)
    name = models.CharField("tên", max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    # The name's place in Vietnamese order (core.text.vn_text_key: digits only, so every database
    # collation orders it alike), set by save() and by bulk writers: children are read in order
    # from the database, not made into objects and sorted (a committee of 2,658 children at
    # 1,000,000 members: the statistics rank them by ids and load a page).
    sort_key = models.CharField(max_length=1200, editable=False, default="")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    is_residential = models.BooleanField(
        "nơi cư trú",
        default=False,
        help_text="Đảng ủy xã/phường/đặc khu hoặc chi bộ thôn, tổ dân phố.",
    )
    province = models.ForeignKey(
        Province,
        verbose_name="tỉnh/thành phố",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name="xã/phường/đặc khu",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    is_active = models.BooleanField("đang hoạt động", default=True)
    abbreviation = models.CharField(
        "viết tắt trong ký hiệu văn bản", max_length=20, blank=True, help_text="Ví dụ: ĐU (Số 15-GGT/ĐU)."
    )
    term = models.CharField(
        "nhiệm kỳ", max_length=20, default="2025-2030", help_text="Số văn bản chạy liên tục trong nhiệm kỳ."
    )
    place_name = models.CharField(
        "địa danh ghi trên văn bản",
        max_length=100,
        blank=True,
        help_text="Địa danh ở dòng ngày tháng văn bản do tổ chức ban hành, ví dụ “La Bằng, ngày …”. "
        "Để trống: tên xã/phường của tổ chức nơi cư trú, hoặc tên tỉnh/thành phố.",
    )

    class Meta:
        verbose_name = "tổ chức đảng"
        verbose_name_plural = "tổ chức đảng"
        # A node's children (depth + 1, path in its range) without reading the whole subtree: the
        # province's 128 children were a scan of its ~5,000 organisations (37,717 at 1M members).
        # On PostgreSQL it also holds what the drill-down ranks the children by (their id, whether
        # active or residential, their name's order: stats.figures.ranked_children), read from
        # the index alone; without them the planner preferred the path's own index and read the
        # whole subtree to find the children (2,658 of a committee's 19,896 at 1,000,000 members).
        indexes = [
            models.Index(
                fields=["depth", "path"],
                include=["id", "is_active", "is_residential", "sort_key"],
                name="org_children_cover_idx",
            )
        ]
        constraints = [
            # One committee answers for a commune: the introductions of every workplace go there.
            models.UniqueConstraint(
                fields=["commune"],
                condition=models.Q(is_residential=True, is_active=True) & ~models.Q(kind="cell"),
                name="one_active_committee_per_commune",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = vn_text_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(*args, **kwargs)

    # The Vietnamese order of their names (sort_key), alike names in the tree's order.
    NAME_ORDER = ("sort_key", "path")

    DEFAULT_ABBREVIATIONS = {"provincial": "TU", "subordinate": "ĐU", "grassroots": "ĐU", "cell": "CB"}

    @property
    def document_abbreviation(self) -> str:
        return self.abbreviation or self.DEFAULT_ABBREVIATIONS.get(self.kind, "ĐU")

    @property
    def is_cell(self) -> bool:
        return self.kind == self.Kind.CELL

    @property
    def is_commune_committee(self) -> bool:
        """The committee that answers for its commune: introductions are addressed to it."""
        return self.is_residential and not self.is_cell and self.commune_id is not None

    @property
    def root_path(self) -> str:
        """The path of the tree's top node above this one (the province)."""
        return self.path[: self.steplen]

    def subtree_q(self, field: str = "path"):
        return subtree_q(field, [self.path])

    def contains_path(self, path: str) -> bool:
        """The node whose path is `path` lies in this node's subtree (this node included)."""
        return in_subtree(path, self.path)

    def contains(self, other: "Organization | None") -> bool:
        """`other` lies in this node's subtree (this node included)."""
        return other is not None and self.contains_path(other.path)

    def parent_node(self) -> "Organization | None":
        """The parent, or None for a root (one indexed lookup on the path)."""
        if self.depth <= 1:
            return None
        return Organization.objects.filter(path=self.path[: -self.steplen]).first()

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]
