"""The public support page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from soutien.kb.selectors import support_page_context
from soutien.sla.engine import snapshot
from soutien.sla.selectors import support_hours_status
from soutien.training.models import Place, Subject


def support_page(request: HttpRequest) -> HttpResponse:
    """The public support page: service hours, open now or next opening, the published policy."""
    status = support_hours_status()
    snap = snapshot()
    policy = snap.policy_at(timezone.now())
    calendar = snap.rows.get(policy.calendar_id) if policy else None
    return render(
        request,
        "public/support.html",
        {
            "status": status,
            "policy": policy,
            "policy_text": policy.text(get_language() or "fr") if policy else "",
            "calendar": calendar,
            "training_subjects": Subject.choices,
            "training_places": Place.choices,
            **support_page_context(get_language() or "fr"),
        },
    )
