from django.conf import settings
from django.db import models


class Member(models.Model):
    """A party member (đảng viên). Belongs to exactly one workplace cell (chi bộ sinh hoạt chính thức).

    `name_folded` and `sort_key` are derived from `full_name` by the services (search without
    diacritics; Vietnamese order by given name, then family and middle names).
    """

    class Gender(models.TextChoices):
        MALE = "male", "Nam"
        FEMALE = "female", "Nữ"

    class Status(models.TextChoices):
        PROBATIONARY = "probationary", "Dự bị"
        FULL = "full", "Chính thức"
        TRANSFERRED = "transferred", "Đã chuyển sinh hoạt đi"
        EXPELLED = "expelled", "Bị khai trừ"
        REMOVED = "removed", "Bị xóa tên"
        DECEASED = "deceased", "Từ trần"
        LEFT = "left", "Ra khỏi Đảng"

    ACTIVE_STATUSES = (Status.PROBATIONARY, Status.FULL)

    class LiaisonCategory(models.TextChoices):
        """HD 33-HD/BTCTW (30/10/2020): who is introduced, who is excused from residence meetings
        (§1.1), who is not introduced at all (§1.2). Labels follow the text's wording.

        Which category is excused or not introduced is a setting (HAICHIEU["RULES"]), not code; where
        each comes from: liaisons/rulebook.py.
        """

        REGULAR = "regular", "Giới thiệu và sinh hoạt nơi cư trú"
        # §1.1, first indent: army and police only.
        BARRACKS = (
            "barracks",
            "Quân đội, Công an ở tập trung tại doanh trại, nhà công vụ, không thường xuyên về nơi cư trú",
        )
        # §1.1, second indent, its two cases (civilian).
        MOBILE = "mobile", "Thường xuyên đi làm việc xa nơi cư trú, lưu động"
        ROTATED = (
            "rotated",
            "Cán bộ điều động, luân chuyển ở nhà công vụ, tập thể cơ quan, không thường xuyên về nơi cư trú",
        )
        # §1.1, third indent, its two cases.
        STUDY = "study", "Cán bộ, công chức, viên chức đi học tập trung 12 tháng trong năm"
        STUDENT = "student", "Học sinh, sinh viên đi học xa nhà, không thường xuyên về nơi cư trú"
        # §1.2, first indent, its two cases (army and police).
        SECRET = "secret", "Quân đội, Công an thực hiện nhiệm vụ đặc biệt, phải giữ bí mật về nhân thân"
        STANDBY = "standby", "Ở đơn vị thường trực sẵn sàng chiến đấu"

    class LinkStatus(models.TextChoices):
        """The status of the member's current liaison, or NONE without one (`link_status`).

        The values after NONE are those of liaisons.Liaison.Status, in its order (a test checks it):
        members know nothing of links (the import contracts), so the link's states are repeated here.
        """

        NONE = "none", "Chưa có hồ sơ"
        DRAFT = "draft", "Chưa giới thiệu"
        INTRODUCED = "introduced", "Đã giới thiệu"
        RETURNED = "returned", "Bị trả lại"
        RECEIVED = "received", "Đã tiếp nhận"
        ACTIVE = "active", "Đang sinh hoạt"
        ENDED = "ended", "Đã kết thúc"

    class ResidenceType(models.TextChoices):
        PERMANENT = "permanent", "Thường trú"
        TEMPORARY = "temporary", "Tạm trú"

    full_name = models.CharField("họ và tên", max_length=100)
    name_folded = models.CharField(max_length=100, editable=False)
    sort_key = models.CharField(max_length=400, editable=False)
    date_of_birth = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=10, choices=Gender.choices)
    party_card_number = models.CharField("số thẻ đảng viên", max_length=20)
    admission_date = models.DateField("ngày vào Đảng")
    full_membership_date = models.DateField("ngày chính thức", null=True, blank=True)
    national_id = models.CharField("số CCCD", max_length=12, blank=True)
    # The 9-digit identity card (CMND) older lists still carry: kept apart from the 12-digit CCCD,
    # never matched on (a CMND may have been reissued to someone else's number series).
    old_identity_card_number = models.CharField("số CMND cũ", max_length=9, blank=True)
    phone = models.CharField("điện thoại", max_length=15, blank=True)
    email = models.EmailField("email", blank=True)
    workplace_cell = models.ForeignKey(
        "organizations.Organization",
        verbose_name="chi bộ sinh hoạt chính thức",
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,  # member_cell_sort_idx starts with it
    )
    position = models.CharField("chức vụ", max_length=255, blank=True)
    workplace_unit = models.CharField("đơn vị công tác", max_length=255, blank=True)
    address_street = models.CharField("số nhà, đường phố", max_length=255, blank=True)
    address_hamlet = models.CharField("thôn, tổ dân phố", max_length=255, blank=True)
    residence_commune = models.ForeignKey(
        "organizations.Commune",
        verbose_name="xã/phường/đặc khu cư trú",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # member_commune_idx
    )
    residence_province = models.ForeignKey(
        "organizations.Province",
        verbose_name="tỉnh/thành phố cư trú",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # no list filters by province; provinces are never deleted
    )
    residence_type = models.CharField(
        "hình thức cư trú", max_length=10, choices=ResidenceType.choices, default=ResidenceType.PERMANENT
    )
    status = models.CharField(
        "tình trạng", max_length=20, choices=Status.choices, default=Status.PROBATIONARY
    )
    notes = models.TextField("ghi chú", blank=True)
    liaison_category = models.CharField(
        "diện giữ mối liên hệ",
        max_length=20,
        choices=LiaisonCategory.choices,
        default=LiaisonCategory.REGULAR,
    )
    liaison_category_note = models.CharField("lý do (diện miễn/không giới thiệu)", max_length=255, blank=True)
    # The status of the member's current liaison (NONE without one), kept by the liaison services
    # so coverage counts are one indexed GROUP BY (DESIGN.md "Scale").
    link_status = models.CharField(
        "tình trạng giới thiệu",
        max_length=20,
        choices=LinkStatus.choices,
        default=LinkStatus.NONE,
        editable=False,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "đảng viên"
        verbose_name_plural = "đảng viên"
        # Each index costs every write: an import of 20,000 members spends most of its database time
        # on them (bench/). So no index twice, and none that no query uses. Declared here rather than
        # with unique=True or db_index=True, which on PostgreSQL add a second "_like" index for
        # prefix searches of text columns that nothing here makes.
        constraints = [
            models.UniqueConstraint(fields=["party_card_number"], name="member_card_unique"),
        ]
        indexes = [
            # name_folded rides along so a substring search that walks this index in list order
            # never reads the table row to test the name (SQLite: 205 -> 22 ms at 100,000 members),
            # and workplace_cell so the workplace side tests the member's cell from it too (a
            # common name at 1,000,000 members: 11,070 rows read for a page, 7 ms -> 1.2).
            models.Index(
                fields=["sort_key", "id", "name_folded", "workplace_cell"], name="member_sort_name_idx"
            ),
            models.Index(fields=["workplace_cell", "sort_key", "id"], name="member_cell_sort_idx"),
            models.Index(fields=["status", "sort_key", "id"], name="member_status_sort_idx"),
            models.Index(fields=["residence_commune"], name="member_commune_idx"),
            models.Index(fields=["national_id"], name="member_national_id_idx"),
            models.Index(fields=["link_status", "sort_key", "id"], name="member_link_status_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_national_id(self) -> str:
        if not self.national_id:
            return ""
        return "•" * (len(self.national_id) - 4) + self.national_id[-4:]

    @property
    def residence_address(self) -> str:
        parts = [self.address_street, self.address_hamlet]
        if self.residence_commune_id:
            parts.append(self.residence_commune.name)
        if self.residence_province_id:
            parts.append(self.residence_province.name)
        return ", ".join(p for p in parts if p)
