from django import forms


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or a recovery code."""

    code = forms.CharField(
        label="Mã xác thực",
        max_length=20,
        help_text="6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class SetupCodeForm(CodeForm):
    code = forms.CharField(
        label="Mã trên ứng dụng",
        max_length=10,
        help_text="Nhập mã 6 chữ số ứng dụng đang hiển thị để xác nhận.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
