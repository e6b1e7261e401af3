"""The foot of every page: who is in charge of personal information (Law 25)."""

from __future__ import annotations

from django import template

from soutien.accounts.privacy_officer import current_cached

register = template.Library()


@register.inclusion_tag("web/_privacy_footer.html")
def privacy_footer() -> dict[str, object]:
    return {"officer": current_cached()}
