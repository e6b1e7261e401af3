"""Search across requests, on SQLite FTS5 and PostgreSQL alike."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from soutien.accounts import services as accounts
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.ticketing import search, services
from soutien.ticketing.finder import Filters, find, neighbours
from soutien.ticketing.models import CallDirection, MessageKind, Status
from soutien.ticketing.services import Upload
from tests import factories


def found(user, **params) -> list[str]:
    return [t.subject for t in find(user, Filters.from_params(params, ordering="received_at"))]


@pytest.fixture
def requests(contact, other_org, tech1):
    english = factories.contact(other_org, name="Sarah Connor", language="en")
    a = factories.ticket(
        contact=contact, subject="Dates décalées", body="L'heure affichée est décalée."
    )
    b = factories.ticket(contact=contact, subject="Téléversement", body="Le fichier échoue.")
    c = factories.ticket(
        contact=english, subject="Upload failing", body="The uploads fail on large files."
    )
    services.message_add(
        actor=tech1, ticket=b, kind=MessageKind.NOTE, body="Voir le serveur pomegranate."
    )
    services.message_add(
        actor=tech1, ticket=a, kind=MessageKind.REPLY, body="Le fuseau horaire était mal réglé."
    )
    services.attachment_add(
        actor=tech1,
        ticket=c,
        upload=Upload(name="capture-ecran.png", content=io.BytesIO(b"png"), size=3),
    )
    return a, b, c


def test_words_are_stemmed_accent_insensitive_in_both_languages(requests, tech1):
    assert found(tech1, q="décalés") == ["Dates décalées"]
    assert found(tech1, q="decale") == ["Dates décalées"]
    assert found(tech1, q="échouent") == ["Téléversement"]
    assert found(tech1, q="failed upload") == ["Upload failing"]
    assert found(tech1, q="file") == ["Upload failing"]


def test_search_reads_number_messages_contact_organization_and_file_names(requests, tech1):
    _a, b, c = requests
    assert found(tech1, q=str(b.pk)) == ["Téléversement"]
    assert found(tech1, q=f"#{c.pk}") == ["Upload failing"]
    assert found(tech1, q="fuseau") == ["Dates décalées"]
    assert found(tech1, q="Connor") == ["Upload failing"]
    assert found(tech1, q="Maple Health") == ["Upload failing"]
    assert found(tech1, q="capture") == ["Upload failing"]
    assert found(tech1, q="Marc Gagnon") == ["Dates décalées", "Téléversement"]


def test_a_renamed_organization_or_contact_is_found_by_the_new_name(
    requests, tech1, manager, contact, other_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accounts.organization_rename(actor=manager, organization=other_org, name="Érable Santé")
    assert found(tech1, q="érable santé") == ["Upload failing"]
    assert found(tech1, q="Maple") == []
    with django_capture_on_commit_callbacks(execute=True):
        accounts.contact_rename(actor=tech1, contact=contact, name="Marc-André Tremblay")
    assert found(tech1, q="Tremblay") == ["Dates décalées", "Téléversement"]
    assert found(tech1, q="Gagnon") == []
    # The client finds its own requests by its new name too.
    assert found(contact, q="tremblay") == ["Dates décalées", "Téléversement"]


def test_only_those_allowed_rename_and_a_refused_name_changes_nothing(
    requests, tech1, manager, contact, other_org
):
    with pytest.raises(NotAllowed):
        accounts.organization_rename(actor=tech1, organization=other_org, name="Autre")
    with pytest.raises(NotAllowed):
        accounts.contact_rename(actor=factories.contact(other_org), contact=contact, name="X")
    with pytest.raises(InvalidInput):
        accounts.organization_rename(actor=manager, organization=other_org, name="  ")
    with pytest.raises(Conflict):
        accounts.organization_rename(
            actor=manager, organization=other_org, name=contact.organization.name.upper()
        )
    other_org.refresh_from_db()
    assert other_org.name == "Maple Health Inc."
    assert found(tech1, q="Maple Health") == ["Upload failing"]


def test_phrases_exclusions_and_alternatives(requests, tech1):
    assert found(tech1, q='"large files"') == ["Upload failing"]
    assert found(tech1, q='"files large"') == []
    assert found(tech1, q="Gagnon -fuseau") == ["Téléversement"]
    assert found(tech1, q="fuseau or uploads") == ["Dates décalées", "Upload failing"]


def test_staff_find_internal_notes_clients_do_not(requests, tech1, contact):
    assert found(tech1, q="pomegranate") == ["Téléversement"]
    assert found(contact, q="pomegranate") == []
    assert found(contact, q="fichier") == ["Téléversement"]


def test_a_client_never_finds_another_organizations_requests(requests, contact, other_org):
    admin_elsewhere = factories.client_admin(other_org)
    assert found(contact, q="upload") == []
    assert found(contact, q="Connor") == []
    assert found(admin_elsewhere, q="upload") == ["Upload failing"]
    assert found(admin_elsewhere, q="décalées") == []
    colleague = factories.contact(contact.organization)
    assert found(colleague, q="décalées") == []


def test_filters_combine_with_words(requests, tech1, manager, contact):
    _a, b, c = requests
    services.ticket_update(actor=manager, ticket=b, level=1, assignee=tech1)
    assert found(tech1, q="Gagnon", level="1") == ["Téléversement"]
    assert found(tech1, level="none") == ["Dates décalées", "Upload failing"]
    assert found(tech1, status="open") == ["Téléversement"]
    assert found(tech1, assignee="me") == ["Téléversement"]
    assert found(tech1, assignee="none", organization=str(c.organization_id)) == ["Upload failing"]
    assert found(tech1, channel="phone") == []
    today = timezone.localdate()
    assert len(found(tech1, received_from=today.isoformat(), received_to=today.isoformat())) == 3
    assert found(tech1, received_to=(today - timedelta(days=1)).isoformat()) == []


def test_breached_and_at_risk(contact, tech1, manager):
    eastern = ZoneInfo("America/Toronto")
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=eastern), tick=False):

        def at(hour: int, minute: int) -> datetime:
            return datetime(2026, 12, 1, hour, minute, tzinfo=eastern)

        late = factories.ticket(contact=contact, subject="Late", actor=tech1, received_at=at(8, 30))
        factories.ticket(contact=contact, subject="Soon", actor=tech1, received_at=at(9, 45))
        later = factories.ticket(
            contact=contact, subject="Later", actor=tech1, received_at=at(9, 45)
        )
        services.ticket_set_level(actor=manager, ticket=later, level=2)  # 300 minutes
        assert found(tech1, sla="breached") == ["Late"]
        assert found(tech1, sla="at_risk") == ["Soon"]
        services.message_add(
            actor=tech1,
            ticket=late,
            kind=MessageKind.PHONE_CALL,
            body="Rappel",
            call_direction=CallDirection.OUTBOUND,
            duration_minutes=5,
        )
        assert found(tech1, sla="breached") == ["Late"]  # answered, but late


def test_bad_filters_are_refused(tech1):
    for params in (
        {"status": "nope"},
        {"level": "4"},
        {"assignee": "x"},
        {"channel": "pigeon"},
        {"received_from": "2026-13-01"},
        {"sla": "maybe"},
        {"ordering": "subject"},
    ):
        with pytest.raises(InvalidInput):
            Filters.from_params(params)


def test_filters_go_and_come_back_as_parameters():
    filters = Filters.from_params(
        {"q": "écran noir", "status": "new,open", "received_from": "2026-11-01", "sla": "breached"}
    )
    assert Filters.from_params(filters.as_params()) == filters


def test_next_request_follows_the_list(contact, tech1):
    first, second, third = (factories.ticket(contact=contact, subject=s) for s in "abc")
    filters = Filters.from_params({"ordering": "received_at"})
    assert neighbours(tech1, filters, first) == (None, second.pk)
    assert neighbours(tech1, filters, second) == (first.pk, third.pk)
    services.ticket_change_status(actor=tech1, ticket=second, status=Status.CLOSED)
    active = Filters.from_params({"ordering": "received_at", "status": "new"})
    assert neighbours(tech1, active, second) == (None, first.pk)


def test_rebuilding_the_index_finds_the_same(requests, tech1):
    assert search.rebuild() == 3
    assert found(tech1, q="pomegranate") == ["Téléversement"]


@pytest.mark.parametrize("ordering", ["sla_due", "-sla_due", "received_at"])
def test_few_or_many_matches_give_the_same_list(contact, tech1, ordering):
    # On PostgreSQL a search with fewer matches than `few` is read by ids and sorted, one with
    # more walks the order's index: both lists must be the same rows in the same order.
    tickets = [
        factories.ticket(contact=contact, subject=f"Imprimante {n}", body="bourrage papier")
        for n in range(8)
    ]
    factories.ticket(contact=contact, subject="Autre chose", body="rien")
    base = timezone.now()
    for n, ticket in enumerate(tickets):
        # Same due times for some (the id breaks ties), none for two.
        due = None if n in (2, 5) else base + timedelta(hours=n % 3)
        type(ticket).objects.filter(pk=ticket.pk).update(first_response_due=due)
    for params in ({"q": "imprimantes"}, {"q": "bourrage -rien"}, {"q": '"bourrage papier"'}):
        filters = Filters.from_params(params, ordering=ordering)
        walked = [t.pk for t in find(tech1, filters, few=1)]
        sorted_ids = [t.pk for t in find(tech1, filters, few=100)]
        assert walked == sorted_ids
        assert sorted(walked) == sorted(t.pk for t in tickets)
        assert [t.pk for t in find(contact, filters, few=1)] == walked
    first = Filters.from_params({"q": "imprimante"})
    assert [t.pk for t in find(tech1, first, few=100)][:3] == [
        tickets[0].pk,
        tickets[3].pk,
        tickets[6].pk,
    ]
