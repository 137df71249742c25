import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .params import DAY_FORMATS, parse_id
from .services import ServiceError


def widget_css(widget) -> str:
    """The Bootstrap class of a widget: form-check-input, form-select or form-control."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


# A date typed the Vietnamese way, also on a phone's numeric keypad.
DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
# A list's date filter: the browser's own date picker (a phone's calendar), which sends yyyy-mm-dd;
# a date written the Vietnamese way (dd/mm/yyyy, a link or a bookmark) is read as well.
FILTER_DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
FILTER_DATE_FORMATS = list(DAY_FORMATS)  # the query string's days (params.parse_day)


class BootstrapFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", widget_css(field.widget))

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


def choice_options(form, name: str, empty_label: str | None = None) -> list[tuple]:
    """(value, label, selected) for a filter's <select>, cheaper than rendering the widget's options.

    List pages render their filter selects from these (bench/: the widgets cost ~1 ms a page).
    """
    current = form.data.get(name, "")
    return [
        (value, empty_label if value == "" and empty_label else label, str(value) == current)
        for value, label in form.fields[name].choices
    ]


# Parameters of a list page that are not filters (paging, the download's format).
NOT_FILTERS = frozenset({"format", "after", "size", "page"})


def filter_summary(form) -> str:
    """What a bound, valid filter form chose, as a person reads it ("Tình trạng: Đang sinh hoạt;
    Từ ngày: 01/10/2026"), for the title block of an export; "" when nothing is chosen."""
    if not form.is_bound or not form.is_valid():
        return ""
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if name in NOT_FILTERS or value in (None, "", False) or value == []:
            continue
        if isinstance(field, forms.ModelChoiceField):
            text = str(value)
        elif isinstance(field, forms.ChoiceField):
            text = str(dict(field.choices).get(value, value))
        elif isinstance(value, datetime.date):
            text = value.strftime("%d/%m/%Y")
        elif value is True:
            text = "có"
        else:
            text = str(value)
        parts.append(f"{field.label}: {text}")
    return "; ".join(parts)


def add_service_error(form, exc: ServiceError, *, field: str | None = None) -> None:
    """Show a service's refusal on the form: on the field it names when the form has that field,
    else on `field` (a form of one question), else above the form."""
    form.add_error(exc.field if exc.field in form.fields else field, exc.message)


def _keyed_by_id(field) -> bool:
    """Whether the records a choice field names are looked up by an integer id."""
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    return isinstance(key, models.IntegerField | models.AutoField)


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose value that names no id (letters, 23 digits, "²") is its "invalid
    choice", as an id of no record is, instead of reaching the database (core/params.py)."""

    def to_python(self, value):
        if value not in self.empty_values and _keyed_by_id(self) and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses a value naming no id as IdChoiceField does."""

    def _check_values(self, value):
        if _keyed_by_id(self):
            for item in value:
                if parse_id(item) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        return super()._check_values(value)


class DateRangeForm(BootstrapFormMixin, forms.Form):
    """A list's "from … to …" filter: both optional, date pickers (yyyy-mm-dd; dd/mm/yyyy read too),
    the end not before the start."""

    start = forms.DateField(
        label="Từ ngày",
        required=False,
        widget=FILTER_DATE_WIDGET,
        input_formats=FILTER_DATE_FORMATS,
        error_messages={"invalid": "Từ ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."},
    )
    end = forms.DateField(
        label="Đến ngày",
        required=False,
        widget=FILTER_DATE_WIDGET,
        input_formats=FILTER_DATE_FORMATS,
        error_messages={"invalid": "Đến ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy."},
    )

    def __init__(self, data=None, *args, **kwargs):
        # A dd/mm/yyyy date (a link, a bookmark) goes back to the page as yyyy-mm-dd: a date picker
        # shows no other form.
        if data is not None:
            data = data.copy()
            for name in ("start", "end"):
                try:
                    day = datetime.datetime.strptime(str(data.get(name) or ""), "%d/%m/%Y").date()
                except ValueError:
                    continue
                data[name] = day.isoformat()
        super().__init__(data, *args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "Đến ngày phải từ ngày bắt đầu trở đi.")
        return data
