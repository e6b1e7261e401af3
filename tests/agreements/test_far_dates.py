"""An agreement delivered in 2150, or a milestone in 1999, is a typing error: 422 naming the field."""

from __future__ import annotations

from soutien.agreements.models import Agreement
from tests.agreements.fixtures import CONTENT


def test_a_delivery_after_2100_is_refused(api_as, tech3, level3):
    r = api_as(tech3).post(
        f"tickets/{level3.pk}/agreements", {**CONTENT, "delivery_on": "2150-01-15"}
    )
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "delivery_on"
    assert not Agreement.objects.exists()


def test_a_milestone_before_2000_is_refused(api_as, tech3, level3):
    milestones = [{"title": "Analyse", "due_on": "1999-12-11"}]
    r = api_as(tech3).post(f"tickets/{level3.pk}/agreements", {**CONTENT, "milestones": milestones})
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "milestones"
    assert not Agreement.objects.exists()
