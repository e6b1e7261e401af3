"""The privacy page (Law 25): who is in charge of personal information and how to reach them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from soutien.accounts.privacy_officer import current


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "public/privacy.html", {"officer": current()})
