from django import forms

from haichieu.core.forms import DateRangeForm
from haichieu.core.models import AuditEntry

# The actions an entry about a member, a link, a notice or an organisation can have (sign-ins and
# account settings are about users, which the audit page does not list).
A = AuditEntry.Action
ACTIONS = [A.VIEW, A.EXPORT, A.CREATE, A.UPDATE, A.DELETE, A.MOVE, A.DEACTIVATE, A.ACTIVATE]


class AuditFilterForm(DateRangeForm):
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
