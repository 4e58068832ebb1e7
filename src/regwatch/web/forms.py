from __future__ import annotations

from django import forms


class FileInput(forms.FileInput):
    """A file input whose button and "no file" text are Chinese whatever the browser's language
    (``web/widgets/file.html``; ``regwatch/app.js`` shows the chosen file's name)."""

    template_name = "web/widgets/file.html"


def chinese_file_input(widget: forms.Widget) -> forms.Widget:
    if isinstance(widget, forms.FileInput) and not isinstance(widget, FileInput):
        chinese = FileInput(attrs=widget.attrs)
        chinese.is_required = widget.is_required
        chinese.allow_multiple_selected = widget.allow_multiple_selected
        return chinese
    return widget


def style_form(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget Tabler's classes, so no template has to style fields one by one."""
    for field in form.fields.values():
        field.widget = chinese_file_input(field.widget)
        widget = field.widget
        if isinstance(widget, FileInput):
            continue  # styled by its own template
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
    return form
