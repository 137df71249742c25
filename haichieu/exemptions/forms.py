from django import forms

from haichieu.core.forms import DATE_WIDGET, BootstrapFormMixin, IdChoiceField
from haichieu.organizations.models import Organization

from . import rules
from .models import Exemption


class ExemptionForm(BootstrapFormMixin, forms.ModelForm):
    """Record or correct an exemption. The reasons offered and who may decide come from the
    settings and the member's cell (services.deciding_bodies); the service checks them again."""

    decided_by = IdChoiceField(queryset=Organization.objects.none(), label="Cấp quyết định")
    scan = forms.FileField(
        label="Bản chụp đơn (PDF, JPEG, PNG)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    class Meta:
        model = Exemption
        fields = [
            "reason",
            "reason_details",
            "applied_on",
            "cell_proposal_on",
            "decided_by",
            "decided_on",
            "decision_number",
            "start_date",
            "end_date",
            "contact",
        ]
        widgets = {
            "applied_on": DATE_WIDGET,
            "cell_proposal_on": DATE_WIDGET,
            "decided_on": DATE_WIDGET,
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "reason_details": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "reason_details": "Chỉ nơi công tác xem được; nơi cư trú chỉ thấy “miễn đến …”.",
            "contact": "Điện thoại, Zalo, địa chỉ để chi bộ giữ liên lạc trong thời gian miễn.",
        }

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "— Chọn lý do —"), *rules.reasons()]
        self.fields["decided_by"].queryset = Organization.objects.filter(pk__in=[b.pk for b in bodies])
        self.fields["decided_by"].empty_label = None
        for name in ("applied_on", "cell_proposal_on", "decided_on", "start_date", "end_date"):
            self.fields[name].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "“Miễn đến ngày” phải từ “miễn từ ngày” trở về sau.")
        return data


class RevokeForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="Lý do thôi miễn", max_length=255, required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=1930, max_value=2999, required=False)
    org = forms.CharField(max_length=50, required=False)
