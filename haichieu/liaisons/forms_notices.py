from django import forms

from haichieu.core.forms import DateRangeForm

from .models import ChangeNotice


class NoticeFilterForm(DateRangeForm):
    direction = forms.ChoiceField(
        label="Chiều", required=False, choices=[("", "Cả hai chiều"), *ChangeNotice.Direction.choices]
    )
    kind = forms.ChoiceField(
        label="Loại biến động",
        required=False,
        choices=[("", "Mọi loại biến động"), *ChangeNotice.Kind.choices],
    )
