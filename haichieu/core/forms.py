from django import forms

from .services import ServiceError


def widget_css(widget) -> str:
    """The Bootstrap class of a widget: form-check-input, form-select or form-control."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


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


def add_service_error(form, exc: ServiceError, *, field: str | None = None) -> None:
    """Show a service's refusal on the form: on the field it names when the form has that field,
    else on `field` (a form of one question), else above the form."""
    form.add_error(exc.field if exc.field in form.fields else field, exc.message)
