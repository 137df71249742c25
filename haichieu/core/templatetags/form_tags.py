"""`{{ field|bootstrap }}`: a form field's widget with Bootstrap classes, for forms that are not ours.

Our forms get their classes from `core.forms.BootstrapFormMixin`; Django's own forms (password
change, login) do not, so `_form_fields.html` renders every field through this filter.
"""

from django import template

from haichieu.core.forms import widget_css
from haichieu.core.jinja import render_jinja2

register = template.Library()


@register.filter
def bootstrap(bound_field):
    widget = bound_field.field.widget
    css = widget.attrs.get("class", "") or widget_css(widget)
    if bound_field.errors and "is-invalid" not in css.split():
        css = f"{css} is-invalid"
    return bound_field.as_widget(attrs={"class": css})


@register.simple_tag
def quick_select(bound_field):
    """A single <select> with the widget's attributes and choices, without the widget templates.

    Django renders each <option> through its own template (~20 µs each); a list page's filter or
    reception form does not need that machinery. The attributes come in `flatatt`'s order.
    """
    widget = bound_field.field.widget
    attrs = {**widget.attrs, "name": bound_field.html_name, "id": bound_field.auto_id}
    if bound_field.errors:
        css = attrs.get("class", "form-select")
        attrs["class"] = css if "is-invalid" in css.split() else f"{css} is-invalid"
        # As Django's BoundField does: the errors are in _field_errors.html under "<id>_error".
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_error"
    value = bound_field.value()
    current = "" if value is None else str(getattr(value, "pk", value))
    choices = [
        (choice, label, choice == current)
        for choice, label in (
            ("" if v is None else str(getattr(v, "value", v)), label) for v, label in widget.choices
        )
    ]
    return render_jinja2(
        "core/_select.html",
        {
            "attrs": sorted((k, v) for k, v in attrs.items() if not isinstance(v, bool) and v is not None),
            "flags": sorted(k for k, v in attrs.items() if v is True),
            "choices": choices,
        },
    )
