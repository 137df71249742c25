"""Forms of the residence side (commune/ward committee, residential cell).

Forms parse and say what is wrong in Vietnamese; the rules themselves (which cell, which group,
dates in the future, notes required) are the services' and come back as ServiceError messages.
"""

import datetime

from django import forms
from django.urls import reverse
from django.utils import timezone

from haichieu.access import organizations_visible_to, residence_liaisons_visible_to
from haichieu.core.forms import DATE_WIDGET, BootstrapFormMixin, IdChoiceField, IdMultipleChoiceField
from haichieu.core.text import clean_text
from haichieu.members.forms import PHONE_RE, normalise_phone
from haichieu.organizations.models import Organization

from . import selectors
from .models import Group, Liaison

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
INVALID_DATE = "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        widget=DATE_WIDGET,
        error_messages={"invalid": INVALID_DATE, "required": f"Vui lòng nhập {label.lower()}."},
        **kwargs,
    )


FOLLOWER_OPTIONS_ID = "follower-options"


class FollowerNameField(forms.CharField):
    """The committee member who follows a member: chosen from the suggestions (the cell committee,
    the cell's members: `selectors.follower_suggestions`, a <datalist>) or typed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Cấp ủy viên theo dõi")
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Chọn trong danh sách chi ủy, đảng viên của chi bộ, hoặc gõ họ tên.")
        super().__init__(**kwargs)
        self.widget.attrs.update({"list": FOLLOWER_OPTIONS_ID, "autocomplete": "off"})


class _CellChoice(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PlacementFieldsMixin:
    """Group, follower name and phone, shared by reception and placement."""

    def clean_follower_name(self):
        return clean_text(self.cleaned_data.get("follower_name"))

    def clean_follower_phone(self):
        value = normalise_phone(clean_text(self.cleaned_data.get("follower_phone")))
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError("Số điện thoại không hợp lệ: 10 chữ số bắt đầu bằng 0 (hoặc +84).")
        return value

    def _limit_group_choices(self, cell) -> None:
        """Validate against every group in scope; show only the groups of `cell` (htmx refreshes them)."""
        field = self.fields["group"]
        groups = list(field.queryset.filter(cell=cell)) if cell is not None else []
        field.widget.choices = [("", "— Chưa phân tổ/nhóm —")] + [(g.pk, g.name) for g in groups]


class ReceiveForm(PlacementFieldsMixin, BootstrapFormMixin, forms.Form):
    """Receive one introduction (or, with `liaisons`, many) into a residential cell of the commune."""

    cell = _CellChoice(
        label="Chi bộ nơi cư trú",
        queryset=None,
        empty_label="— Chọn chi bộ —",
        error_messages={
            "required": "Vui lòng chọn chi bộ nơi cư trú.",
            "invalid_choice": "Chi bộ đã chọn không thuộc phạm vi của bạn.",
        },
    )
    group = IdChoiceField(
        label="Tổ/nhóm",
        queryset=None,
        required=False,
        empty_label="— Chưa phân tổ/nhóm —",
        error_messages={"invalid_choice": "Tổ/nhóm đã chọn không hợp lệ."},
    )
    follower_name = FollowerNameField()
    follower_phone = forms.CharField(label="Điện thoại người theo dõi", max_length=20, required=False)
    received_on = _date_field(
        "Ngày tiếp nhận",
        required=False,
        help_text="Để trống là hôm nay; phiếu đã nhận trên giấy từ trước: ghi ngày nhận.",
    )

    def __init__(self, *args, user, commune, **kwargs):
        super().__init__(*args, **kwargs)
        cells = list(selectors.residence_orgs_for(user, cells=True, within=commune))
        self.commune_cells = cells  # the page's cell suggestions reuse them
        # Any residential cell in scope passes the form, so that one of another commune reaches the
        # service and gets its message; only the commune's cells are offered.
        self.fields["cell"].queryset = organizations_visible_to(user).filter(
            kind=Organization.Kind.CELL, is_residential=True
        )
        self.fields["cell"].widget.choices = [("", "— Chọn chi bộ —")] + [(c.pk, c.name) for c in cells]
        self.fields["group"].queryset = Group.objects.filter(cell__in=[c.pk for c in cells]).order_by("name")
        self.fields["cell"].widget.attrs.update(
            {
                "hx-get": reverse("liaisons:residence_group_options"),
                "hx-target": "#id_group",
                "hx-trigger": "change",
            }
        )
        self.fields["follower_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        selected = self.data.get("cell") if self.is_bound else self.initial.get("cell")
        selected_pk = getattr(selected, "pk", selected)
        self._limit_group_choices(next((c for c in cells if str(c.pk) == str(selected_pk)), None))


class ReceiveManyForm(ReceiveForm):
    liaisons = IdMultipleChoiceField(
        label="Đảng viên",
        queryset=None,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": "Hãy chọn ít nhất một đảng viên để tiếp nhận.",
            "invalid_choice": "Có hồ sơ đã chọn không còn trong danh sách của bạn: hãy tải lại trang.",
            "invalid_pk_value": "Hồ sơ đã chọn không hợp lệ.",
        },
    )

    def __init__(self, *args, user, commune, **kwargs):
        super().__init__(*args, user=user, commune=commune, **kwargs)
        # Any status: an introduction someone else has just handled must reach the service, which
        # answers with the conflict message naming the member.
        self.fields["liaisons"].queryset = residence_liaisons_visible_to(user).select_related(
            "member", "commune_org"
        )


class ReturnForm(BootstrapFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Lý do trả lại",
        choices=[("", "— Chọn lý do —"), *Liaison.ReturnReason.choices],
        error_messages={
            "required": "Vui lòng chọn lý do trả lại.",
            "invalid_choice": "Lý do trả lại không hợp lệ.",
        },
    )
    note = forms.CharField(
        label="Ghi chú",
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Bắt buộc với “Lý do khác”.",
    )


class PlaceForm(PlacementFieldsMixin, BootstrapFormMixin, forms.Form):
    """Move a member to another group of the same cell, or change the follower."""

    group = IdChoiceField(
        label="Tổ/nhóm",
        queryset=Group.objects.none(),
        required=False,
        empty_label="— Chưa phân tổ/nhóm —",
        error_messages={"invalid_choice": "Tổ/nhóm đã chọn không thuộc chi bộ này."},
    )
    follower_name = FollowerNameField()
    follower_phone = forms.CharField(label="Điện thoại người theo dõi", max_length=20, required=False)
    new_group = forms.CharField(
        label="Hoặc lập tổ/nhóm mới",
        max_length=100,
        required=False,
        help_text="Ghi tên tổ/nhóm mới để lập và phân đồng chí vào đó ngay.",
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: Tổ 1"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, liaison, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "group": liaison.group_id,
                "follower_name": liaison.follower_name,
                "follower_phone": liaison.follower_phone,
                "version": liaison.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(cell_id=liaison.cell_id).order_by("name")
        self.fields["group"].help_text = (
            ""
            if self.fields["group"].queryset.exists()
            else (f"{liaison.cell.name} chưa có tổ/nhóm nào: lập tổ/nhóm mới ở ô dưới.")
        )
        self.fields["follower_phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    def clean_new_group(self):
        return clean_text(self.cleaned_data.get("new_group"))

    def clean(self):
        data = super().clean()
        if data.get("new_group") and data.get("group"):
            self.add_error("new_group", "Chọn một tổ/nhóm có sẵn hoặc lập tổ/nhóm mới, không cả hai.")
        return data


class GroupForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label="Tên tổ/nhóm",
        max_length=100,
        error_messages={"required": "Vui lòng nhập tên tổ/nhóm."},
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: Tổ 1"}),
    )


class NoLongerResidesForm(BootstrapFormMixin, forms.Form):
    date = _date_field("Ngày không còn cư trú")
    note = forms.CharField(
        label="Ghi chú",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ví dụ: đã chuyển đến nơi ở mới (nếu biết, ghi địa chỉ mới).",
    )


class DepartureDecisionForm(BootstrapFormMixin, forms.Form):
    """The commune committee's answer to a cell's "no longer lives here" report."""

    CONFIRM, REJECT = "confirm", "reject"
    decision = forms.ChoiceField(
        choices=[(CONFIRM, "Xác nhận"), (REJECT, "Không xác nhận")],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Hãy chọn xác nhận hoặc không xác nhận.",
            "invalid_choice": "Hãy chọn xác nhận hoặc không xác nhận.",
        },
    )
    reason = forms.CharField(
        label="Lý do không xác nhận",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ví dụ: đồng chí vẫn ở địa phương, chỉ đi công tác dài ngày.",
        error_messages={"max_length": "Lý do không xác nhận tối đa 500 ký tự."},
    )


class BookPeriodForm(BootstrapFormMixin, forms.Form):
    start = _date_field("Từ ngày")
    end = _date_field("Đến ngày")

    @staticmethod
    def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
        today = today or timezone.localdate()
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "“Đến ngày” phải sau hoặc bằng “Từ ngày”.")
        if start and end and (end - start).days > 366 * 10:
            self.add_error("start", "Kỳ theo dõi dài nhất là 10 năm.")
        return data
