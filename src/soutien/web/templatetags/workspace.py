"""The workspace panel of a request's console page: next request, macros, merge and links."""

from __future__ import annotations

from typing import Any

from django import template

from soutien.accounts.models import User
from soutien.ticketing import merging
from soutien.ticketing.models import Ticket
from soutien.ticketing.selectors import tickets_visible_to
from soutien.web.paging import LIST_PARAMS, list_query
from soutien.workspace import selectors as workspace_selectors

register = template.Library()


@register.inclusion_tag("console/workspace/_panel.html", takes_context=True)
def workspace_panel(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    request = context["request"]
    user: User = request.user
    here = list_query(request.GET)
    macros = [
        (macro, workspace_selectors.macro_text(macro, ticket, user))
        for macro in workspace_selectors.macros_for(user)
    ]
    linked, merged = merging.linked_and_merged(ticket, tickets_visible_to(user))
    return {
        "ticket": ticket,
        "here": here,
        "params": {k: v for k, v in request.GET.items() if k in LIST_PARAMS and v},
        "macros": macros,
        "linked": linked,
        "merged": merged,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("console/workspace/_views_nav.html", takes_context=True)
def saved_views_nav(context: template.Context) -> dict[str, Any]:
    """The saved views (one's own and the team's) with how many requests each holds now."""
    user: User = context["request"].user
    cap = workspace_selectors.NAV_COUNT_CAP
    views = list(workspace_selectors.views_for(user))
    counts = workspace_selectors.view_counts(user, views, cap=cap)
    return {
        "views": [(view, workspace_selectors.count_label(counts[view.pk], cap)) for view in views]
    }
