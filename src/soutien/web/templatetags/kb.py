"""Knowledge-base helpers for templates: category names, the new-request form's suggestions."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from soutien.kb import selectors, services
from soutien.kb.models import Category
from soutien.sla.models import ServiceCalendar

register = template.Library()


@register.simple_tag
def category_name(category: Category) -> str:
    return category.name(get_language() or "fr")


@register.inclusion_tag("public/kb/_form_suggestions.html", takes_context=True)
def kb_suggestions(context: template.Context, form_id: str) -> dict[str, object]:
    """A hidden key naming this form (kept when the form is shown again) and the suggestions."""
    request = context["request"]
    token = request.POST.get("kb_form", "") if request.method == "POST" else ""
    return {"form_token": token or services.form_token(), "form_id": form_id}


@register.filter
def coverage(calendar: ServiceCalendar) -> str:
    return selectors.coverage_text(calendar)
