import re

from django import forms
from django.utils import timezone

from haichieu.core.access import organizations_visible_to, scope_for
from haichieu.core.forms import BootstrapFormMixin
from haichieu.core.text import clean_text
from haichieu.organizations.models import Commune, Organization, Province

from .models import Member

NATIONAL_ID_RE = re.compile(r"^\d{12}$")
PHONE_RE = re.compile(r"^(0|\+84)\d{9,10}$")
DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s.\-()]", "", value or "")


class MemberForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit a member. Every rule gives a Vietnamese message on the field concerned."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Member
        fields = [
            "full_name",
            "gender",
            "date_of_birth",
            "party_card_number",
            "admission_date",
            "full_membership_date",
            "status",
            "national_id",
            "phone",
            "email",
            "workplace_cell",
            "position",
            "workplace_unit",
            "address_street",
            "address_hamlet",
            "residence_province",
            "residence_commune",
            "residence_type",
            "notes",
        ]
        widgets = {
            "date_of_birth": DATE_WIDGET,
            "admission_date": DATE_WIDGET,
            "full_membership_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "party_card_number": {"unique": "Số thẻ đảng viên này đã có trong hệ thống."},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope = scope_for(user)
        cells = organizations_visible_to(user).filter(kind=Organization.Kind.CELL, is_active=True)
        if not scope.is_superuser:
            cells = cells.filter(scope.org_q(kind="write"))
        # Residential cells too: retired members hold their official membership where they live.
        self.fields["workplace_cell"].queryset = cells.order_by("name")
        self.fields["residence_province"].queryset = Province.objects.order_by("name")
        province_code = self.data.get("residence_province") or (
            self.instance.residence_province_id if self.instance.pk else None
        )
        self.fields["residence_commune"].queryset = (
            Commune.objects.filter(province_id=province_code).order_by("name")
            if province_code
            else Commune.objects.none()
        )
        self.fields["residence_commune"].widget.attrs["id"] = "id_residence_commune"
        self.fields["residence_province"].widget.attrs.update(
            {
                "hx-get": "/to-chuc/xa-phuong/",
                "hx-target": "#id_residence_commune",
                "hx-trigger": "change",
            }
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for field in self.fields.values():
            if field.required:
                field.error_messages["required"] = f"Vui lòng nhập {field.label.lower()}."
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."
            if isinstance(field, forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = f"{field.label.capitalize()} không hợp lệ."

    # Text fields are stored NFC-normalised and trimmed.
    def _clean_text(self, name):
        return clean_text(self.cleaned_data.get(name))

    def clean_full_name(self):
        value = self._clean_text("full_name")
        if len(value.split(" ")) < 2:
            raise forms.ValidationError("Họ và tên phải có ít nhất họ và tên (hai từ trở lên).")
        if re.search(r"[0-9@#$%^&*=+<>{}\[\]|\\/]", value):
            raise forms.ValidationError("Họ và tên chỉ gồm chữ cái và khoảng trắng.")
        return value

    def clean_party_card_number(self):
        value = self._clean_text("party_card_number").replace(" ", "")
        if not re.fullmatch(r"[0-9A-Za-z.\-]{4,20}", value):
            raise forms.ValidationError(
                "Số thẻ đảng viên chỉ gồm chữ số (có thể có dấu chấm, gạch), 4–20 ký tự."
            )
        return value

    def clean_national_id(self):
        value = self._clean_text("national_id").replace(" ", "")
        if value and not NATIONAL_ID_RE.match(value):
            raise forms.ValidationError("Số CCCD phải gồm đúng 12 chữ số.")
        return value

    def clean_phone(self):
        value = normalise_phone(self._clean_text("phone"))
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError("Số điện thoại không hợp lệ: 10 chữ số bắt đầu bằng 0 (hoặc +84).")
        return value

    def clean_position(self):
        return self._clean_text("position")

    def clean_workplace_unit(self):
        return self._clean_text("workplace_unit")

    def clean_address_street(self):
        return self._clean_text("address_street")

    def clean_address_hamlet(self):
        return self._clean_text("address_hamlet")

    def clean_notes(self):
        return (self.cleaned_data.get("notes") or "").strip()

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        born, admitted, full = (
            data.get("date_of_birth"),
            data.get("admission_date"),
            data.get("full_membership_date"),
        )
        for name in ("date_of_birth", "admission_date", "full_membership_date"):
            if data.get(name) and data[name] > today:
                self.add_error(name, "Ngày không được ở tương lai.")
        if born and admitted and admitted <= born:
            self.add_error("admission_date", "Ngày vào Đảng phải sau ngày sinh.")
        elif born and admitted and (admitted.year - born.year) < 18:
            self.add_error("admission_date", "Người vào Đảng phải đủ 18 tuổi.")
        if admitted and full and full < admitted:
            self.add_error("full_membership_date", "Ngày chính thức không được trước ngày vào Đảng.")
        status = data.get("status")
        if status == Member.Status.PROBATIONARY and full:
            self.add_error("full_membership_date", "Đảng viên dự bị chưa có ngày chính thức: hãy để trống.")
        if status == Member.Status.FULL and admitted and not full:
            self.add_error("full_membership_date", "Đảng viên chính thức phải có ngày chính thức.")
        commune, province = data.get("residence_commune"), data.get("residence_province")
        if commune and province and commune.province_id != province.pk:
            self.add_error("residence_commune", "Xã/phường không thuộc tỉnh/thành phố đã chọn.")
        if commune and not province:
            data["residence_province"] = commune.province
        return data


class MemberFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label="Tìm kiếm", required=False, max_length=100)
    org = forms.CharField(label="Mã tổ chức", required=False, max_length=30)
    status = forms.ChoiceField(
        label="Tình trạng",
        required=False,
        choices=[("", "Tất cả"), ("active", "Đang sinh hoạt")] + Member.Status.choices,
    )
    has_commune = forms.ChoiceField(
        label="Nơi cư trú",
        required=False,
        choices=[("", "Tất cả"), ("yes", "Đã có xã/phường cư trú"), ("no", "Chưa có xã/phường cư trú")],
    )
