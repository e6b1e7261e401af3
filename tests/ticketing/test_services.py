from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from soutien.core.errors import InvalidInput, NotAllowed
from soutien.ticketing import services
from soutien.ticketing.attachments import safe_filename
from soutien.ticketing.models import Event, MessageKind, Status, Ticket
from soutien.ticketing.services import Upload, least_loaded_technician
from tests import factories


def test_least_loaded_technician_gets_the_request(manager, contact):
    busy = factories.staff(levels=(1,), name="Occupé")
    free = factories.staff(levels=(1,), name="Libre")
    for _ in range(2):
        t = factories.ticket(contact=contact)
        services.ticket_set_level(actor=manager, ticket=t, level=1)
        services.ticket_assign(actor=manager, ticket=t, technician=busy)
    assert least_loaded_technician(1) == free
    t = factories.ticket(contact=contact)
    assert services.ticket_set_level(actor=manager, ticket=t, level=1).assignee == free


def test_resolved_requests_do_not_count_as_load(manager, contact):
    first = factories.staff(levels=(2,))
    second = factories.staff(levels=(2,))
    for _ in range(3):
        t = factories.ticket(contact=contact)
        services.ticket_set_level(actor=manager, ticket=t, level=2)
        services.ticket_assign(actor=manager, ticket=t, technician=first)
        services.ticket_change_status(actor=manager, ticket=t, status=Status.RESOLVED)
    t = factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=t, level=2)
    services.ticket_assign(actor=manager, ticket=t, technician=second)
    assert least_loaded_technician(2) == first


def test_inactive_and_client_users_are_never_assigned(manager, contact):
    gone = factories.staff(levels=(3,))
    gone.is_active = False
    gone.save()
    assert least_loaded_technician(3) is None
    t = factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=t, level=3)
    assert Ticket.objects.get(pk=t.pk).assignee is None
    with pytest.raises(InvalidInput):
        services.ticket_assign(actor=manager, ticket=t, technician=contact)


def test_changing_level_reassigns_when_the_technician_is_not_qualified(
    manager, contact, tech1, tech2
):
    t = factories.ticket(contact=contact)
    assert services.ticket_set_level(actor=manager, ticket=t, level=1).assignee == tech1
    assert services.ticket_set_level(actor=manager, ticket=t, level=2).assignee == tech2


def test_client_message_moves_waiting_back_to_open(manager, contact):
    t = factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=t, level=1)
    services.ticket_change_status(actor=manager, ticket=t, status=Status.WAITING)
    services.message_add(actor=contact, ticket=t, kind=MessageKind.CLIENT, body="Voici la capture.")
    assert Ticket.objects.get(pk=t.pk).status == Status.OPEN


def test_reply_to_a_closed_request_opens_a_follow_up_even_within_fourteen_days(manager, contact):
    t = factories.ticket(contact=contact)
    services.ticket_change_status(actor=manager, ticket=t, status=Status.CLOSED)
    message = services.message_add(actor=contact, ticket=t, kind=MessageKind.CLIENT, body="Encore")
    assert message.ticket.follows_id == t.pk
    assert Event.objects.filter(ticket=t, action=Event.Action.FOLLOW_UP).exists()


def test_reopen_window_is_fourteen_days_to_the_second(manager, contact):
    t = factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=t, level=1)
    services.ticket_change_status(actor=manager, ticket=t, status=Status.RESOLVED)
    resolved_at = Ticket.objects.get(pk=t.pk).resolved_at
    with time_machine.travel(resolved_at + timedelta(days=14), tick=False):
        m = services.message_add(
            actor=contact, ticket=t, kind=MessageKind.CLIENT, body="Juste à temps"
        )
    assert m.ticket_id == t.pk
    services.ticket_change_status(actor=manager, ticket=t, status=Status.RESOLVED)
    resolved_at = Ticket.objects.get(pk=t.pk).resolved_at
    with time_machine.travel(resolved_at + timedelta(days=14, seconds=1), tick=False):
        m = services.message_add(actor=contact, ticket=t, kind=MessageKind.CLIENT, body="Trop tard")
    assert m.ticket_id != t.pk


def test_resolved_requests_close_after_the_reopen_window(manager, contact):
    t = factories.ticket(contact=contact)
    services.ticket_change_status(actor=manager, ticket=t, status=Status.RESOLVED)
    assert services.tickets_close_resolved() == 0
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert services.tickets_close_resolved() == 1
        assert services.tickets_close_resolved() == 0
    assert Ticket.objects.get(pk=t.pk).status == Status.CLOSED


def test_notes_and_calls_are_staff_only(contact):
    t = factories.ticket(contact=contact)
    with pytest.raises(NotAllowed):
        services.message_add(actor=contact, ticket=t, kind=MessageKind.NOTE, body="x")


def test_failed_upload_leaves_no_message(contact, settings):
    settings.SOUTIEN_MAX_ATTACHMENT_BYTES = 10
    t = factories.ticket(contact=contact)
    big = Upload(name="gros.txt", content=io.BytesIO(b"x" * 11), size=11)
    with pytest.raises(InvalidInput):
        services.message_add(
            actor=contact, ticket=t, kind=MessageKind.CLIENT, body="avec fichier", uploads=[big]
        )
    assert not t.messages.exists()


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\marc\\rapport.pdf", "rapport.pdf"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("...", "fichier"),
        ('<script>"x".html', "_script__x_.html"),
        ("é" * 300 + ".pdf", "é" * 190 + ".pdf"),
    ],
)
def test_safe_filename(given, safe):
    assert safe_filename(given) == safe


def test_an_update_that_fails_halfway_changes_nothing(manager, tech1, contact):
    """Triage and assignment in one call: a technician unqualified for the new level undoes
    the level too."""
    t = factories.ticket(contact=contact)
    with pytest.raises(InvalidInput) as refused:
        services.ticket_update(actor=manager, ticket=t, level=2, assignee=tech1)
    assert refused.value.field == "assignee"
    t.refresh_from_db()
    assert (t.level, t.status, t.assignee_id) == (None, Status.NEW, None)
    assert not Event.objects.filter(ticket=t, action=Event.Action.LEVEL).exists()


def test_an_update_checks_the_assignee_against_the_new_level(manager, tech2, contact):
    t = factories.ticket(contact=contact)
    t = services.ticket_update(actor=manager, ticket=t, level=2, assignee=tech2, status="waiting")
    assert (t.level, t.assignee_id, t.status) == (2, tech2.pk, Status.WAITING)


def test_a_technician_is_told_when_someone_else_gives_them_a_request(manager, tech1, contact):
    from soutien.notifications.models import Notification

    t = factories.ticket(contact=contact)
    services.ticket_set_level(actor=manager, ticket=t, level=1)
    notice = Notification.objects.get(recipient=tech1, kind=Notification.Kind.ASSIGNED)
    assert notice.ticket_id == t.pk
    assert notice.data["by"] == manager.display_name
    other = factories.ticket(contact=contact)
    services.ticket_set_level(actor=tech1, ticket=other, level=1)  # took it themselves
    assert Notification.objects.filter(recipient=tech1, ticket=other).count() == 0


def test_a_reply_that_waits_on_the_client_sends_one_email(tech1, contact):
    from soutien.outbound.models import OutboundEmail

    t = factories.ticket(contact=contact)
    services.ticket_set_level(actor=tech1, ticket=t, level=1)
    services.message_add(
        actor=tech1, ticket=t, kind=MessageKind.REPLY, body="Quelle version?", wait_for_client=True
    )
    t.refresh_from_db()
    assert t.status == Status.WAITING
    templates = list(OutboundEmail.objects.filter(ticket=t).values_list("template", flat=True))
    assert templates.count("reply") == 1
    assert templates.count("status_changed") == 1  # "taken in hand" at triage, not "waiting"


def test_only_a_reply_waits_on_the_client(tech1, contact):
    t = factories.ticket(contact=contact)
    with pytest.raises(InvalidInput):
        services.message_add(
            actor=tech1, ticket=t, kind=MessageKind.NOTE, body="note", wait_for_client=True
        )


def test_a_request_filed_from_a_call_logs_the_call_with_it(tech1, contact):
    at = timezone.now() - timedelta(minutes=30)
    t = services.ticket_create(
        actor=tech1,
        organization=contact.organization,
        contact=contact,
        subject="Appel : menu décalé",
        body="Le client appelle pour le menu.",
        channel="phone",
        received_at=at,
        call=services.IncomingCall(direction="inbound", minutes=12),
    )
    call = t.messages.get()
    assert (call.kind, call.at, call.call_duration_minutes) == (MessageKind.PHONE_CALL, at, 12)
    assert call.caller == contact.display_name
    assert t.first_responded_at is None  # the call that brought it in is not an answer
    assert t.time_entries.get().minutes == 12


def test_a_resolution_target_is_set_with_its_terms_and_kept_in_the_history(tech1, contact):
    t = factories.ticket(contact=contact)
    due = timezone.now() + timedelta(days=30)
    terms = {"source": "agreement", "ref": 7, "version": 2, "fr": "Entente no 7", "en": "No. 7"}
    services.ticket_set_resolution_target(ticket=t, due=due, terms=terms, actor=tech1)
    t.refresh_from_db()
    assert (t.resolution_due, t.resolution_terms_text("en")) == (due, "No. 7")
    # The same promise again changes nothing; lifting it clears the terms too.
    services.ticket_set_resolution_target(ticket=t, due=due, terms=terms, actor=tech1)
    services.ticket_set_resolution_target(ticket=t, due=None, terms=terms, actor=tech1)
    t.refresh_from_db()
    assert (t.resolution_due, t.resolution_terms) == (None, {})
    changes = t.events.filter(action=Event.Action.RESOLUTION).order_by("id")
    assert [(e.data["to"] is None, e.data["version"]) for e in changes] == [
        (False, 2),
        (True, None),
    ]
