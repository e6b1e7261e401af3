"""Reads of the workspace: the views and macros a staff member may use, and a macro's text."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from soutien.accounts.models import User
from soutien.core.dates import moment_text, zone_text
from soutien.ticketing.finder import Filters, find
from soutien.ticketing.models import Ticket
from soutien.workspace.models import Macro, SavedView

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# The placeholders a macro may hold, for the help text of the form.
PLACEHOLDERS = ("contact", "number", "due", "technician")


def views_for(user: User) -> QuerySet[SavedView]:
    """One's own views and those shared with the team."""
    if not user.is_staff_member:
        return SavedView.objects.none()
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def view_for(user: User, view_id: int) -> SavedView:
    view = views_for(user).filter(pk=view_id).first()
    if view is None:
        raise Http404
    return view


def filters_of(view: SavedView) -> Filters:
    """The view's filters (soonest due first unless the view says otherwise)."""
    return Filters.from_params(view.params)


# The console's navigation counts a view's requests up to this many, then says "99+": an exact
# count over a common filter or word reads every match (100-200 ms at a million requests, ~1 s
# for a common word), on each page that shows the views.
NAV_COUNT_CAP = 99


def view_counts(user: User, views: list[SavedView], *, cap: int | None = None) -> dict[int, int]:
    """How many requests each view holds now; with `cap`, at most cap + 1 (then "cap+")."""
    if cap is None:
        # few=0: counting every match, the text index's set beats checking each request's words.
        return {view.pk: find(user, filters_of(view), few=0).order_by().count() for view in views}
    # The first cap + 1 in the view's order: the same walk as its first page, stopped early.
    return {view.pk: find(user, filters_of(view), few=cap + 1)[: cap + 1].count() for view in views}


def count_label(count: int, cap: int) -> str:
    """A capped count as the navigation shows it: "12", or "99+" past the cap."""
    return f"{cap}+" if count > cap else str(count)


def macros_for(user: User) -> QuerySet[Macro]:
    if not user.is_staff_member:
        return Macro.objects.none()
    return Macro.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


def macro_for(user: User, macro_id: int) -> Macro:
    macro = macros_for(user).filter(pk=macro_id).first()
    if macro is None:
        raise Http404
    return macro


def macro_text(macro: Macro, ticket: Ticket, technician: User, language: str | None = None) -> str:
    """The macro in the client's language (or `language`), its placeholders filled in.

    {contact}: the contact's name; {number}: the request's number; {due}: the promised time of
    the first response, in the service's zone; {technician}: who answers. Other braces stay.
    """
    language = language or ticket.contact.language or "fr"
    body = macro.body_en if language == "en" else macro.body_fr
    due = ""
    if ticket.first_response_due is not None:
        # The language's one style, in the service's zone named in words.
        with timezone.override(ZoneInfo(settings.TIME_ZONE)):
            moment = moment_text(ticket.first_response_due, language)
        due = f"{moment} ({zone_text(settings.TIME_ZONE, language)})"
    values = {
        "contact": ticket.contact.display_name,
        "number": ticket.number,
        "due": due,
        "technician": technician.display_name,
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)
