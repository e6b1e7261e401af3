"""Development agreements in the console: the editor, each step, the queues, the settings."""

from __future__ import annotations

import pytest

from soutien.agreements import services
from soutien.agreements.models import Agreement, Delegate, Milestone, State
from tests.agreements.fixtures import *  # noqa: F403  (frozen, tech3, lead, level3, agreed)
from tests.agreements.fixtures import draft, walk
from tests.web.helpers import signed_in, text_of

FORM = {
    "solution": "Corriger la **synchronisation**.",
    "estimate_hours": "12.5",
    "delivery_on": "2027-01-15",
    "payment": "banks",
    "quoted_hours": "",
    "quoted_amount": "",
    "language": "fr",
    "m-TOTAL_FORMS": "3",
    "m-INITIAL_FORMS": "0",
    "m-0-title": "Analyse",
    "m-0-due_on": "2026-12-11",
    "m-1-title": "",
    "m-1-due_on": "",
    "m-2-title": "",
    "m-2-due_on": "",
}


def test_a_technician_writes_an_agreement_from_a_level_3_request(level3, tech3):
    console = signed_in(tech3)
    page = text_of(console.get(f"/console/demandes/{level3.pk}/"))
    assert f"/console/demandes/{level3.pk}/entente/" in page
    r = console.post(f"/console/demandes/{level3.pk}/entente/", FORM)
    assert r.status_code == 302, text_of(r)[:2000]
    agreement = Agreement.objects.get()
    assert r["Location"] == f"/console/ententes/{agreement.pk}/"
    assert (agreement.current.estimate_minutes, agreement.state) == (750, State.DRAFT)
    assert list(agreement.milestones.values_list("title", flat=True)) == ["Analyse"]
    detail = text_of(console.get(r["Location"]))
    assert "<strong>synchronisation</strong>" in detail
    assert "Proposer au responsable du développement" in detail


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"m-0-due_on": "2027-02-01"}, "tombe après la date de livraison"),
        ({"estimate_hours": "-3"}, "L'estimation est un nombre positif de minutes."),
        ({"delivery_on": "2026-11-01"}, "La date de livraison est passée."),
        ({"m-1-title": "Sans date"}, "Indiquez la date du jalon."),
        ({"payment": "quoted"}, "Un devis précise soit un nombre de minutes, soit un montant."),
    ],
)
def test_the_editor_shows_each_refusal_on_the_form(level3, tech3, change, where):
    r = signed_in(tech3).post(f"/console/demandes/{level3.pk}/entente/", {**FORM, **change})
    assert r.status_code == 400
    assert where in text_of(r)
    assert not Agreement.objects.exists()


def test_a_change_of_content_is_saved_as_a_new_version(level3, tech3):
    agreement = draft(level3, tech3)
    console = signed_in(tech3)
    editor = text_of(console.get(f"/console/ententes/{agreement.pk}/modifier/"))
    kept = Milestone.objects.filter(agreement=agreement).order_by("due_on")
    assert f'value="{kept[0].pk}"' in editor
    assert 'value="2027-01-15"' in editor  # the browser's date field reads ISO dates
    form = {
        **FORM,
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "2",
        "m-0-id": str(kept[0].pk),
        "m-0-title": kept[0].title,
        "m-0-due_on": "2026-12-11",
        "m-1-id": str(kept[1].pk),
        "m-1-title": kept[1].title,
        "m-1-due_on": "2027-01-08",
    }
    assert console.post(f"/console/ententes/{agreement.pk}/modifier/", form).status_code == 302
    again = console.post(f"/console/ententes/{agreement.pk}/modifier/", form, follow=True)
    assert "Rien n'a changé." in text_of(again)
    agreement.refresh_from_db()
    assert agreement.version == 2
    assert set(agreement.milestones.values_list("pk", flat=True)) == {m.pk for m in kept}


def test_the_development_lead_approves_from_the_queue(level3, tech3, lead):
    agreement = walk(draft(level3, tech3), (tech3, "propose"))
    technician = text_of(signed_in(tech3).get(f"/console/ententes/{agreement.pk}/"))
    assert "Approuver la version 1" not in technician
    console = signed_in(lead)
    queue = text_of(console.get("/console/ententes/"))
    assert f"/console/ententes/{agreement.pk}/" in queue
    assert "Approuver la version 1" in text_of(console.get(f"/console/ententes/{agreement.pk}/"))
    r = console.post(
        f"/console/ententes/{agreement.pk}/etape/", {"action": "approve", "version": "1"}
    )
    assert r.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).state == State.APPROVED


def test_a_step_refused_is_shown_on_its_form(level3, tech3):
    agreement = draft(level3, tech3)
    console = signed_in(tech3)
    r = console.post(f"/console/ententes/{agreement.pk}/etape/", {"action": "cancel"})
    assert r.status_code == 400
    assert "Donnez un motif." in text_of(r)
    wrong = console.post(f"/console/ententes/{agreement.pk}/etape/", {"action": "send"})
    assert wrong.status_code == 400
    assert "n'est pas possible" in text_of(wrong)
    assert Agreement.objects.get(pk=agreement.pk).state == State.DRAFT


def test_production_shows_the_next_milestone_and_it_is_marked_done(agreed, tech3, lead):
    walk(agreed, (tech3, "start"))
    console = signed_in(tech3)
    listing = text_of(console.get("/console/ententes/"))
    assert "Analyse du module de synchronisation" in listing
    first = Milestone.objects.filter(agreement=agreed).order_by("due_on").first()
    r = console.post(f"/console/ententes/{agreed.pk}/jalons/{first.pk}/fait/", follow=True)
    assert "Jalon marqué comme fait." in text_of(r)
    assert "Correctif en préproduction" in text_of(console.get("/console/ententes/"))
    assert signed_in(lead).get("/console/ententes/").status_code == 200


def test_each_version_downloads_as_a_pdf(agreed, tech3):
    r = signed_in(tech3).get(f"/console/ententes/{agreed.pk}/versions/1/pdf/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert signed_in(tech3).get(f"/console/ententes/{agreed.pk}/versions/9/pdf/").status_code == 404


def test_the_request_shows_its_resolution_target_beside_the_first_response(agreed, tech3):
    console = signed_in(tech3)
    page = text_of(console.get(f"/console/demandes/{agreed.ticket_id}/"))
    assert "Résolution promise le" in page
    assert f"Entente de développement no {agreed.pk}, version 1" in page
    clock = text_of(console.get(f"/console/demandes/{agreed.ticket_id}/horloge/"))
    assert "Résolution :" in clock
    assert "45 j" in clock  # 1 December 10:00 to 15 January 17:00
    queue = text_of(console.get("/console/?queue=3"))
    assert "Résolution :" in queue


def test_a_manager_names_a_delegate_and_sets_the_delay(manager, tech1):
    console = signed_in(manager)
    assert console.get("/console/ententes/reglages/").status_code == 200
    r = console.post("/console/ententes/delegues/", {"d-user": str(tech1.pk)})
    assert r.status_code == 302
    delegate = Delegate.objects.get(user=tech1)
    assert (
        console.post("/console/ententes/reglages/", {"s-confirm_after_days": "0"}).status_code
        == 400
    )
    assert (
        console.post("/console/ententes/reglages/", {"s-confirm_after_days": "3"}).status_code
        == 302
    )
    assert services.settings_now().confirm_after_days == 3
    console.post(f"/console/ententes/delegues/{delegate.pk}/revoquer/")
    assert Delegate.objects.get(pk=delegate.pk).revoked_at is not None


def test_only_managers_reach_the_settings(tech3):
    r = signed_in(tech3).get("/console/ententes/reglages/")
    assert r.status_code == 302


def test_the_pages_read_in_english(agreed, tech3):
    tech3.language = "en"
    console = signed_in(tech3)
    page = text_of(
        console.get(f"/console/ententes/{agreed.pk}/", headers={"Accept-Language": "en"})
    )
    assert "Production schedule" in page
    assert "Start production" in page
