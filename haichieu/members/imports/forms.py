from django import forms

from haichieu.core.forms import BootstrapFormMixin, IdChoiceField


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="Tệp Excel (.xlsx)",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={"required": "Hãy chọn tệp Excel (.xlsx) để nhập.", "empty": "Tệp rỗng."},
    )
    default_cell = IdChoiceField(
        label="Chi bộ cho đảng viên mới không ghi chi bộ",
        required=False,
        queryset=None,
        empty_label="(không có: mỗi dòng phải ghi chi bộ)",
        help_text="Dùng khi tệp là danh sách của một chi bộ và không có cột “Chi bộ”.",
        error_messages={"invalid_choice": "Chi bộ không hợp lệ."},
    )

    day_month = forms.BooleanField(
        label="Đọc ngày kiểu Excel theo ngày/tháng đảo",
        required=False,
        help_text=(
            "Chỉ chọn khi tệp được gõ ngày/tháng trong Excel cài kiểu Anh/Mỹ (gõ 8/6/2015 thành ngày 6 tháng 8): "
            "trang xem trước sẽ cảnh báo khi một cột có dấu hiệu này."
        ),
    )

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_cell"].queryset = cells
