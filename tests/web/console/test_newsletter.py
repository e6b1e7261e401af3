"""The newsletter in the console: a manager drafts, previews, tests and sends an issue and
watches it go out; staff record consent given on the phone and read an address's ledger."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from soutien.contracts.services import contract_create
from soutien.newsletter import issues, selectors
from soutien.newsletter.models import (
    ConsentText,
    Issue,
    ResolvedProblem,
    Subscriber,
    Suppression,
)
from soutien.ticketing import services as ticketing
from tests import factories
from tests.newsletter.fixtures import *  # noqa: F403  (consent_text, sender)
from tests.newsletter.fixtures import subscribed
from tests.web.helpers import signed_in


def _sections(*rows: dict[str, str]) -> dict[str, str]:
    data = {
        "sections-TOTAL_FORMS": str(len(rows)),
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "20",
    }
    for n, row in enumerate(rows):
        data.update({f"sections-{n}-{key}": value for key, value in row.items()})
    return data


@time_machine.travel(date(2026, 11, 20))
def test_a_manager_drafts_edits_previews_and_sends_this_months_issue(
    manager, tech1, sender, django_capture_on_commit_callbacks, mailoutbox
):
    subscribed("lise@ville.example", staff=tech1)
    console = signed_in(manager)
    assert console.get("/console/infolettre/").status_code == 200
    started = console.post("/console/infolettre/brouillon/", {"month": "2026-11"})
    issue = Issue.objects.get()
    assert started["Location"] == f"/console/infolettre/numeros/{issue.pk}/"
    page = console.get(started["Location"])
    assert page.status_code == 200

    invalid = console.post(started["Location"], {"subject_fr": "", "subject_en": "x",
                                                 **_sections()})  # fmt: skip
    assert invalid.status_code == 400
    saved = console.post(
        started["Location"],
        {"subject_fr": "Novembre", "subject_en": "November", "intro_fr": "Bonjour.",
         "intro_en": "Hello.", **_sections({"topic": "news", "title_fr": "Nouvelles",
                                            "title_en": "News", "body_fr": "4.2 est sortie.",
                                            "body_en": "4.2 is out."})},
    )  # fmt: skip
    assert saved.status_code == 302
    issue.refresh_from_db()
    assert (issue.subject_fr, issue.sections.get().body_en) == ("Novembre", "4.2 is out.")

    preview = console.get(f"/console/infolettre/numeros/{issue.pk}/apercu/en/")
    assert preview.status_code == 200
    assert b"4.2 is out." in preview.content
    assert b"1234, rue Sherbrooke Ouest" in preview.content

    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"/console/infolettre/numeros/{issue.pk}/test/")
    assert [m.to for m in mailoutbox] == [[manager.email], [manager.email]]
    with django_capture_on_commit_callbacks(execute=True):
        sent = console.post(f"/console/infolettre/numeros/{issue.pk}/envoyer/", follow=True)
    assert "Sending started" in sent.content.decode() or "Envoi commencé" in sent.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert mailoutbox[-1].to == ["lise@ville.example"]
    progress = console.get(f"/console/infolettre/numeros/{issue.pk}/progression/")
    assert progress.status_code == 200
    assert b"hx-get" not in progress.content  # sent: nothing left to poll
    again = console.post(f"/console/infolettre/numeros/{issue.pk}/envoyer/", follow=True)
    assert again.status_code == 200
    assert len(mailoutbox) == 3


def test_the_progress_polls_while_the_issue_is_being_sent(manager, tech1, sender):
    subscribed("lise@ville.example", staff=tech1)
    issue = Issue.objects.create(month=date(2026, 11, 1), subject_fr="a", subject_en="b",
                                 intro_fr="a", intro_en="b")  # fmt: skip
    issues.issue_send(actor=manager, issue=issue)  # its senders' tasks have not run
    response = signed_in(manager).get(
        f"/console/infolettre/numeros/{issue.pk}/progression/", headers={"HX-Request": "true"}
    )
    assert b'hx-trigger="every 2s"' in response.content
    assert selectors.progress_of(issue).left == 1


def test_a_technician_records_consent_given_on_the_phone_and_reads_the_ledger(tech1, consent_text):
    console = signed_in(tech1)
    assert console.get("/console/infolettre/abonnes/").status_code == 200
    refused = console.post(
        "/console/infolettre/abonnes/nouveau/",
        {"email": "nadia@clinique.example", "language": "fr", "text_version": "2026-11"},
    )
    assert refused.status_code == 400  # the box "the person agreed" was not checked
    done = console.post(
        "/console/infolettre/abonnes/nouveau/",
        {"email": "nadia@clinique.example", "language": "fr", "text_version": "2026-11",
         "said_yes": "on"},
    )  # fmt: skip
    subscriber = selectors.subscribers()[0]
    assert done["Location"] == f"/console/infolettre/abonnes/{subscriber.pk}/"
    ledger = console.get(done["Location"]).content.decode()
    assert tech1.display_name in ledger
    assert "2026-11" in ledger
    console.post(f"/console/infolettre/abonnes/{subscriber.pk}/desabonner/")
    assert not selectors.consenting().filter(pk=subscriber.pk).exists()


def test_implied_consent_is_recorded_from_the_relationship_with_its_expiry(
    tech1, manager, org, contact, consent_text
):
    contract_create(actor=manager, organization=org, reference="LIC-7",
                    starts_on=date(2025, 4, 1), ends_on=date(2027, 3, 31))  # fmt: skip
    subscriber = Subscriber.objects.create(email=contact.email.lower(), person=contact)
    console = signed_in(tech1)
    console.post(f"/console/infolettre/abonnes/{subscriber.pk}/tacite/", {"source": "contract"})
    state = selectors.state_of(subscriber)
    assert (state.basis, state.until.date()) == ("implied", date(2029, 3, 31))


def test_a_technician_cannot_open_the_issues_or_settings(tech1, consent_text):
    console = signed_in(tech1)
    assert console.get("/console/infolettre/")["Location"] == "/console/"
    assert (
        console.get("/console/infolettre/reglages/")["Location"] == "/console/infolettre/abonnes/"
    )
    assert console.post("/console/infolettre/brouillon/", {"month": "2026-11"}).status_code == 302
    assert not Issue.objects.exists()


def test_clients_get_nothing_of_the_console(contact):
    assert signed_in(contact).get("/console/infolettre/abonnes/")["Location"] == "/portail/"


def test_a_manager_marks_a_resolved_problem_worth_telling(manager, tech2, contact):
    ticket = factories.ticket(contact=contact, subject="Synchronisation des profils")
    ticketing.ticket_update(actor=manager, ticket=ticket, level=2, assignee=tech2)
    ticketing.ticket_change_status(actor=tech2, ticket=ticket, status="resolved")
    console = signed_in(manager)
    assert ticket.subject in console.get("/console/infolettre/problemes/").content.decode()
    console.post(
        f"/console/infolettre/problemes/demandes/{ticket.pk}/",
        {"title_fr": "Profils", "title_en": "Profiles", "summary_fr": "Corrigé.",
         "summary_en": "Fixed."},
    )  # fmt: skip
    problem = ResolvedProblem.objects.get()
    assert problem.ticket == ticket
    console.post(f"/console/infolettre/problemes/{problem.pk}/retirer/")
    assert not ResolvedProblem.objects.exists()


def test_settings_require_the_postal_address_and_keep_every_consent_text(manager):
    console = signed_in(manager)
    assert console.get("/console/infolettre/reglages/").status_code == 200
    refused = console.post(
        "/console/infolettre/reglages/",
        {"sender_name": "EBI", "postal_address": "", "reach": "x", "batch_size": 100,
         "rate_per_minute": 600, "senders": 2},
    )  # fmt: skip
    assert refused.status_code == 400
    console.post("/console/infolettre/reglages/textes/",
                 {"version": "v1", "text_fr": "Oui.", "text_en": "Yes."})  # fmt: skip
    again = console.post("/console/infolettre/reglages/textes/",
                         {"version": "v1", "text_fr": "Autre.", "text_en": "Other."})  # fmt: skip
    assert again.status_code == 400
    assert ConsentText.objects.get().text_fr == "Oui."
    console.post("/console/infolettre/reglages/exclusions/", {"email": "Plainte@X.example"})
    suppression = Suppression.objects.get()
    assert suppression.email == "plainte@x.example"
    console.post(f"/console/infolettre/reglages/exclusions/{suppression.pk}/retirer/")
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_preview_is_only_for_managers_and_a_known_language(manager, tech1, language):
    issue = Issue.objects.create(month=date(2026, 11, 1), subject_fr="a", subject_en="b")
    path = f"/console/infolettre/numeros/{issue.pk}/apercu/"
    assert signed_in(manager).get(f"{path}{language}/").status_code == 200
    assert signed_in(manager).get(f"{path}de/").status_code == 404
    assert signed_in(tech1).get(f"{path}{language}/").status_code == 302
