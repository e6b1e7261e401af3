"""Merging duplicates, linking related requests, and bulk actions."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from soutien.contracts.models import TimeEntry
from soutien.contracts.services import time_entry_create
from soutien.core.errors import Conflict, InvalidInput, NotAllowed
from soutien.outbound.models import OutboundEmail
from soutien.ticketing import bulk, services
from soutien.ticketing.finder import Filters, find
from soutien.ticketing.merging import linked_to, ticket_link, ticket_merge, ticket_unlink
from soutien.ticketing.models import Event, MessageKind, Status, Ticket
from soutien.ticketing.selectors import tickets_visible_to
from soutien.ticketing.services import Upload
from tests import factories


def test_merging_moves_messages_files_time_and_history(tech1, contact):
    into = factories.ticket(contact=contact, subject="Écran noir")
    duplicate = factories.ticket(contact=contact, subject="Écran noir encore")
    services.message_add(actor=tech1, ticket=duplicate, kind=MessageKind.REPLY, body="Réponse")
    services.attachment_add(
        actor=contact,
        ticket=duplicate,
        upload=Upload(name="trace.txt", content=io.BytesIO(b"log"), size=3),
    )
    time_entry_create(
        actor=tech1,
        ticket=duplicate,
        started_at=timezone.now() - timedelta(hours=1),
        minutes=15,
    )
    ticket_merge(actor=tech1, duplicate=duplicate, into=into)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == into
    assert duplicate.status == Status.CLOSED
    assert [m.body for m in into.messages.all()] == ["Réponse"]
    assert [a.name for a in into.attachments.all()] == ["trace.txt"]
    assert TimeEntry.objects.get().ticket_id == into.pk
    assert into.events.filter(action=Event.Action.CREATED).count() == 2
    assert duplicate.events.filter(action=Event.Action.MERGED).exists()
    # The duplicate's words are found on the request it was merged into.
    found = find(tech1, Filters.from_params({"q": "trace"}))
    assert list(found) == [into]


def test_the_client_is_told_in_its_language(tech1, other_org):
    english = factories.contact(other_org, language="en")
    into = factories.ticket(contact=english, subject="Login fails")
    duplicate = factories.ticket(contact=english, subject="Cannot log in")
    ticket_merge(actor=tech1, duplicate=duplicate, into=into)
    email = OutboundEmail.objects.get(template="merged")
    assert email.ticket_id == duplicate.pk
    assert email.language == "en"
    assert email.to_address == english.email


def test_merges_that_are_refused(tech1, contact, other_org):
    a = factories.ticket(contact=contact)
    b = factories.ticket(contact=contact)
    elsewhere = factories.ticket(contact=factories.contact(other_org))
    with pytest.raises(InvalidInput):
        ticket_merge(actor=tech1, duplicate=a, into=a)
    with pytest.raises(InvalidInput):
        ticket_merge(actor=tech1, duplicate=a, into=elsewhere)
    with pytest.raises(NotAllowed):
        ticket_merge(actor=contact, duplicate=a, into=b)
    ticket_merge(actor=tech1, duplicate=a, into=b)
    with pytest.raises(Conflict):
        ticket_merge(actor=tech1, duplicate=a, into=b)
    c = factories.ticket(contact=contact)
    with pytest.raises(InvalidInput):
        ticket_merge(actor=tech1, duplicate=c, into=a)


def test_links_show_on_both_requests_and_only_what_the_viewer_may_see(tech1, contact, other_org):
    a = factories.ticket(contact=contact)
    b = factories.ticket(contact=contact)
    elsewhere = factories.ticket(contact=factories.contact(other_org))
    ticket_link(actor=tech1, ticket=b, other=a)
    ticket_link(actor=tech1, ticket=a, other=b)  # once is enough
    ticket_link(actor=tech1, ticket=a, other=elsewhere)
    staff_sees = tickets_visible_to(tech1)
    assert linked_to(a, staff_sees) == [b, elsewhere]
    assert linked_to(b, staff_sees) == [a]
    assert linked_to(a, tickets_visible_to(contact)) == [b]
    assert ticket_unlink(actor=tech1, ticket=b, other=a)
    assert linked_to(a, staff_sees) == [elsewhere]
    with pytest.raises(InvalidInput):
        ticket_link(actor=tech1, ticket=a, other=a)


def test_bulk_actions_do_what_they_can_and_say_why_not(manager, tech1, contact):
    tickets = [factories.ticket(contact=contact, subject=f"Demande {n}") for n in range(3)]
    ids = [t.pk for t in tickets]
    summary = bulk.bulk_apply(actor=manager, ticket_ids=ids, action="level", level=1)
    assert len(summary.done) == 3
    assert {t.level for t in Ticket.objects.filter(pk__in=ids)} == {1}
    services.ticket_change_status(actor=manager, ticket=tickets[0], status=Status.CLOSED)
    summary = bulk.bulk_apply(
        actor=manager, ticket_ids=[*ids, 999999], action="status", status="new"
    )
    assert summary.done == []
    assert [o.ticket for o in summary.refused] == [*ids, 999999]
    assert all(o.reason for o in summary.refused)
    summary = bulk.bulk_apply(
        actor=manager, ticket_ids=ids, action="assign", assignee=services.AUTOMATIC
    )
    assert len(summary.done) == 3
    summary = bulk.bulk_apply(actor=manager, ticket_ids=ids, action="note", note="Vu en lot.")
    assert len(summary.done) == 3
    assert all(t.messages.filter(kind=MessageKind.NOTE).exists() for t in tickets)
    summary = bulk.bulk_apply(actor=manager, ticket_ids=ids, action="merge", into=tickets[2])
    assert [o.ticket for o in summary.done] == ids[:2]
    assert Ticket.objects.filter(merged_into=tickets[2]).count() == 2


def test_bulk_refuses_bad_requests_as_a_whole(manager, contact, tech1):
    t = factories.ticket(contact=contact)
    for kwargs in (
        {"action": "explode"},
        {"action": "level", "level": 7},
        {"action": "status", "status": "gone"},
        {"action": "note", "note": "  "},
        {"action": "merge"},
    ):
        with pytest.raises(InvalidInput):
            bulk.bulk_apply(actor=manager, ticket_ids=[t.pk], **kwargs)
    with pytest.raises(NotAllowed):
        bulk.bulk_apply(actor=contact, ticket_ids=[t.pk], action="note", note="x")
    # A staff member who may not triage is refused request by request, with the reason.
    trainer = factories.trainer()
    summary = bulk.bulk_apply(actor=trainer, ticket_ids=[t.pk], action="level", level=2)
    assert summary.done == []
    assert summary.refused[0].reason
