from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from haichieu.access import members_visible_to, scope_for, writable_cells
from haichieu.core.forms import DATE_WIDGET, BootstrapFormMixin
from haichieu.core.text import clean_text
from haichieu.liaisons.services import AddressChange
from haichieu.organizations.models import Commune, Organization, Province

from . import validators
from .collisions import LIMIT_MESSAGE, NEUTRAL_MESSAGE, collisions_blocked
from .models import Member
from .validators import NATIONAL_ID_RE, PHONE_RE, normalise_phone  # noqa: F401 (used by other forms)


class MemberForm(BootstrapFormMixin, forms.ModelForm):
    """Create or edit a member. Every rule gives a Vietnamese message on the field concerned.

    A card number is checked for uniqueness only among the members the user sees on the workplace
    side; one held by anyone else gets the neutral message and is listed in `collisions`, which the
    view records (members/collisions.py). Past the day's limit the form answers nothing.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Asked only when the residence commune of a member whose link the residence holds changes.
    address_change = forms.ChoiceField(
        label="Đổi xã/phường cư trú là",
        choices=[("", "— Chọn —"), *AddressChange.CHOICES],
        help_text="Chuyển nơi cư trú: kết thúc giữ mối liên hệ ở nơi cũ, thông báo cho nơi cũ và mở hồ sơ "
        "giới thiệu về nơi mới. Sửa lỗi nhập: chỉ sửa địa chỉ, giữ mối liên hệ.",
    )
    move_date = forms.DateField(
        label="Ngày chuyển nơi cư trú",
        required=False,
        widget=DATE_WIDGET,
        help_text="Khi chuyển nơi cư trú; để trống là hôm nay.",
    )

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
            "liaison_category",
            "liaison_category_note",
            "notes",
        ]
        widgets = {
            "date_of_birth": DATE_WIDGET,
            "admission_date": DATE_WIDGET,
            "full_membership_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "party_card_number": {"unique": validators.CARD_TAKEN},
            "email": {"invalid": validators.EMAIL_INVALID},
        }

    def __init__(self, *args, user, resident_link=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.resident_link = resident_link
        # A submitted new residence commune for a member whose link the residence holds.
        stored = self.instance.residence_commune_id if self.instance.pk else None
        self.asks_address_change = (
            resident_link is not None
            and self.is_bound
            and (self.data.get("residence_commune") or "") != ("" if stored is None else str(stored))
        )
        if self.asks_address_change:  # asked right under the address
            at = list(self.fields).index("residence_type") + 1
            self.order_fields([*list(self.fields)[:at], "address_change", "move_date"])
        else:
            del self.fields["address_change"], self.fields["move_date"]
        self.collisions: list[tuple[str, str]] = []
        self.blocked = self.is_bound and collisions_blocked(user)
        cells = writable_cells(user) if scope_for(user).writes_somewhere else Organization.objects.none()
        # Residential cells too: retired members hold their official membership where they live.
        self.fields["workplace_cell"].queryset = cells.order_by("name")
        self.fields["residence_province"].queryset = Province.objects.all()
        province_code = self.data.get("residence_province") or (
            self.instance.residence_province_id if self.instance.pk else None
        )
        self.fields["residence_commune"].queryset = (
            Commune.objects.filter(province_id=province_code) if province_code else Commune.objects.none()
        )
        self.fields["residence_commune"].widget.attrs["id"] = "id_residence_commune"
        self.fields["residence_province"].widget.attrs.update(
            {
                "hx-get": "/to-chuc/xa-phuong/",
                "hx-target": "#id_residence_commune",
                "hx-trigger": "change",
            }
        )
        self.fields["liaison_category"].required = False
        self.fields[
            "liaison_category"
        ].help_text = "Theo Hướng dẫn 33-HD/BTCTW: xem trang Quy định đang áp dụng."
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for field in self.fields.values():
            if field.required:
                field.error_messages["required"] = validators.required_message(field.label)
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = validators.DATE_INVALID
            if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
                field.error_messages["invalid_choice"] = validators.invalid_choice_message(field.label)

    def clean_move_date(self):
        day = self.cleaned_data.get("move_date")
        if day and day > timezone.localdate():
            raise ValidationError("Ngày chuyển nơi cư trú không được ở tương lai.")
        return day

    # Text fields are stored NFC-normalised and trimmed.
    def _clean_text(self, name):
        return clean_text(self.cleaned_data.get(name))

    # The rules themselves live in validators.py: the Excel import applies the same ones.
    def clean_full_name(self):
        return validators.clean_full_name(self.cleaned_data.get("full_name"))

    def clean_party_card_number(self):
        card = validators.clean_party_card_number(self.cleaned_data.get("party_card_number"))
        if self.blocked:
            return card
        holders = Member.objects.filter(party_card_number=card)
        if self.instance.pk:
            holders = holders.exclude(pk=self.instance.pk)
        holder = holders.values_list("pk", flat=True).first()
        if (
            holder is not None
            and not members_visible_to(self.user, workplace_only=True).filter(pk=holder).exists()
        ):
            self.collisions.append(("party_card_number", card))
            raise ValidationError(NEUTRAL_MESSAGE)
        return card  # a holder the user sees: validate_unique says "already exists"

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.blocked:  # past the limit, not even "already exists" (the unique constraint)
            exclude.add("party_card_number")
        return exclude

    def refuse_past_limit(self) -> None:
        """The collisions took the user past the day's limit: answer nothing about the values."""
        for name, _ in self.collisions:
            self.errors.pop(name, None)
        self.add_error(None, LIMIT_MESSAGE)

    def clean_national_id(self):
        return validators.clean_national_id(self.cleaned_data.get("national_id"))

    def clean_phone(self):
        return validators.clean_phone(self.cleaned_data.get("phone"))

    def clean_position(self):
        return self._clean_text("position")

    def clean_workplace_unit(self):
        return self._clean_text("workplace_unit")

    def clean_address_street(self):
        return self._clean_text("address_street")

    def clean_address_hamlet(self):
        return self._clean_text("address_hamlet")

    def clean_liaison_category(self):
        # Not sent (a form from before the field): the member keeps the category they have.
        return self.cleaned_data.get("liaison_category") or self.instance.liaison_category

    def clean_liaison_category_note(self):
        return self._clean_text("liaison_category_note")

    def clean_notes(self):
        return (self.cleaned_data.get("notes") or "").strip()

    def clean(self):
        data = super().clean()
        if self.blocked:
            raise ValidationError(LIMIT_MESSAGE)
        for name, message in validators.member_record_errors(data, today=timezone.localdate()):
            self.add_error(name, message)
        commune, province = data.get("residence_commune"), data.get("residence_province")
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
