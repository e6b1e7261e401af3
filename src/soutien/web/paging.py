"""The page number of a paged list, and the current list of requests, read from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

LAST_PAGE = 10_000


def page_number(request: HttpRequest) -> int:
    """`?page=`, from 1 to LAST_PAGE; 1 when absent or not a number."""
    try:
        return max(1, min(int(request.GET.get("page", "1")), LAST_PAGE))
    except ValueError:
        return 1


# What of a URL names the technician's current list of requests: a saved view, a console queue,
# or the search filters themselves. Carried from the list to each request and to "next request".
LIST_PARAMS = (
    "view", "queue", "sort", "q", "status", "level", "organization", "assignee", "channel",
    "received_from", "received_to", "sla", "ordering",
)  # fmt: skip


def list_query(params: Mapping[str, Any]) -> str:
    """The part of a query string that names the current list (to carry it along)."""
    return urlencode({k: params[k] for k in LIST_PARAMS if params.get(k)})
