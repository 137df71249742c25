"""The rating form: the score on the 100-point scale (one decimal, "85,5" or "85.5") and the
conditions of the year's scheme, ticked. The level is not chosen here: the service decides it."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from haichieu.core.forms import BootstrapFormMixin

from .models import SCORE_MAX, SCORE_MIN

_SCORE_RE = re.compile(r"[0-9]{1,3}([.,][0-9])?")


class RatingForm(BootstrapFormMixin, forms.Form):
    score = forms.CharField(
        label="Điểm đánh giá (thang 100)",
        max_length=10,
        required=False,
        help_text="Từ 0 đến 100, lấy một chữ số thập phân, ví dụ 85 hoặc 85,5.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    conditions = forms.MultipleChoiceField(
        label="Điều kiện đạt",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label="Ghi chú", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, conditions, exempt: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.exempt = exempt
        self.fields["conditions"].choices = [(c.key, c.text) for c in conditions]
        self.fields["conditions"].error_messages["invalid_choice"] = (
            "Điều kiện “%(value)s” không có trong cách xếp loại của năm này."
        )

    def clean_score(self) -> Decimal | None:
        text = (self.cleaned_data.get("score") or "").strip()
        if self.exempt:
            return None
        if not text:
            raise forms.ValidationError("Nhập điểm đánh giá (từ 0 đến 100).")
        if not _SCORE_RE.fullmatch(text):
            raise forms.ValidationError(
                f"“{text}” không phải là điểm hợp lệ: nhập số từ 0 đến 100, tối đa một chữ số thập phân (ví dụ 85,5)."
            )
        score = Decimal(text.replace(",", "."))
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise forms.ValidationError(f"Điểm {text} nằm ngoài thang điểm: phải từ 0 đến 100.")
        return score
