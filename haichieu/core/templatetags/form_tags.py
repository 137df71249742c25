"""`{{ field|bootstrap }}`: a form field's widget with Bootstrap classes, for forms that are not ours.

Our forms get their classes from `core.forms.BootstrapFormMixin`; Django's own forms (password
change, login) do not, so `_form_fields.html` renders every field through this filter.
"""

from django import forms, template

register = template.Library()


@register.filter
def bootstrap(bound_field):
    widget = bound_field.field.widget
    css = widget.attrs.get("class", "")
    if not css:
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
    if bound_field.errors and "is-invalid" not in css.split():
        css = f"{css} is-invalid"
    return bound_field.as_widget(attrs={"class": css})
