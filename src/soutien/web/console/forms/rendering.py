"""Django's own widget and label templates, written out in Python for the request page's forms.

A request's page renders seven forms, some 18 fields: through the template engine each field
is a widget template, its attributes' template and its label's (a select one more per option),
a fifth of the page's server time. This renderer gives the same HTML, character for character
(tests/web/console/test_page_queries.py compares it with Django's on every field of those
forms), for the plain widgets those forms use; any other template goes to Django's renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html and django/forms/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{conditional_escape(value)}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/input.html, which text.html, number.html, ... include."""
    value = widget["value"]
    shown = f' value="{conditional_escape(value)}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


OPTION = "django/forms/widgets/select_option.html"


def _option(option: Mapping[str, Any]) -> str:
    return (
        f'<option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>\n"
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            out.append(f"\n  {_option(option)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _label(context: Mapping[str, Any]) -> str:
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return str(label)
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in ("text", "number", "hidden", "datetime", "checkbox", "email", "url", "password")
}
WIDGETS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


class PlainWidgets(DjangoTemplates):
    """Django's renderer, with its plain widgets and labels rendered without the engine (its
    output stripped, as Django's renderer strips a template's)."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        html: str | None = None
        if template_name in INPUTS:
            html = _input(context["widget"])
        elif template_name in WIDGETS:
            html = WIDGETS[template_name](context["widget"])
        elif template_name == "django/forms/label.html":
            html = _label(context)
        if html is None:
            return super().render(template_name, context, request)
        return html


plain_widgets = PlainWidgets()
