"""What the web tests share: signed-in clients and the moments their scenes happen at."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.test import Client

from soutien.accounts.models import User

EASTERN = ZoneInfo("America/Toronto")
# Hour-bank scenes: Tuesday 1 December 2026 at noon.
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=EASTERN)
# Service-clock scenes: the request came in that Tuesday at 10:15.
RECEIVED = datetime(2026, 12, 1, 10, 15, tzinfo=EASTERN)


def text_of(response: HttpResponse) -> str:
    """A page as its reader sees it: entities such as &#x27; turned back into characters."""
    return html.unescape(response.content.decode())


def signed_in(user: User) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client
