from django import forms

from haichieu.core.forms import BootstrapFormMixin
from haichieu.members.forms import DATE_WIDGET

from .models import ChangeNotice


class NoticeFilterForm(BootstrapFormMixin, forms.Form):
    direction = forms.ChoiceField(
        label="Chiều", required=False, choices=[("", "Cả hai chiều"), *ChangeNotice.Direction.choices]
    )
    kind = forms.ChoiceField(
        label="Loại biến động",
        required=False,
        choices=[("", "Mọi loại biến động"), *ChangeNotice.Kind.choices],
    )
    start = forms.DateField(
        label="Từ ngày",
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Từ ngày không hợp lệ: dd/mm/yyyy."},
    )
    end = forms.DateField(
        label="Đến ngày",
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Đến ngày không hợp lệ: dd/mm/yyyy."},
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "Đến ngày phải sau từ ngày.")
        return data
