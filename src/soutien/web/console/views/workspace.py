"""The technician's workspace: search across requests, saved views, bulk actions, merging and
linking, macros, and "next request" in the current view (the view travels in the URL)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from soutien.accounts.models import User
from soutien.core.errors import InvalidInput, ServiceError
from soutien.ticketing import bulk, merging, selectors, services
from soutien.ticketing.finder import Filters, find, neighbours
from soutien.ticketing.models import Channel, Level, Status, Ticket
from soutien.web.access import current_user, staff_required
from soutien.web.clock import with_clocks
from soutien.web.forms import reporting
from soutien.web.paging import LIST_PARAMS, list_query, page_number
from soutien.workspace import selectors as workspace_selectors
from soutien.workspace import services as workspace_services
from soutien.workspace.models import SavedView

PAGE_SIZE = 25


# The console's queues (`?queue=`, `&sort=`) as filters: "next request" follows them too.
ACTIVE = "new,open,waiting"
QUEUE_FILTERS = {
    "triage": {"level": "none", "status": ACTIVE},
    "1": {"level": "1", "status": ACTIVE},
    "2": {"level": "2", "status": ACTIVE},
    "3": {"level": "3", "status": ACTIVE},
    "mine": {"assignee": "me", "status": ACTIVE},
    "all": {"ordering": "-received_at"},
}
QUEUE_SORTS = {"due": "sla_due", "received": "-received_at", "updated": "-updated_at"}


def current_list(
    user: User, params: QueryDict | dict[str, Any]
) -> tuple[Filters, SavedView | None]:
    """The list the technician works in: a saved view (`view=`), a console queue (`queue=`,
    `sort=`) or search filters; a bad filter is an `InvalidInput`."""
    view = None
    queue = str(params.get("queue") or "")
    if queue in QUEUE_FILTERS:
        wanted = dict(QUEUE_FILTERS[queue])
        sort = QUEUE_SORTS.get(str(params.get("sort") or ""))
        if sort:
            wanted["ordering"] = sort
        return Filters.from_params(wanted), None
    view_id = str(params.get("view") or "")
    if view_id:
        if not view_id.isdigit() or len(view_id) > 18:
            raise Http404
        view = workspace_selectors.view_for(user, int(view_id))
        return workspace_selectors.filters_of(view), view
    return Filters.from_params(params), None


def _views_nav(user: User) -> list[tuple[SavedView, str]]:
    cap = workspace_selectors.NAV_COUNT_CAP
    views = list(workspace_selectors.views_for(user))
    counts = workspace_selectors.view_counts(user, views, cap=cap)
    return [(view, workspace_selectors.count_label(counts[view.pk], cap)) for view in views]


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    """Requests found by words and filters, as a queue; saved views; bulk actions."""
    user = current_user(request)
    error = ""
    try:
        filters, view = current_list(user, request.GET)
    except InvalidInput as exc:
        filters, view, error = Filters(), None, exc.message
    page = page_number(request)
    start = (page - 1) * PAGE_SIZE
    rows = list(
        find(user, filters).select_related("organization", "assignee")[
            start : start + PAGE_SIZE + 1
        ]
    )
    here = list_query(request.GET)
    context = {
        "filters": filters,
        "params": filters.as_params(),
        "view": view,
        "views": _views_nav(user),
        "tickets": with_clocks(rows[:PAGE_SIZE]),
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "here": here,
        "error": error,
        "statuses": Status.choices,
        "levels": Level.choices,
        "channels": Channel.choices,
        "technicians": User.objects.technicians().order_by("full_name"),
        "actions": bulk.ACTIONS,
    }
    return render(request, "console/workspace/search.html", context, status=400 if error else 200)


def _back_to_list(request: HttpRequest) -> HttpResponse:
    query = list_query(request.POST)
    return redirect(reverse("console:search") + (f"?{query}" if query else ""))


@staff_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected requests; say what was done and what was refused."""
    user = current_user(request)
    data = request.POST
    ids = [int(v) for v in data.getlist("tickets") if v.isdigit() and len(v) <= 18]
    assignee: User | str | None = None
    raw = data.get("bulk_assignee", "")
    if raw == "auto":
        assignee = services.AUTOMATIC
    elif raw.isdigit():
        assignee = User.objects.filter(pk=int(raw)).first()
    # The action's own fields are prefixed: the list's filters travel in the same form.
    level = int(data["bulk_level"]) if data.get("bulk_level", "").isdigit() else None
    into = None
    if data.get("into", "").strip().lstrip("#").isdigit():
        into = (
            selectors.tickets_visible_to(user)
            .filter(pk=int(data["into"].strip().lstrip("#")))
            .first()
        )
    try:
        summary = bulk.bulk_apply(
            actor=user,
            ticket_ids=ids,
            action=data.get("action", ""),
            level=level,
            assignee=assignee,
            status=data.get("bulk_status", ""),
            note=data.get("note", ""),
            into=into,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _back_to_list(request)
    if summary.done:
        messages.success(
            request,
            ngettext("Done on %(count)s request.", "Done on %(count)s requests.", len(summary.done))
            % {"count": len(summary.done)},
        )
    for outcome in summary.refused:
        messages.error(
            request,
            _("#%(number)s refused: %(reason)s")
            % {"number": outcome.ticket, "reason": outcome.reason},
        )
    return _back_to_list(request)


@staff_required
@require_POST
def view_save(request: HttpRequest) -> HttpResponse:
    """Save the current search under a name, for oneself or the team."""
    user = current_user(request)
    params = {k: request.POST[k] for k in LIST_PARAMS if k != "view" and request.POST.get(k)}
    try:
        view = workspace_services.view_save(
            actor=user,
            name=request.POST.get("name", ""),
            params=params,
            shared=request.POST.get("shared") == "on",
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _back_to_list(request)
    messages.success(request, _("View saved."))
    return redirect(reverse("console:search") + f"?view={view.pk}")


@staff_required
@require_POST
def view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    user = current_user(request)
    with reporting(request, _("View deleted.")):
        workspace_services.view_delete(actor=user, view=workspace_selectors.view_for(user, view_id))
    return redirect("console:search")


# --- on a request --------------------------------------------------------------------------------


def _ticket_page(ticket: Ticket, query: str) -> HttpResponse:
    url = reverse("console:ticket", args=[ticket.pk])
    return redirect(f"{url}?{query}" if query else url)


def _number(value: str) -> int | None:
    value = value.strip().lstrip("#")
    return int(value) if value.isdigit() and len(value) <= 18 else None


@staff_required
def ticket_next(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The next request of the current list (the view in the URL), or the list at its end."""
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    try:
        filters, _view = current_list(user, request.GET)
    except InvalidInput:
        filters = Filters()
    before, after = neighbours(user, filters, ticket)
    wanted = before if request.GET.get("direction") == "previous" else after
    query = list_query(request.GET)
    if wanted is None:
        messages.info(request, _("That was the last request of this list."))
        return redirect(reverse("console:search") + (f"?{query}" if query else ""))
    return redirect(reverse("console:ticket", args=[wanted]) + (f"?{query}" if query else ""))


@staff_required
@require_POST
def ticket_merge(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Merge this request (a duplicate) into another, given by its number."""
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    number = _number(request.POST.get("into", ""))
    into = selectors.tickets_visible_to(user).filter(pk=number).first() if number else None
    if into is None:
        messages.error(request, _("No such request."))
        return _ticket_page(ticket, list_query(request.POST))
    with reporting(request, _("Merged into #%(number)s.") % {"number": into.pk}):
        merging.ticket_merge(actor=user, duplicate=ticket, into=into)
        return _ticket_page(into, list_query(request.POST))
    return _ticket_page(ticket, list_query(request.POST))


@staff_required
@require_POST
def ticket_link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    number = _number(request.POST.get("other", ""))
    other = selectors.tickets_visible_to(user).filter(pk=number).first() if number else None
    if other is None:
        messages.error(request, _("No such request."))
    else:
        with reporting(request, _("Requests linked.")):
            if request.POST.get("remove"):
                merging.ticket_unlink(actor=user, ticket=ticket, other=other)
            else:
                merging.ticket_link(actor=user, ticket=ticket, other=other)
    return _ticket_page(ticket, list_query(request.POST))


@staff_required
@require_POST
def ticket_macro(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Answer with a macro (its text as edited), then its level and status; "send and next"
    goes on to the next request of the current list."""
    user = current_user(request)
    ticket = selectors.ticket_for(user, ticket_id)
    macro_id = request.POST.get("macro", "")
    if not macro_id.isdigit():
        messages.error(request, _("Choose a macro."))
        return _ticket_page(ticket, list_query(request.POST))
    macro = workspace_selectors.macro_for(user, int(macro_id))
    body = request.POST.get("body", "").strip() or None
    try:
        workspace_services.macro_apply(actor=user, ticket=ticket, macro=macro, body=body)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _ticket_page(ticket, list_query(request.POST))
    messages.success(request, _("Reply sent."))
    query = list_query(request.POST)
    if request.POST.get("then") == "next":
        url = reverse("console:ticket_next", args=[ticket.pk])
        return redirect(f"{url}?{query}" if query else url)
    return _ticket_page(ticket, query)


# --- macros --------------------------------------------------------------------------------------


@staff_required
def macros(request: HttpRequest) -> HttpResponse:
    """One's macros and the team's; write a new one."""
    user = current_user(request)
    values = {
        "name": "",
        "body_fr": "",
        "body_en": "",
        "set_status": "",
        "set_level": "",
        "shared": False,
    }
    error = ""
    if request.method == "POST":
        data = request.POST
        values = {
            "name": data.get("name", ""),
            "body_fr": data.get("body_fr", ""),
            "body_en": data.get("body_en", ""),
            "set_status": data.get("set_status", ""),
            "set_level": data.get("set_level", ""),
            "shared": data.get("shared") == "on",
        }
        try:
            workspace_services.macro_save(
                actor=user,
                name=str(values["name"]),
                body_fr=str(values["body_fr"]),
                body_en=str(values["body_en"]),
                set_status=str(values["set_status"]),
                set_level=int(str(values["set_level"]))
                if str(values["set_level"]).isdigit()
                else None,
                shared=bool(values["shared"]),
            )
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("Macro saved."))
            return redirect("console:macros")
    context = {
        "macros": workspace_selectors.macros_for(user),
        "values": values,
        "error": error,
        "statuses": Status.choices,
        "levels": Level.choices,
        "placeholders": workspace_selectors.PLACEHOLDERS,
    }
    return render(request, "console/workspace/macros.html", context, status=400 if error else 200)


@staff_required
@require_POST
def macro_delete(request: HttpRequest, macro_id: int) -> HttpResponse:
    user = current_user(request)
    with reporting(request, _("Macro deleted.")):
        workspace_services.macro_delete(
            actor=user, macro=workspace_selectors.macro_for(user, macro_id)
        )
    return redirect("console:macros")
