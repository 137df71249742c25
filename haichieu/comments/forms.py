"""Forms of the comments app: they parse and say what is wrong in Vietnamese; the rules are the
services'. The comment form is built from the request's form definition (one radio group per
criterion, three levels)."""

from django import forms

from haichieu.core.forms import DATE_WIDGET, BootstrapFormMixin
from haichieu.core.params import YEAR_MAX, YEAR_MIN

from .models import CommentRequest, Criterion

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _deadline_field() -> forms.DateField:
    return forms.DateField(
        label="Hạn trả lời",
        input_formats=DATE_INPUT_FORMATS,
        widget=DATE_WIDGET,
        error_messages={
            "required": "Vui lòng nhập hạn trả lời.",
            "invalid": "Hạn trả lời không hợp lệ: hãy nhập theo dạng dd/mm/yyyy.",
        },
    )


class RoundForm(BootstrapFormMixin, forms.Form):
    org = forms.CharField(
        label="Tổ chức",
        max_length=30,
        error_messages={"required": "Vui lòng chọn tổ chức đảng nơi công tác."},
    )
    year = forms.IntegerField(
        label="Năm nhận xét",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={
            "required": "Vui lòng nhập năm nhận xét.",
            "invalid": "Năm nhận xét không hợp lệ: hãy nhập 4 chữ số, ví dụ 2026.",
            "min_value": "Năm nhận xét không hợp lệ.",
            "max_value": "Năm nhận xét không hợp lệ.",
        },
    )
    deadline = _deadline_field()


class AskForm(BootstrapFormMixin, forms.Form):
    cards = forms.CharField(
        label="Số thẻ đảng viên",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Mỗi dòng (hoặc cách nhau bởi dấu phẩy) một số thẻ đảng viên; tối đa 20 đảng viên.",
        error_messages={
            "required": "Vui lòng nhập số thẻ của đảng viên cần lấy ý kiến nhận xét.",
            "max_length": "Danh sách số thẻ dài quá.",
        },
    )
    purpose = forms.ChoiceField(
        label="Mục đích",
        choices=[(p.value, p.label) for p in CommentRequest.AD_HOC_PURPOSES],
        error_messages={"required": "Vui lòng chọn mục đích.", "invalid_choice": "Mục đích không hợp lệ."},
    )
    deadline = _deadline_field()
    portal_reference = forms.CharField(
        label="Số hồ sơ trên Cổng dịch vụ công (nếu có)",
        required=False,
        max_length=50,
        error_messages={"max_length": "Số hồ sơ dài quá 50 ký tự."},
    )

    MAX_MEMBERS = 20

    def clean_cards(self) -> list[str]:
        cards = [c.strip() for c in self.cleaned_data["cards"].replace(",", "\n").splitlines() if c.strip()]
        if not cards:
            raise forms.ValidationError("Vui lòng nhập số thẻ của đảng viên cần lấy ý kiến nhận xét.")
        if len(cards) > self.MAX_MEMBERS:
            raise forms.ValidationError(
                f"Mỗi lần lấy ý kiến tối đa {self.MAX_MEMBERS} đảng viên; lấy ý kiến cả đơn vị: mở đợt hằng năm."
            )
        return list(dict.fromkeys(cards))


class AnswerForm(BootstrapFormMixin, forms.Form):
    """One radio group per criterion (`level_<criterion id>`), then the free text."""

    text = forms.CharField(
        label="Nhận xét khác (ưu điểm, hạn chế, việc đã làm ở nơi cư trú)",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": "Vui lòng ghi nhận xét (ưu điểm, hạn chế, việc đã làm ở nơi cư trú).",
            "max_length": "Nhận xét dài quá 5.000 ký tự.",
        },
    )

    def __init__(self, *args, criteria: list[Criterion], suggested: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields = {}
        for criterion in criteria:
            fields[f"level_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.position}. {criterion.label}",
                choices=[(str(n), label) for n, label in criterion.levels],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=str((suggested or {}).get(criterion.pk, "")) or None,
                error_messages={
                    "required": f"Vui lòng chọn mức cho “{criterion.label}”.",
                    "invalid_choice": f"Mức của “{criterion.label}” không hợp lệ.",
                },
            )
        # The criteria first, in the form's order, then the free text.
        self.fields = {**fields, "text": self.fields["text"]}

    def levels(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"level_{c.pk}"] for c in self.criteria}

    def criterion_fields(self):
        return [self[f"level_{c.pk}"] for c in self.criteria]
