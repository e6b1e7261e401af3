"""The console's queues: requests to triage, by level, one's own, all."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from soutien.accounts.models import User
from soutien.presence import selectors as presence_selectors
from soutien.reports.desk import REPORT_PARAMS, requests_behind
from soutien.satisfaction import selectors as satisfaction_selectors
from soutien.ticketing import selectors
from soutien.ticketing.models import ACTIVE_STATUSES, Ticket
from soutien.web.access import current_user, staff_required
from soutien.web.clock import with_clocks
from soutien.web.paging import page_number

PAGE_SIZE = 25
QUEUES = {
    "triage": gettext_lazy("To triage"),
    "1": gettext_lazy("Level 1"),
    "2": gettext_lazy("Level 2"),
    "3": gettext_lazy("Level 3"),
    "mine": gettext_lazy("Mine"),
    "all": gettext_lazy("All requests"),
}
# Managers decide the satisfaction guarantees: the requests with one awaiting their decision.
MANAGER_QUEUES = {"guarantee": gettext_lazy("Guarantee pending")}
SORTS: dict[str, list[Any]] = {
    "due": [F("first_response_due").asc(nulls_last=True), "id"],
    "received": ["-received_at", "-id"],
    "updated": ["-updated_at", "-id"],
}


def _queue_tickets(user: User, queue: str) -> QuerySet[Ticket]:
    qs = selectors.tickets_visible_to(user).select_related("organization", "assignee")
    if queue == "all":
        return qs
    if queue == "guarantee":
        # Whatever the request's status: a resolved request's guarantee awaits a decision too.
        pending = satisfaction_selectors.pending_guarantees().filter(ticket_id=OuterRef("pk"))
        return qs.filter(
            pk__in=satisfaction_selectors.tickets_awaiting_a_decision().values("ticket_id")
        ).annotate(decide_by=Subquery(pending.order_by("decide_by").values("decide_by")[:1]))
    qs = qs.filter(status__in=ACTIVE_STATUSES)
    if queue == "triage":
        return qs.filter(level__isnull=True)
    if queue == "mine":
        return qs.filter(assignee=user)
    return qs.filter(level=int(queue))


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    name = request.GET.get("queue") or "triage"
    queues = {**QUEUES, **MANAGER_QUEUES} if user.is_manager else QUEUES
    if name not in queues:
        raise Http404
    sort = request.GET.get("sort") or ("received" if name == "all" else "due")
    if sort not in SORTS:
        sort = "due"
    page = page_number(request)
    start = (page - 1) * PAGE_SIZE
    qs = _queue_tickets(user, name)
    # The requests behind a figure of a manager's report (its link carries `report=...`).
    report_query = ""
    if request.GET.get("report") and user.is_manager:
        behind = requests_behind(request.GET)
        if behind is not None:
            qs = qs.filter(pk__in=behind.values("pk"))
            kept = {k: v for k, v in request.GET.items() if k in REPORT_PARAMS}
            report_query = "&" + urlencode(kept)
    # A guarantee's queue by default the soonest decision due first.
    order = ["decide_by", "id"] if name == "guarantee" and sort == "due" else SORTS[sort]
    rows = list(qs.order_by(*order)[start : start + PAGE_SIZE + 1])
    on = presence_selectors.on_tickets(ticket_ids=[t.pk for t in rows[:PAGE_SIZE]], viewer=user)
    for ticket in rows[:PAGE_SIZE]:
        ticket.people_on = on.get(ticket.pk, [])  # type: ignore[attr-defined]
    context = {
        "queues": queues,
        "queue": name,
        "sort": sort,
        "tickets": with_clocks(rows[:PAGE_SIZE]),
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "report_query": report_query,
        "statement_guarantees": (
            satisfaction_selectors.statement_guarantees_pending() if name == "guarantee" else 0
        ),
    }
    template = "console/_queue_table.html" if request.htmx else "console/queue.html"  # type: ignore[attr-defined]
    return render(request, template, context)
