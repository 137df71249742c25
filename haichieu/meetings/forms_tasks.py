"""Forms of the tasks pages: they parse and say what is wrong in Vietnamese; the rules are
services_tasks' (a member the cell may not give a task is not among the choices)."""

import datetime

from django import forms

from haichieu.core.forms import DATE_WIDGET, BootstrapFormMixin, IdChoiceField
from haichieu.organizations.models import Organization

from . import rules
from .forms import DATE_INPUT_FORMATS
from .models import Meeting, Task

MEETINGS_OFFERED_DAYS = 366  # the meetings of the past year are offered as where a task was given


class MemberChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} — {obj.workplace_cell.name}"


class MeetingChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_kind_display()} ngày {obj.date:%d/%m/%Y}"


class TaskForm(BootstrapFormMixin, forms.Form):
    member = MemberChoiceField(
        label="Đảng viên",
        queryset=None,
        empty_label="— Chọn đảng viên —",
        error_messages={
            "required": "Vui lòng chọn đảng viên.",
            "invalid_choice": "Hãy chọn một đảng viên trong danh sách (đảng viên giữ mối liên hệ ở chi bộ).",
        },
    )
    kind = forms.ChoiceField(
        label="Loại nhiệm vụ",
        error_messages={
            "required": "Vui lòng chọn loại nhiệm vụ.",
            "invalid_choice": "Loại nhiệm vụ không hợp lệ.",
        },
    )
    description = forms.CharField(
        label="Nội dung nhiệm vụ",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Phù hợp với công việc, hoàn cảnh của đảng viên; cơ quan nơi đảng viên công tác được thông báo.",
        error_messages={
            "required": "Vui lòng nhập nội dung nhiệm vụ.",
            "max_length": "Nội dung nhiệm vụ dài quá 2000 ký tự.",
        },
    )
    due_date = forms.DateField(
        label="Thời hạn",
        input_formats=DATE_INPUT_FORMATS,
        widget=DATE_WIDGET,
        error_messages={
            "required": "Vui lòng nhập thời hạn.",
            "invalid": "Thời hạn không hợp lệ: hãy nhập theo dạng dd/mm/yyyy.",
        },
    )
    meeting = MeetingChoiceField(
        label="Giao tại buổi sinh hoạt",
        queryset=None,
        required=False,
        empty_label="— Không giao tại buổi sinh hoạt nào —",
        error_messages={"invalid_choice": "Hãy chọn một buổi sinh hoạt trong danh sách."},
    )

    def __init__(self, *args, cell: Organization, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = rules.task_members(cell, today).select_related("workplace_cell")
        self.fields["kind"].choices = [("", "— Chọn loại nhiệm vụ —"), *rules.task_kinds()]
        self.fields["meeting"].queryset = Meeting.objects.filter(
            cell=cell, date__gte=today - datetime.timedelta(days=MEETINGS_OFFERED_DAYS)
        ).order_by("-date", "-pk")


class OutcomeForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Kết quả",
        choices=Task.Outcome.choices,
        error_messages={"required": "Vui lòng chọn kết quả.", "invalid_choice": "Kết quả không hợp lệ."},
    )
    outcome_note = forms.CharField(
        label="Nhận xét kết quả",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Nhận xét kết quả dài quá 2000 ký tự."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
