"""The manager's settings: service calendars, closures, the published policy."""

from __future__ import annotations

from datetime import datetime

from soutien.sla.models import Closure, Policy, ServiceCalendar
from tests.web.helpers import EASTERN, signed_in


def test_manager_edits_a_calendar_with_a_lunch_break(manager, django_capture_on_commit_callbacks):
    web = signed_in(manager)
    form = {
        "name": "Base plus",
        "time_zone": "America/Toronto",
        "holiday_country": "CA",
        "holiday_subdivision": "QC",
        **{f"day_{d}": "08:30-12:30, 13h00-17h00" for d in range(5)},
        "day_5": "",
        "day_6": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = web.post("/console/reglages/calendriers/nouveau/", form)
    assert r.status_code == 302, r.content.decode()[:3000]
    calendar = ServiceCalendar.objects.get(name="Base plus")
    assert calendar.windows["0"] == [[510, 750], [780, 1020]]
    page = web.get(r["Location"]).content.decode()
    assert "Fête nationale du Québec" in page
    assert "08:30-12:30, 13:00-17:00" in page


def test_bad_hours_are_a_form_error(manager):
    r = signed_in(manager).post(
        "/console/reglages/calendriers/nouveau/",
        {"name": "Cassé", "time_zone": "America/Toronto", "day_0": "17:00-08:00"},
    )
    assert r.status_code == 400
    assert not ServiceCalendar.objects.filter(name="Cassé").exists()
    r = signed_in(manager).post(
        "/console/reglages/calendriers/nouveau/",
        {"name": "Zone", "time_zone": "Mars/Olympus", "day_0": "08:00-09:00"},
    )
    assert r.status_code == 400


def test_manager_adds_and_removes_a_closure(manager, django_capture_on_commit_callbacks):
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    web = signed_in(manager)
    with django_capture_on_commit_callbacks(execute=True):
        web.post(
            f"/console/reglages/calendriers/{standard.pk}/fermetures/",
            {"day": "2026-12-24", "reason": "Veille de Noël"},
        )
    closure = Closure.objects.get()
    assert closure.reason == "Veille de Noël"
    assert (
        "Veille de Noël"
        in web.get(f"/console/reglages/calendriers/{standard.pk}/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        web.post(f"/console/reglages/calendriers/{standard.pk}/fermetures/{closure.pk}/retirer/")
    assert not Closure.objects.exists()


def test_manager_publishes_a_policy_version(manager, django_capture_on_commit_callbacks):
    web = signed_in(manager)
    standard = ServiceCalendar.objects.get(name="Heures normales de service")
    assert (
        "Politique de soutien technique" in web.get("/console/reglages/politique/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = web.post(
            "/console/reglages/politique/",
            {
                "effective_from": "2027-01-01T00:00",
                "calendar": standard.pk,
                "minutes_untriaged": 45,
                "minutes_level_1": 45,
                "minutes_level_2": 240,
                "minutes_level_3": 45,
                "text_fr": "Politique 2027",
                "text_en": "Policy 2027",
            },
        )
    assert r.status_code == 302
    newest = Policy.objects.order_by("-effective_from").first()
    assert newest.minutes_level_2 == 240
    assert newest.effective_from == datetime(2027, 1, 1, tzinfo=EASTERN)
