from django import forms
from django.utils import timezone

from haichieu.core.forms import DATE_WIDGET, BootstrapFormMixin, IdChoiceField
from haichieu.members.models import Member
from haichieu.organizations.models import Commune, Province

from .models import ChangeNotice, SignerTitle
from .rules import INTRODUCED_CATEGORIES, CategoryRule
from .services import WORKPLACE_EVENTS

# The two groups the coverage cards count (rules.to_introduce, rules.covered), then each status; the
# draft is named apart from the group "Chưa giới thiệu" it belongs to.
TO_INTRODUCE, COVERED = "to_introduce", "covered"
LINK_STATUS_CHOICES = [
    ("", "Tất cả"),
    (TO_INTRODUCE, "Chưa giới thiệu (chưa có hồ sơ, chưa gửi, bị trả lại)"),
    (COVERED, "Đã giới thiệu (đã gửi, đã tiếp nhận, đang sinh hoạt)"),
    *[
        (value, "Đã lập hồ sơ, chưa gửi giới thiệu" if value == Member.LinkStatus.DRAFT else label)
        for value, label in Member.LinkStatus.choices
    ],
]


class CoverageFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label="Tìm kiếm", required=False, max_length=100)
    org = forms.CharField(label="Mã tổ chức", required=False, max_length=30)
    link = forms.ChoiceField(label="Tình trạng giới thiệu", required=False, choices=LINK_STATUS_CHOICES)
    category = forms.ChoiceField(
        label="Diện",
        required=False,
        choices=[
            ("", "Tất cả các diện"),
            (INTRODUCED_CATEGORIES, "Các diện được giới thiệu (tính tỷ lệ)"),
            *CategoryRule.choices,
        ],
    )


class SignerForm(BootstrapFormMixin, forms.Form):
    """Who signs the letters or the notice being issued (kept with them: a reprint is identical)."""

    signer_title = forms.ChoiceField(
        label="Người ký (T/M Đảng ủy)",
        choices=SignerTitle.choices,
        required=False,
        error_messages={"invalid_choice": "Chức danh người ký không hợp lệ: chọn Bí thư hoặc Phó Bí thư."},
    )
    signer_name = forms.CharField(
        label="Họ tên người ký",
        max_length=100,
        required=False,
        error_messages={"max_length": "Họ tên người ký dài quá 100 ký tự."},
        help_text="Để trống: người ký văn bản trước của cấp ủy.",
    )

    def signer(self):
        """The services' Signer, or None (blank name: the committee's last signer)."""
        from .services import Signer

        data = self.cleaned_data
        if not data.get("signer_name"):
            return None
        return Signer.checked(data.get("signer_title") or SignerTitle.SECRETARY, data["signer_name"])


class WithdrawForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label="Lý do thu hồi",
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Lý do thu hồi dài quá 255 ký tự."},
        help_text="Gửi kèm thông báo cho đảng ủy nơi cư trú (không bắt buộc).",
    )


class MemberEventForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Loại biến động",
        choices=[(k, ChangeNotice.Kind(k).label) for k in WORKPLACE_EVENTS],
        error_messages={
            "required": "Vui lòng chọn loại biến động.",
            "invalid_choice": "Loại biến động không hợp lệ.",
        },
    )
    event_date = forms.DateField(
        label="Ngày biến động",
        widget=DATE_WIDGET,
        error_messages={
            "required": "Vui lòng nhập ngày biến động.",
            "invalid": "Ngày không hợp lệ: dd/mm/yyyy.",
        },
    )
    new_position = forms.CharField(label="Chức vụ mới (khi thay đổi chức vụ)", required=False, max_length=255)
    new_province = IdChoiceField(
        label="Tỉnh/thành phố nơi cư trú mới",
        queryset=Province.objects.all(),
        required=False,
        empty_label="— Chọn tỉnh/thành phố —",
    )
    new_commune = IdChoiceField(
        label="Xã/phường/đặc khu nơi cư trú mới (khi chuyển nơi cư trú)",
        queryset=Commune.objects.none(),
        required=False,
        empty_label="— Chọn xã/phường/đặc khu —",
        error_messages={"invalid_choice": "Xã/phường/đặc khu không hợp lệ."},
    )
    new_hamlet = forms.CharField(label="Thôn, tổ dân phố mới", required=False, max_length=255)
    new_street = forms.CharField(label="Số nhà, đường phố mới", required=False, max_length=255)
    details = forms.CharField(label="Nội dung", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province = self.data.get("new_province")
        if province:
            self.fields["new_commune"].queryset = Commune.objects.filter(province_id=province)
        self.fields["new_commune"].widget.attrs["id"] = "id_new_commune"
        self.fields["new_province"].widget.attrs.update(
            {
                "hx-get": "/to-chuc/xa-phuong/",
                "hx-target": "#id_new_commune",
                "hx-trigger": "change",
                "name": "new_province",
            }
        )
        self.initial.setdefault("event_date", timezone.localdate())

    def clean_new_province(self):
        return self.cleaned_data.get("new_province")
