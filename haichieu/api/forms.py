from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Tên khóa",
        max_length=100,
        help_text="Để nhận ra khóa dùng cho phần mềm nào, ví dụ “Phần mềm báo cáo của Ban Tổ chức”.",
    )
