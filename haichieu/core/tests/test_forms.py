from django import forms

from haichieu.core.forms import add_service_error
from haichieu.core.services import ServiceError


class _Form(forms.Form):
    name = forms.CharField(required=False)
    code = forms.CharField(required=False)


def _errors(exc, **kwargs):
    form = _Form({})
    assert form.is_valid()
    add_service_error(form, exc, **kwargs)
    return form.errors


def test_the_error_goes_on_the_field_it_names():
    assert _errors(ServiceError("Trùng tên.", field="name")) == {"name": ["Trùng tên."]}


def test_an_error_on_no_field_of_the_form_goes_above_it_or_on_the_default_field():
    assert _errors(ServiceError("Không có quyền.")) == {"__all__": ["Không có quyền."]}
    assert _errors(ServiceError("Sai.", field="other")) == {"__all__": ["Sai."]}
    assert _errors(ServiceError("Sai.", field="other"), field="code") == {"code": ["Sai."]}
    assert _errors(ServiceError("Trùng.", field="name"), field="code") == {"name": ["Trùng."]}


def test_filter_summary_reads_what_was_chosen():
    from django import forms as dj_forms

    from haichieu.core.forms import filter_summary

    class F(dj_forms.Form):
        q = dj_forms.CharField(label="Tìm kiếm", required=False)
        status = dj_forms.ChoiceField(
            label="Tình trạng", required=False, choices=[("", "Tất cả"), ("a", "Đang sinh hoạt")]
        )
        start = dj_forms.DateField(label="Từ ngày", required=False, input_formats=["%d/%m/%Y"])
        format = dj_forms.CharField(required=False)

    assert filter_summary(F({"q": "An", "status": "a", "start": "01/10/2026", "format": "xlsx"})) == (
        "Tìm kiếm: An; Tình trạng: Đang sinh hoạt; Từ ngày: 01/10/2026"
    )
    assert filter_summary(F({"status": ""})) == ""
    assert filter_summary(F()) == ""
    assert filter_summary(F({"start": "32/10/2026"})) == ""
