from django import forms

from haichieu.core.forms import BootstrapFormMixin, IdChoiceField

from .models import Commune, Organization, Province


class OrganizationForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label="Mã tổ chức", max_length=30, error_messages={"required": "Vui lòng nhập mã tổ chức."}
    )
    name = forms.CharField(
        label="Tên tổ chức", max_length=255, error_messages={"required": "Vui lòng nhập tên tổ chức."}
    )
    kind = forms.ChoiceField(label="Loại tổ chức", choices=Organization.Kind.choices)
    is_residential = forms.BooleanField(
        label="Tổ chức đảng nơi cư trú (xã/phường, thôn, tổ dân phố)", required=False
    )
    province = IdChoiceField(
        label="Tỉnh/thành phố",
        queryset=Province.objects.all(),
        required=False,
        empty_label="— Chọn tỉnh/thành phố —",
        error_messages={"invalid_choice": "Tỉnh/thành phố không hợp lệ."},
    )
    commune = IdChoiceField(
        label="Xã/phường/đặc khu (với tổ chức nơi cư trú)",
        queryset=Commune.objects.none(),
        required=False,
        empty_label="— Chọn xã/phường/đặc khu —",
        error_messages={"invalid_choice": "Xã/phường/đặc khu không hợp lệ."},
    )

    place_name = forms.CharField(
        label="Địa danh ghi trên văn bản",
        max_length=100,
        required=False,
        help_text=Organization._meta.get_field("place_name").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province = self.data.get("province") or self.initial.get("province")
        if province is not None and hasattr(province, "pk"):
            province = province.pk
        if province:
            self.fields["commune"].queryset = Commune.objects.filter(province_id=province)
        self.fields["commune"].widget.attrs["id"] = "id_commune"
        self.fields["province"].widget.attrs.update(
            {"hx-get": "/to-chuc/xa-phuong/", "hx-target": "#id_commune", "hx-trigger": "change"}
        )

    def clean(self):
        data = super().clean()
        commune, province = data.get("commune"), data.get("province")
        if commune and province and commune.province_id != province.pk:
            self.add_error("commune", "Xã/phường/đặc khu không thuộc tỉnh/thành phố đã chọn.")
        if commune and not data.get("is_residential"):
            self.add_error("commune", "Chỉ tổ chức nơi cư trú mới gắn với xã/phường/đặc khu.")
        return data


class OrganizationMoveForm(BootstrapFormMixin, forms.Form):
    new_parent = forms.CharField(
        label="Mã tổ chức cấp trên mới",
        max_length=30,
        error_messages={"required": "Vui lòng nhập mã tổ chức cấp trên mới."},
    )
