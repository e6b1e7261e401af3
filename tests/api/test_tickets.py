from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from soutien.api.v1.tickets import TicketOut, ticket_json
from soutien.ticketing.models import Event, Message, Status, Ticket
from soutien.ticketing.services import ticket_set_level
from tests import factories

EASTERN = ZoneInfo("America/Toronto")


def test_staff_files_a_request_received_in_the_past(api_as, manager, contact, org):
    received = datetime(2026, 11, 24, 10, 15, tzinfo=EASTERN)
    r = api_as(manager).post(
        "tickets",
        {
            "organization": org.pk,
            "contact": contact.pk,
            "subject": "Mise en page décalée",
            "body": "Les colonnes se chevauchent.",
            "channel": "phone",
            "received_at": received.isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == str(body["id"])
    assert body["status"] == "new"
    assert body["level"] is None
    assert datetime.fromisoformat(body["received_at"]) == received
    assert set(body["sla"]) == {
        "first_response_due",
        "first_responded_at",
        "breached",
        "governing_terms",
        "resolution_due",
        "resolution_terms",
    }
    assert body["sla"]["resolution_due"] is None
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.channel == "phone"
    assert ticket.events.filter(action=Event.Action.CREATED, actor=manager).exists()


def test_client_files_a_request_for_itself_without_naming_organization(api_as, contact, org):
    r = api_as(contact).post(
        "tickets", {"subject": "Dépôt impossible", "body": "Le bouton est grisé."}
    )
    assert r.status_code == 201, r.content
    assert r.json()["organization"] == org.pk
    assert r.json()["contact"] == contact.pk
    assert r.json()["channel"] == "web"


def test_client_cannot_backdate_a_request(api_as, contact):
    past = (timezone.now() - timedelta(days=2)).isoformat()
    r = api_as(contact).post("tickets", {"subject": "Vieux", "received_at": past})
    assert r.status_code == 403
    assert "detail" in r.json()
    assert not Ticket.objects.exists()


def test_nobody_files_a_request_received_in_the_future(api_as, manager, contact, org):
    future = (timezone.now() + timedelta(hours=3)).isoformat()
    r = api_as(manager).post(
        "tickets",
        {"organization": org.pk, "contact": contact.pk, "subject": "Demain", "received_at": future},
    )
    assert r.status_code == 422
    assert r.json()["field"] == "received_at"


def test_naive_received_at_is_refused_with_a_clear_message(api_as, manager, contact, org):
    r = api_as(manager).post(
        "tickets",
        {
            "organization": org.pk,
            "contact": contact.pk,
            "subject": "x",
            "received_at": "2026-11-02T10:00:00",
        },
    )
    assert r.status_code == 422
    assert "offset" in r.json()["detail"].lower() or "utc" in r.json()["detail"].lower()


def test_contact_of_another_organization_is_refused(api_as, manager, org, other_org):
    stranger = factories.contact(other_org)
    r = api_as(manager).post(
        "tickets", {"organization": org.pk, "contact": stranger.pk, "subject": "x"}
    )
    assert r.status_code == 404
    assert not Ticket.objects.exists()


def test_client_can_only_use_the_web_channel(api_as, contact):
    r = api_as(contact).post("tickets", {"subject": "Appel", "channel": "phone"})
    assert r.status_code == 422


def test_triage_opens_the_request_and_assigns_a_qualified_technician(
    api_as, manager, contact, tech1, tech2
):
    ticket = factories.ticket(contact=contact)
    r = api_as(manager).patch(f"tickets/{ticket.pk}", {"level": 2})
    assert r.status_code == 200, r.content
    assert r.json()["level"] == 2
    assert r.json()["status"] == "open"
    assert r.json()["assignee"] == tech2.pk
    assert r.json()["assignee_name"] == "Tina Second"
    actions = list(Ticket.objects.get(pk=ticket.pk).events.values_list("action", flat=True))
    assert actions == ["created", "status", "level", "assigned"]


def test_manual_assignment_requires_a_qualified_technician(api_as, manager, contact, tech1, tech2):
    ticket = factories.ticket(contact=contact)
    api_as(manager).patch(f"tickets/{ticket.pk}", {"level": 2})
    r = api_as(manager).patch(f"tickets/{ticket.pk}", {"assignee": tech1.pk})
    assert r.status_code == 422
    assert r.json()["field"] == "assignee"
    assert Ticket.objects.get(pk=ticket.pk).assignee == tech2


def test_assignee_null_unassigns_and_auto_reassigns(api_as, manager, contact, tech2):
    ticket = factories.ticket(contact=contact)
    api = api_as(manager)
    api.patch(f"tickets/{ticket.pk}", {"level": 2})
    assert api.patch(f"tickets/{ticket.pk}", {"assignee": None}).json()["assignee"] is None
    assert api.patch(f"tickets/{ticket.pk}", {"assignee": "auto"}).json()["assignee"] == tech2.pk


def test_status_patch_follows_the_lifecycle(api_as, manager, contact):
    ticket = factories.ticket(contact=contact)
    api = api_as(manager)
    r = api.patch(f"tickets/{ticket.pk}", {"status": "waiting"})
    assert r.status_code == 422, "an untriaged request cannot wait on the client"
    api.patch(f"tickets/{ticket.pk}", {"level": 1})
    assert api.patch(f"tickets/{ticket.pk}", {"status": "waiting"}).json()["status"] == "waiting"
    r = api.patch(f"tickets/{ticket.pk}", {"status": "resolved"})
    assert r.json()["status"] == "resolved"
    assert r.json()["resolved_at"] is not None
    r = api.patch(f"tickets/{ticket.pk}", {"status": "closed"})
    assert r.json()["closed_at"] is not None


def test_patch_is_all_or_nothing(api_as, manager, contact, tech1):
    ticket = factories.ticket(contact=contact)
    r = api_as(manager).patch(f"tickets/{ticket.pk}", {"level": 1, "status": "new"})
    assert r.status_code == 422
    assert Ticket.objects.get(pk=ticket.pk).level is None


def test_client_cannot_triage(api_as, contact):
    ticket = factories.ticket(contact=contact)
    r = api_as(contact).patch(f"tickets/{ticket.pk}", {"level": 1})
    assert r.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).level is None


def test_client_can_mark_its_request_resolved(api_as, contact):
    ticket = factories.ticket(contact=contact)
    r = api_as(contact).patch(f"tickets/{ticket.pk}", {"status": "resolved"})
    assert r.status_code == 200
    assert r.json()["status"] == "resolved"
    assert api_as(contact).patch(f"tickets/{ticket.pk}", {"status": "open"}).status_code == 403


def test_list_filters_and_orders_by_sla_due(api_as, manager, contact, tech1):
    now = timezone.now()
    first = factories.ticket(contact=contact, subject="premier")
    second = factories.ticket(contact=contact, subject="second")
    third = factories.ticket(contact=contact, subject="troisième")
    Ticket.objects.filter(pk=first.pk).update(first_response_due=now + timedelta(hours=3))
    Ticket.objects.filter(pk=second.pk).update(first_response_due=now + timedelta(hours=1))
    api = api_as(manager)
    api.patch(f"tickets/{third.pk}", {"level": 1})
    r = api.get("tickets?ordering=sla_due&status=new")
    assert r.status_code == 200
    assert [t["subject"] for t in r.json()["items"]] == ["second", "premier"]
    r = api.get("tickets?level=1")
    assert [t["id"] for t in r.json()["items"]] == [third.pk]
    r = api.get("tickets?level=none&status=new,open")
    assert {t["id"] for t in r.json()["items"]} == {first.pk, second.pk}
    r = api.get(f"tickets?assignee=me&organization={contact.organization_id}")
    assert r.json()["items"] == []
    assert api.get("tickets?assignee=none").json()["items"][0]["assignee"] is None


def test_list_is_paginated_without_counting(api_as, manager, contact):
    for n in range(5):
        factories.ticket(contact=contact, subject=f"Demande {n}")
    api = api_as(manager)
    r = api.get("tickets?page_size=2")
    body = r.json()
    assert len(body["items"]) == 2
    assert body["has_next"] is True
    assert "page=2" in body["next"]
    last = api.get("tickets?page_size=2&page=3").json()
    assert len(last["items"]) == 1
    assert last["has_next"] is False
    assert last["next"] is None


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "level=7",
        "ordering=random",
        "page=0",
        "page_size=5000",
        "assignee=someone",
        "organization=abc",
    ],
)
def test_bad_list_filters_are_4xx_with_detail(api_as, manager, query):
    r = api_as(manager).get(f"tickets?{query}")
    assert 400 <= r.status_code < 500
    assert "detail" in r.json()


def test_staff_reply_note_and_call_are_messages(api_as, tech1, contact):
    ticket = factories.ticket(contact=contact)
    api = api_as(tech1)
    r = api.post(
        f"tickets/{ticket.pk}/messages", {"body": "Bonjour, nous regardons.", "kind": "reply"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "reply"
    assert (
        api.post(
            f"tickets/{ticket.pk}/messages", {"body": "Vérifier le cron", "kind": "note"}
        ).status_code
        == 201
    )
    started = (timezone.now() - timedelta(minutes=30)).isoformat()
    r = api.post(
        f"tickets/{ticket.pk}/messages",
        {"body": "Appelé le client", "kind": "phone_call", "at": started, "duration_minutes": 12},
    )
    assert r.status_code == 201, r.content
    assert r.json()["direction"] == "outbound"
    assert r.json()["duration_minutes"] == 12
    assert datetime.fromisoformat(r.json()["at"]) == datetime.fromisoformat(started)
    kinds = [m["kind"] for m in api.get(f"tickets/{ticket.pk}/messages").json()]
    assert kinds == ["phone_call", "reply", "note"], "messages are in the order they happened"


def test_phone_call_needs_a_duration(api_as, tech1, contact):
    ticket = factories.ticket(contact=contact)
    r = api_as(tech1).post(f"tickets/{ticket.pk}/messages", {"body": "Appel", "kind": "phone_call"})
    assert r.status_code == 422
    assert r.json()["field"] == "duration_minutes"


def test_client_message_never_shows_internal_notes(api_as, tech1, contact):
    ticket = factories.ticket(contact=contact)
    api_as(tech1).post(f"tickets/{ticket.pk}/messages", {"body": "secret interne", "kind": "note"})
    client_api = api_as(contact)
    r = client_api.post(f"tickets/{ticket.pk}/messages", {"body": "Des nouvelles?"})
    assert r.status_code == 201
    assert r.json()["kind"] == "client"
    bodies = [m["body"] for m in client_api.get(f"tickets/{ticket.pk}/messages").json()]
    assert bodies == ["Des nouvelles?"]
    assert (
        client_api.post(f"tickets/{ticket.pk}/messages", {"body": "x", "kind": "note"}).status_code
        == 403
    )


def test_client_reply_reopens_a_recently_resolved_request(api_as, manager, contact):
    ticket = factories.ticket(contact=contact)
    api_as(manager).patch(f"tickets/{ticket.pk}", {"level": 1})
    api_as(manager).patch(f"tickets/{ticket.pk}", {"status": "resolved"})
    r = api_as(contact).post(f"tickets/{ticket.pk}/messages", {"body": "Le problème revient."})
    assert r.json()["ticket"] == ticket.pk
    assert api_as(contact).get(f"tickets/{ticket.pk}").json()["status"] == "open"


def test_client_reply_after_fourteen_days_opens_a_linked_request(api_as, manager, contact):
    ticket = factories.ticket(contact=contact)
    api_as(manager).patch(f"tickets/{ticket.pk}", {"level": 1})
    api_as(manager).patch(f"tickets/{ticket.pk}", {"status": "resolved"})
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=15))
    r = api_as(contact).post(f"tickets/{ticket.pk}/messages", {"body": "Encore ce problème."})
    assert r.status_code == 201
    new_id = r.json()["ticket"]
    assert new_id != ticket.pk
    new = api_as(contact).get(f"tickets/{new_id}").json()
    assert new["follows"] == ticket.pk
    assert new["status"] == "new"
    assert api_as(contact).get(f"tickets/{ticket.pk}").json()["status"] == "resolved"


def test_attachment_upload_and_download(api_as, contact, settings):
    ticket = factories.ticket(contact=contact)
    api = api_as(contact)
    upload = SimpleUploadedFile(
        "../../etc/rapport <final>.txt", b"journal d'erreurs", content_type="text/plain"
    )
    r = api.client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments", {"file": upload}, headers=api.headers
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "rapport _final_.txt"
    download = api.get(body["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"journal d'erreurs"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")


def test_svg_attachment_is_served_as_opaque_bytes(api_as, contact):
    ticket = factories.ticket(contact=contact)
    api = api_as(contact)
    svg = SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml")
    r = api.client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments", {"file": svg}, headers=api.headers
    )
    download = api.get(r.json()["url"])
    assert download["Content-Type"] == "application/octet-stream"
    assert "sandbox" in download["Content-Security-Policy"]


def test_oversized_and_executable_attachments_are_refused(api_as, contact, settings):
    settings.SOUTIEN_MAX_ATTACHMENT_BYTES = 1024 * 1024
    ticket = factories.ticket(contact=contact)
    api = api_as(contact)
    big = SimpleUploadedFile("gros.bin", b"x" * (1024 * 1024 + 1))
    r = api.client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments", {"file": big}, headers=api.headers
    )
    assert r.status_code == 422
    assert "1 MB" in r.json()["detail"] or "1 Mo" in r.json()["detail"]
    exe = SimpleUploadedFile("outil.exe", b"MZ")
    r = api.client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments", {"file": exe}, headers=api.headers
    )
    assert r.status_code == 422
    assert not Ticket.objects.get(pk=ticket.pk).attachments.exists()


def test_history_records_every_change(api_as, manager, contact, tech1):
    ticket = factories.ticket(contact=contact)
    api = api_as(manager)
    api.patch(f"tickets/{ticket.pk}", {"level": 1})
    api.post(f"tickets/{ticket.pk}/messages", {"body": "note", "kind": "note"})
    api.patch(f"tickets/{ticket.pk}", {"status": "resolved"})
    events = list(
        Event.objects.filter(ticket=ticket).order_by("id").values_list("action", "actor_id")
    )
    assert events == [
        ("created", contact.pk),
        ("status", manager.pk),
        ("level", manager.pk),
        ("assigned", manager.pk),
        ("message", manager.pk),
        ("status", manager.pk),
    ]
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_the_fast_ticket_json_is_exactly_what_the_schema_says(api_as, manager, contact, tech1):
    ticket = factories.ticket(contact=contact)
    ticket_set_level(actor=manager, ticket=ticket, level=1)
    ticket = Ticket.objects.select_related("assignee").get(pk=ticket.pk)
    fast = ticket_json(ticket, "fr")
    through_schema = TicketOut.from_orm(ticket).model_dump(mode="json")
    assert fast == through_schema
    assert api_as(manager).get(f"tickets/{ticket.pk}").json() == fast
