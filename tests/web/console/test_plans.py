"""The plans a manager offers."""

from __future__ import annotations

from soutien.contracts.models import Plan
from soutien.sla.models import ServiceCalendar
from tests.web.helpers import signed_in


def test_manager_creates_a_custom_plan(manager):
    calendar = ServiceCalendar.objects.get(name="24/7")
    r = signed_in(manager).post(
        "/console/reglages/forfaits/nouveau/",
        {
            "code": "perso-ville",
            "name_fr": "Support personnalisé Ville",
            "minutes": "3000",
            "calendar": calendar.pk,
            "services": ["teleconference", "training"],
            "is_custom": "on",
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = Plan.objects.get(code="perso-ville")
    assert plan.services == ["teleconference", "training"]
    assert plan.is_custom
