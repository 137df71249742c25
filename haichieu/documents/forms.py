from django import forms

from haichieu.core.forms import BootstrapFormMixin


class TemplateUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="Tệp mẫu Word (.docx)",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
        error_messages={"required": "Hãy chọn tệp Word (.docx) của mẫu.", "empty": "Tệp rỗng."},
    )
