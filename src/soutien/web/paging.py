"""The page number of a paged list, read from the query string."""

from __future__ import annotations

from django.http import HttpRequest

LAST_PAGE = 10_000


def page_number(request: HttpRequest) -> int:
    """`?page=`, from 1 to LAST_PAGE; 1 when absent or not a number."""
    try:
        return max(1, min(int(request.GET.get("page", "1")), LAST_PAGE))
    except ValueError:
        return 1
