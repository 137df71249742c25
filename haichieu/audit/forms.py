from django import forms

from haichieu.core.forms import BootstrapFormMixin
from haichieu.core.models import AuditEntry
from haichieu.members.forms import DATE_WIDGET

# The actions an entry about a member, a link, a notice or an organisation can have (sign-ins and
# account settings are about users, which the audit page does not list).
A = AuditEntry.Action
ACTIONS = [A.VIEW, A.EXPORT, A.CREATE, A.UPDATE, A.DELETE, A.MOVE, A.DEACTIVATE, A.ACTIVATE]


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    member = forms.CharField(
        label="Đảng viên",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Họ tên hoặc số thẻ đảng viên"}),
    )
    actor = forms.CharField(
        label="Người thực hiện",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": "Tên đăng nhập"}),
    )
    action = forms.ChoiceField(
        label="Thao tác",
        required=False,
        choices=[("", "Mọi thao tác"), *[(a.value, a.label) for a in ACTIONS]],
    )
    start = forms.DateField(
        label="Từ ngày",
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Từ ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."},
    )
    end = forms.DateField(
        label="Đến ngày",
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Đến ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."},
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "Đến ngày phải từ ngày bắt đầu trở đi.")
        return data
