"""Forms of the meetings app: they parse and say what is wrong in Vietnamese; the rules are the
services'."""

from django import forms

from haichieu.core.forms import DATE_WIDGET, BootstrapFormMixin

from . import rules
from .models import Attendance, Meeting

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class MeetingForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Loại buổi sinh hoạt", choices=Meeting.Kind.choices)
    date = forms.DateField(
        label="Ngày họp",
        input_formats=DATE_INPUT_FORMATS,
        widget=DATE_WIDGET,
        error_messages={
            "required": "Vui lòng nhập ngày họp.",
            "invalid": "Ngày họp không hợp lệ: hãy nhập theo dạng dd/mm/yyyy.",
        },
    )
    start_time = forms.TimeField(
        label="Giờ bắt đầu",
        input_formats=["%H:%M", "%H:%M:%S", "%Hh%M", "%Hg%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "numeric"}),
        error_messages={
            "required": "Vui lòng nhập giờ bắt đầu.",
            "invalid": "Giờ bắt đầu không hợp lệ: hãy nhập theo dạng hh:mm, ví dụ 19:30.",
        },
    )
    place = forms.CharField(
        label="Địa điểm",
        max_length=255,
        error_messages={
            "required": "Vui lòng nhập địa điểm.",
            "max_length": "Địa điểm dài quá 255 ký tự.",
        },
    )
    agenda_template = forms.ChoiceField(
        label="Mẫu nội dung",
        required=False,
        help_text="Chọn một mẫu để điền sẵn nội dung (khi nội dung còn trống).",
    )
    agenda = forms.CharField(
        label="Nội dung sinh hoạt",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"max_length": "Nội dung sinh hoạt dài quá 5000 ký tự."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_template"].choices = [("", "— Không dùng mẫu —")] + [
            (key, label) for key, label, _ in rules.agenda_templates()
        ]

    def clean(self):
        data = super().clean()
        if not (data.get("agenda") or "").strip():
            texts = {key: text for key, _, text in rules.agenda_templates()}
            if data.get("agenda_template") in texts:
                data["agenda"] = texts[data["agenda_template"]]
            else:
                self.add_error("agenda", "Vui lòng nhập nội dung sinh hoạt hoặc chọn một mẫu.")
        return data


class MinutesForm(BootstrapFormMixin, forms.Form):
    """What the minutes say beyond the roll-call (services.meeting_record_minutes)."""

    chair = forms.CharField(
        label="Người chủ trì",
        required=False,
        max_length=255,
        help_text="Họ tên, như in trong biên bản; ví dụ: Nguyễn Văn An, Bí thư chi bộ.",
        error_messages={"max_length": "Họ tên người chủ trì dài quá 255 ký tự."},
    )
    recorder = forms.CharField(
        label="Thư ký",
        required=False,
        max_length=255,
        error_messages={"max_length": "Họ tên thư ký dài quá 255 ký tự."},
    )
    conclusion = forms.CharField(
        label="Kết luận của chủ trì",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"max_length": "Kết luận dài quá 5000 ký tự."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=[(Meeting.State.OPEN, ""), (Meeting.State.CLOSED, "")])


class MarkForm(forms.Form):
    """One tap of the roll-call: any of status, reason, contribution."""

    status = forms.ChoiceField(
        choices=Attendance.Status.choices,
        required=False,
        error_messages={"invalid_choice": "không hợp lệ."},
    )
    reason = forms.CharField(
        required=False, max_length=255, error_messages={"max_length": "dài quá 255 ký tự."}
    )
    contribution = forms.CharField(
        required=False, max_length=2000, error_messages={"max_length": "dài quá 2000 ký tự."}
    )

    def changes(self) -> dict:
        """The fields the tap sent (a field absent from the POST is left as it is)."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.data}
