"""Invitations read back by two independent parsers (icalendar and vobject): the right
instants across the November DST change, a stable UID, SEQUENCE up with each change,
METHOD:CANCEL on cancellation, organizer and attendees, text in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject

from soutien.outbound.models import OutboundEmail
from soutien.training import invitations, services
from soutien.training.models import Session, TimeOff
from tests import factories
from tests.training.fixtures import EASTERN, at


def _parse(data: bytes):
    """The single event of an invitation, by both parsers, with the calendar's METHOD."""
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    other = vobject.readOne(data.decode())
    return calendar, event, other


def _book(contact, trainer, room, start, end, **kwargs) -> Session:
    return services.session_schedule(
        actor=trainer,
        training=factories.training_request(contact=contact, **kwargs.pop("request", {})),
        trainer=trainer,
        room=room,
        starts_at=start,
        ends_at=end,
        **kwargs,
    )


def test_an_invitation_is_a_request_with_organizer_attendees_and_location(contact, trainer, room):
    room.address = "1200, rue Sainte-Catherine, Montréal"
    room.save()
    session = _book(contact, trainer, room, at(24, 9), at(24, 12),
                    request={"attendees": ("Ana",), "attendee_count": 2})  # fmt: skip
    calendar, event, other = _parse(invitations.invitation(session, language="fr"))
    assert calendar["METHOD"] == "REQUEST"
    assert other.method.value == "REQUEST"
    assert str(event["UID"]) == other.vevent.uid.value == f"{session.uid}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["ORGANIZER"]) == f"mailto:{trainer.email}"
    assert event["ORGANIZER"].params["CN"] == "Tina Formatrice"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert attendees[f"mailto:{contact.email}"]["PARTSTAT"] == "NEEDS-ACTION"
    assert attendees[f"mailto:{trainer.email}"]["ROLE"] == "CHAIR"
    assert str(event["LOCATION"]) == "Salle Laurentides, 1200, rue Sainte-Catherine, Montréal"
    assert str(event["SUMMARY"]) == "Formation : Principes de base de la gestion de contenu"
    assert "Participants : 2 (Ana)" in str(event["DESCRIPTION"])
    assert other.vevent.summary.value == str(event["SUMMARY"])


def test_the_invitation_speaks_the_readers_language(contact, trainer, room):
    session = _book(contact, trainer, room, at(24, 9), at(24, 12))
    _calendar, event, _other = _parse(invitations.invitation(session, language="en"))
    assert str(event["SUMMARY"]) == "Training: Basics of content management"
    assert "Trainer: Tina Formatrice" in str(event["DESCRIPTION"])


def test_times_carry_the_toronto_zone_with_its_vtimezone(contact, trainer, room):
    session = _book(contact, trainer, room, at(24, 9), at(24, 12))
    data = invitations.invitation(session, language="fr")
    assert b"DTSTART;TZID=America/Toronto:20261124T090000" in data
    calendar, event, other = _parse(data)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/Toronto"
    assert event.start.astimezone(UTC) == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert other.vevent.dtstart.value.astimezone(UTC) == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def test_a_session_across_the_november_dst_change_has_the_right_utc_instants(
    contact, trainer, room, clock
):
    clock.move_to(at(20, 9, month=10))
    # Saturday October 31 22:00 EDT to Sunday November 1 03:00 EST: five real hours.
    start = datetime(2026, 10, 31, 22, 0, tzinfo=EASTERN)
    end = datetime(2026, 11, 1, 3, 0, tzinfo=EASTERN)
    assert end - start == timedelta(hours=5)
    session = _book(contact, trainer, room, start, end, override=True)
    _calendar, event, other = _parse(invitations.invitation(session, language="fr"))
    expected = (datetime(2026, 11, 1, 2, 0, tzinfo=UTC), datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    assert (event.start.astimezone(UTC), event.end.astimezone(UTC)) == expected
    vevent = other.vevent
    assert (vevent.dtstart.value.astimezone(UTC), vevent.dtend.value.astimezone(UTC)) == expected


def test_a_wall_clock_time_that_happens_twice_is_written_in_utc(contact, trainer, room, clock):
    clock.move_to(at(20, 9, month=10))
    # 01:30 happens twice on November 1; the session starts at the second one (EST).
    start = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=EASTERN)
    assert start.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    session = _book(contact, trainer, room, start, start + timedelta(hours=2), override=True)
    data = invitations.invitation(session, language="fr")
    assert b"DTSTART:20261101T063000Z" in data
    _calendar, event, other = _parse(data)
    assert event.start == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert other.vevent.dtstart.value.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(contact, trainer, room, manager):
    session = _book(contact, trainer, room, at(24, 9), at(24, 12))
    first = _parse(invitations.invitation(session, language="fr"))[1]
    services.session_reschedule(
        actor=manager, session=session, starts_at=at(26, 13), ends_at=at(26, 16)
    )
    sent = OutboundEmail.objects.filter(to_address=contact.email, context__event="updated").get()
    calendar, event, other = _parse(bytes(sent.files.get().data))
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == str(first["UID"])
    assert event["SEQUENCE"] == first["SEQUENCE"] + 1 == 1
    assert int(other.vevent.sequence.value) == 1
    assert event.start.astimezone(UTC) == at(26, 13).astimezone(UTC)


def test_each_change_sent_raises_the_sequence_again(contact, trainer, room, manager):
    session = _book(contact, trainer, room, at(24, 9), at(24, 12))
    services.session_confirm(actor=contact, session=session)
    services.session_reschedule(actor=manager, session=session, starts_at=at(25, 9))
    services.session_cancel(actor=manager, session=session)
    sequences = [
        icalendar.Calendar.from_ical(bytes(email.files.get().data)).walk("VEVENT")[0]["SEQUENCE"]
        for email in OutboundEmail.objects.filter(to_address=contact.email)
        .exclude(template="acknowledgement")
        .order_by("id")
    ]
    assert sequences == [0, 1, 2, 3]


def test_a_cancellation_is_method_cancel_with_the_same_uid(contact, trainer, room):
    session = _book(contact, trainer, room, at(24, 9), at(24, 12))
    services.session_cancel(actor=trainer, session=session, reason="Tempête")
    sent = OutboundEmail.objects.get(template="session_cancelled", to_address=contact.email)
    file = sent.files.get()
    assert (file.name, file.content_type) == (
        "annulation.ics",
        "text/calendar; method=CANCEL; charset=utf-8",
    )
    calendar, event, other = _parse(bytes(file.data))
    assert calendar["METHOD"] == other.method.value == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{session.uid}@127.0.0.1"
    assert event["SEQUENCE"] == 1


def test_an_english_contact_gets_the_english_invitation(org, trainer, room):
    contact = factories.contact(org, language="en")
    _book(contact, trainer, room, at(24, 9), at(24, 12))
    sent = OutboundEmail.objects.get(template="session_invitation", to_address=contact.email)
    _calendar, event, _other = _parse(bytes(sent.files.get().data))
    assert str(event["SUMMARY"]) == "Training: Basics of content management"


def test_a_remote_teleconference_gives_its_join_link(contact, tech1, manager, org, clock):
    from datetime import date

    from soutien.contracts.services import subscription_create

    plan = factories.custom_plan(manager, services=("teleconference",))
    subscription_create(actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
                        ends_on=date(2027, 10, 31))  # fmt: skip
    session = services.teleconference_schedule(
        actor=tech1, ticket=factories.ticket(contact=contact), starts_at=at(24, 10), minutes=30,
        join_url="https://meet.example/soutien-42",
    )  # fmt: skip
    _calendar, event, other = _parse(invitations.invitation(session, language="fr"))
    assert str(event["URL"]) == "https://meet.example/soutien-42"
    assert str(event["LOCATION"]) == "https://meet.example/soutien-42"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]).startswith("Téléconférence : ")
    assert other.vevent.url.value == "https://meet.example/soutien-42"


def test_the_feed_lists_a_persons_sessions_and_time_off(contact, trainer, room, manager):
    session = _book(contact, trainer, room, at(24, 9), at(24, 12))
    cancelled = _book(contact, trainer, room, at(25, 9), at(25, 12))
    services.session_cancel(actor=manager, session=cancelled)
    services.time_off_add(actor=trainer, person=trainer, starts_at=at(27, 0), ends_at=at(28, 0),
                          reason="Congé")  # fmt: skip
    feed = services.calendar_feed_create(actor=trainer)
    data = services.calendar_feed_read(token=services.feed_token(feed))
    calendar = icalendar.Calendar.from_ical(data)
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Séances de Tina Formatrice"
    events = {str(e["SUMMARY"]): str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert events == {
        "Formation : Principes de base de la gestion de contenu": f"{session.uid}@127.0.0.1",
        "Congé": f"time-off-{TimeOff.objects.get().pk}@127.0.0.1",
    }
    other = vobject.readOne(data.decode())
    assert len(other.vevent_list) == 2


@pytest.mark.parametrize("method", ["PUBLISH", ""])
def test_only_request_and_cancel_are_made(contact, trainer, room, method):
    session = _book(contact, trainer, room, at(24, 9), at(24, 12))
    with pytest.raises(ValueError, match="unknown method"):
        invitations.invitation(session, language="fr", method=method)
