"""Training requests and sessions: a request like any other, booked without conflicts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from soutien.contracts.models import HourBank, TimeEntry
from soutien.contracts.services import subscription_create
from soutien.core.errors import InvalidInput, NotAllowed, NotFound
from soutien.notifications.models import Notification
from soutien.outbound.models import OutboundEmail
from soutien.ticketing.models import Event, Kind, MessageKind
from soutien.training import services
from soutien.training.booking import BookingConflict
from soutien.training.models import SessionStatus, TimeOff
from soutien.training.services import Attendee, Period
from tests import factories
from tests.training.fixtures import at


def _schedule(training, trainer, room=None, start=None, end=None, **kwargs):
    return services.session_schedule(
        actor=kwargs.pop("actor", trainer),
        training=training,
        trainer=trainer,
        room=room,
        starts_at=start or at(24, 9),
        ends_at=end or at(24, 12),
        **kwargs,
    )


def test_a_training_request_is_a_request_of_kind_training_with_number_history_and_acknowledgement(
    contact, trainer, clock
):
    training = factories.training_request(
        contact=contact, preferred=((at(30, 8), at(30, 17)),), attendee_count=5
    )
    ticket = training.ticket
    assert ticket.kind == Kind.TRAINING
    assert ticket.subject == "Formation : Principes de base de la gestion de contenu"
    assert "Ana, Bruno, Chloé" in ticket.body
    assert training.attendee_count == 5
    assert list(training.preferred.values_list("starts_at", flat=True)) == [at(30, 8)]
    assert ticket.events.filter(action=Event.Action.CREATED, data__kind="training").exists()
    assert OutboundEmail.objects.filter(ticket=ticket, template="acknowledgement").count() == 1
    assert Notification.objects.filter(
        recipient=trainer, kind=Notification.Kind.TRAINING_REQUESTED, ticket=ticket
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": "gardening"}, "subject"),
        ({"subject": "other"}, "subject_detail"),
        ({"place": "moon"}, "place"),
        ({"place": "client"}, "address"),
        ({"attendees": ()}, "attendees"),
        ({"attendees": ("Ana",), "attendee_count": 0}, "attendee_count"),
        ({"attendees": ("Ana", "Bruno"), "attendee_count": 1}, "attendee_count"),
        ({"language": "de"}, "language"),
    ],
)
def test_a_training_request_with_bad_details_names_the_field(contact, clock, changes, field):
    with pytest.raises(InvalidInput) as caught:
        factories.training_request(contact=contact, **changes)
    assert caught.value.field == field


def test_a_preferred_period_that_ends_before_it_starts_or_is_over_is_refused(contact, clock):
    for start, end in [(at(30, 12), at(30, 9)), (at(20, 8), at(20, 17))]:
        with pytest.raises(InvalidInput) as caught:
            factories.training_request(contact=contact, preferred=((start, end),))
        assert caught.value.field == "preferred"


def test_a_client_cannot_ask_for_another_organization(contact, other_org, clock):
    with pytest.raises(NotAllowed):
        services.training_request_create(
            actor=contact,
            organization=other_org,
            contact=factories.contact(other_org),
            subject="basics",
            place="remote",
            attendees=[Attendee("Ana")],
            language="fr",
        )


def test_staff_ask_on_a_clients_behalf_by_phone(contact, manager, clock):
    training = factories.training_request(
        contact=contact, actor=manager, place="remote", channel="phone"
    )
    assert training.ticket.channel == "phone"
    assert training.ticket.created_by == manager


def test_scheduling_proposes_the_session_and_emails_the_invitation(contact, trainer, room):
    training = factories.training_request(contact=contact)
    session = _schedule(training, trainer, room)
    assert session.status == SessionStatus.PROPOSED
    assert session.sequence == 0
    emails = OutboundEmail.objects.filter(template="session_invitation")
    assert {e.to_address for e in emails} == {contact.email, trainer.email}
    for email in emails:
        (file,) = email.files.all()
        assert file.name == "invitation.ics"
        assert file.content_type == "text/calendar; method=REQUEST; charset=utf-8"
        assert b"METHOD:REQUEST" in bytes(file.data)
    assert session.ticket.events.filter(action=Event.Action.SESSION, data__change="scheduled")


def test_a_trainer_is_never_booked_twice_at_once(contact, trainer, room, clock):
    training = factories.training_request(contact=contact)
    first = _schedule(training, trainer, room)
    other_room = factories.room("Salle Outaouais")
    with pytest.raises(BookingConflict) as caught:
        _schedule(training, trainer, other_room, start=at(24, 11), end=at(24, 14))
    assert caught.value.status_code == 409
    (conflict,) = caught.value.conflicts
    assert conflict["kind"] == "trainer"
    assert conflict["session"] == first.pk
    assert conflict["reason"] == "session"


def test_a_room_is_never_booked_twice_at_once(contact, trainer, room, clock):
    training = factories.training_request(contact=contact)
    _schedule(training, trainer, room)
    with pytest.raises(BookingConflict) as caught:
        _schedule(training, factories.trainer(), room, start=at(24, 10), end=at(24, 11))
    assert [c["kind"] for c in caught.value.conflicts] == ["room"]
    assert "Salle Laurentides" in caught.value.message


def test_back_to_back_sessions_do_not_conflict(contact, trainer, room, clock):
    training = factories.training_request(contact=contact)
    _schedule(training, trainer, room, start=at(24, 8), end=at(24, 12))
    second = _schedule(training, trainer, room, start=at(24, 12), end=at(24, 16))
    assert second.pk


def test_a_room_too_small_for_the_attendees_is_refused(contact, trainer, clock):
    small = factories.room("Petite salle", capacity=2)
    training = factories.training_request(contact=contact)  # three attendees
    with pytest.raises(BookingConflict) as caught:
        _schedule(training, trainer, small)
    assert caught.value.conflicts == [
        {"kind": "capacity", "room": small.pk, "name": "Petite salle", "capacity": 2,
         "attendees": 3},
    ]  # fmt: skip


def test_a_trainer_on_time_off_cannot_be_booked(contact, trainer, room, clock, manager):
    services.time_off_add(
        actor=manager, person=trainer, starts_at=at(24, 0), ends_at=at(25, 0), reason="Congé"
    )
    training = factories.training_request(contact=contact)
    with pytest.raises(BookingConflict) as caught:
        _schedule(training, trainer, room)
    assert caught.value.conflicts[0]["reason"] == "time_off"
    assert TimeOff.objects.count() == 1


def test_a_cancelled_session_frees_its_trainer_and_room(contact, trainer, room, clock):
    training = factories.training_request(contact=contact)
    first = _schedule(training, trainer, room)
    services.session_cancel(actor=trainer, session=first, reason="Tempête")
    assert _schedule(training, trainer, room).pk != first.pk


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (at(24, 12), at(24, 9), "ends_at"),  # ends before it starts
        (at(22, 9), at(22, 12), "starts_at"),  # already past
        (at(24, 9), at(25, 10), "ends_at"),  # longer than a day
    ],
)
def test_session_times_that_make_no_sense_are_refused(contact, trainer, room, start, end, field):
    training = factories.training_request(contact=contact)
    with pytest.raises(InvalidInput) as caught:
        _schedule(training, trainer, room, start=start, end=end)
    assert caught.value.field == field


def test_a_session_over_midnight_into_a_closed_day_needs_an_override(contact, trainer, room):
    training = factories.training_request(contact=contact)
    # Thursday December 24 evening into Christmas day (a statutory holiday).
    start, end = at(24, 20, month=12), at(25, 2, month=12)
    with pytest.raises(InvalidInput) as caught:
        _schedule(training, trainer, room, start=start, end=end)
    assert caught.value.field == "ends_at"
    assert "25 décembre 2026" in caught.value.message
    session = _schedule(training, trainer, room, start=start, end=end, override=True)
    assert session.ends_at == end


def test_a_session_outside_working_hours_needs_an_override(contact, trainer, room):
    training = factories.training_request(contact=contact)
    with pytest.raises(InvalidInput) as caught:
        _schedule(training, trainer, room, start=at(24, 16), end=at(24, 19))
    assert caught.value.field == "starts_at"


def test_only_a_trainer_gives_training_and_a_room_is_needed_in_our_rooms(
    contact, trainer, room, tech1
):
    training = factories.training_request(contact=contact)
    with pytest.raises(InvalidInput) as caught:
        _schedule(training, tech1, room, actor=tech1)
    assert caught.value.field == "trainer"
    with pytest.raises(InvalidInput) as caught:
        _schedule(training, trainer, None)
    assert caught.value.field == "room"


def test_a_client_cannot_schedule(contact, trainer, room):
    training = factories.training_request(contact=contact)
    with pytest.raises(NotAllowed):
        _schedule(training, trainer, room, actor=contact)


def test_the_client_accepts_a_proposed_session(contact, trainer, room):
    training = factories.training_request(contact=contact)
    session = services.session_confirm(actor=contact, session=_schedule(training, trainer, room))
    assert session.status == SessionStatus.CONFIRMED
    assert session.sequence == 1
    confirmation = OutboundEmail.objects.filter(
        template="session_invitation", to_address=contact.email, context__event="confirmed"
    ).get()
    assert confirmation.context["billable"] is True


def test_another_organizations_client_cannot_accept(contact, trainer, room, other_org):
    training = factories.training_request(contact=contact)
    session = _schedule(training, trainer, room)
    with pytest.raises(NotFound):
        services.session_confirm(actor=factories.contact(other_org), session=session)


def test_the_client_asks_for_another_date_and_staff_move_it(contact, trainer, room, manager):
    training = factories.training_request(contact=contact)
    session = _schedule(training, trainer, room)
    services.session_ask_another_date(actor=contact, session=session, note="Plutôt jeudi")
    assert Notification.objects.filter(
        recipient=trainer, kind=Notification.Kind.SESSION_CHANGE
    ).exists()
    assert OutboundEmail.objects.filter(template="session_change", to_address=trainer.email)
    moved = services.session_reschedule(
        actor=manager, session=session, starts_at=at(26, 13), ends_at=at(26, 16)
    )
    assert (moved.uid, moved.sequence, moved.status) == (session.uid, 1, SessionStatus.PROPOSED)
    assert moved.change_request == ""
    assert OutboundEmail.objects.filter(context__event="updated", to_address=contact.email)


def test_moving_a_session_onto_a_taken_room_is_refused_and_changes_nothing(contact, trainer, room):
    training = factories.training_request(contact=contact)
    _schedule(training, trainer, room)
    other = _schedule(training, factories.trainer(), factories.room(), start=at(25, 9),
                      end=at(25, 12))  # fmt: skip
    with pytest.raises(BookingConflict):
        services.session_reschedule(actor=trainer, session=other, room=room,
                                    starts_at=at(24, 9), ends_at=at(24, 12))  # fmt: skip
    other.refresh_from_db()
    assert (other.starts_at, other.sequence) == (at(25, 9), 0)


def test_giving_a_session_to_another_trainer_sends_the_first_a_cancellation(
    contact, trainer, room, manager
):
    training = factories.training_request(contact=contact)
    session = _schedule(training, trainer, room)
    other = factories.trainer("Omar Autre")
    services.session_reschedule(actor=manager, session=session, host=other)
    cancelled = OutboundEmail.objects.get(template="session_cancelled")
    assert cancelled.to_address == trainer.email
    assert b"METHOD:CANCEL" in bytes(cancelled.files.get().data)


def test_a_cancelled_session_sends_method_cancel(contact, trainer, room):
    training = factories.training_request(contact=contact)
    session = services.session_cancel(
        actor=trainer, session=_schedule(training, trainer, room), reason="Tempête"
    )
    assert (session.status, session.sequence) == (SessionStatus.CANCELLED, 1)
    emails = OutboundEmail.objects.filter(template="session_cancelled")
    assert {e.to_address for e in emails} == {contact.email, trainer.email}
    assert all(b"METHOD:CANCEL" in bytes(e.files.get().data) for e in emails)


def _training_bank(manager, org, minutes=600):
    plan = factories.custom_plan(manager, services=("training",), minutes=minutes)
    subscription_create(
        actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
        ends_on=date(2027, 10, 31),
    )  # fmt: skip
    return HourBank.objects.get(subscription__plan=plan)


def test_a_held_session_draws_its_minutes_from_the_plan_that_includes_training(
    contact, trainer, room, manager, org, clock
):
    factories.spec4_banks(manager, org)  # a contract and "base plus": neither includes training
    bank = _training_bank(manager, org)
    training = factories.training_request(contact=contact)
    session = _schedule(training, trainer, room, start=at(24, 9), end=at(24, 12, 30))
    services.session_confirm(actor=contact, session=session)
    confirmation = OutboundEmail.objects.get(to_address=contact.email, context__event="confirmed")
    assert confirmation.context["billable"] is False
    assert confirmation.context["bank"]["fr"] == "Support personnalisé"
    clock.move_to(at(24, 13))
    held = services.session_held(actor=trainer, session=session)
    entry = TimeEntry.objects.get(pk=held.time_entry_id)
    assert (entry.technician, entry.minutes, entry.service) == (trainer, 210, "training")
    assert {a.bank_id: a.minutes for a in entry.allocations.all()} == {bank.pk: 210}
    assert entry.overage_minutes == 0
    bank.refresh_from_db()
    assert bank.used_minutes == 210
    others = HourBank.objects.exclude(pk=bank.pk)
    assert [b.used_minutes for b in others] == [0, 0]


def test_without_a_training_plan_a_held_session_is_billable_to_the_minute(
    contact, trainer, room, manager, org, clock
):
    factories.spec4_banks(manager, org)  # hours left, but not for training
    training = factories.training_request(contact=contact)
    session = _schedule(training, trainer, room, start=at(24, 9), end=at(24, 12))
    clock.move_to(at(24, 12, 5))
    held = services.session_held(actor=trainer, session=session, minutes=185)
    entry = held.time_entry
    assert entry is not None
    assert (entry.minutes, entry.overage_minutes, entry.allocations.count()) == (185, 185, 0)
    assert sum(HourBank.objects.values_list("used_minutes", flat=True)) == 0


def test_training_minutes_the_plan_does_not_cover_are_billable(
    contact, trainer, room, manager, org, clock
):
    bank = _training_bank(manager, org, minutes=100)
    training = factories.training_request(contact=contact)
    session = _schedule(training, trainer, room, start=at(24, 9), end=at(24, 12))
    clock.move_to(at(24, 12))
    entry = services.session_held(actor=trainer, session=session).time_entry
    assert entry is not None
    assert (entry.allocations.get().minutes, entry.overage_minutes) == (100, 80)
    bank.refresh_from_db()
    assert bank.left_minutes == 0


def test_ordinary_work_still_draws_from_a_training_plans_bank(contact, manager, org, tech1, clock):
    bank = _training_bank(manager, org)
    ticket = factories.ticket(contact=contact)
    from soutien.contracts.services import time_entry_create

    clock.move_to(at(23, 11))
    entry = time_entry_create(actor=tech1, ticket=ticket, started_at=at(23, 9, 30), minutes=45)
    assert {a.bank_id: a.minutes for a in entry.allocations.all()} == {bank.pk: 45}


def test_a_session_is_held_only_once_and_only_after_it_started(contact, trainer, room, clock):
    training = factories.training_request(contact=contact)
    session = _schedule(training, trainer, room)
    with pytest.raises(InvalidInput) as caught:
        services.session_held(actor=trainer, session=session)
    assert caught.value.field == "starts_at"
    clock.move_to(at(24, 12))
    services.session_held(actor=trainer, session=session)
    with pytest.raises(InvalidInput):
        services.session_held(actor=trainer, session=session)
    assert TimeEntry.objects.count() == 1


def test_a_request_by_email_may_leave_place_and_attendees_for_staff_to_fill_in(
    contact, manager, clock
):
    training = services.training_request_create(
        actor=contact, organization=contact.organization, contact=contact, subject="other",
        subject_detail="Former nos rédacteurs", place="", language="fr", channel="email",
        intake=True, title="Demande de formation",
    )  # fmt: skip
    assert (training.place, training.attendee_count) == ("", None)
    assert training.ticket.subject == "Demande de formation"
    updated = services.training_request_update(
        actor=manager, training=training, place="remote", attendee_count=4
    )
    assert (updated.place, updated.attendee_count) == ("remote", 4)
    event = training.ticket.events.get(action=Event.Action.FIELD)
    assert event.data["training"]["place"] == {"from": "", "to": "remote"}


def test_teleconference_only_for_a_client_whose_plan_includes_it(contact, tech1, clock):
    ticket = factories.ticket(contact=contact)
    with pytest.raises(InvalidInput) as caught:
        services.teleconference_schedule(
            actor=tech1, ticket=ticket, starts_at=at(24, 10), minutes=30,
            join_url="https://meet.example/abc",
        )  # fmt: skip
    assert caught.value.field == "ticket"


def test_a_held_teleconference_is_a_time_entry_and_the_first_response(
    contact, tech1, manager, org, clock
):
    plan = factories.custom_plan(manager, services=("teleconference",))
    subscription_create(
        actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
        ends_on=date(2027, 10, 31),
    )  # fmt: skip
    ticket = factories.ticket(contact=contact)
    session = services.teleconference_schedule(
        actor=tech1, ticket=ticket, starts_at=at(23, 10), minutes=45, bridge="514 555-0100 #42"
    )
    assert session.status == SessionStatus.CONFIRMED
    assert OutboundEmail.objects.filter(template="session_invitation", to_address=contact.email)
    clock.move_to(at(23, 11))
    services.session_held(actor=tech1, session=session, summary="Revue de la mise en page")
    ticket.refresh_from_db()
    assert ticket.first_responded_at == at(23, 10)
    message = ticket.messages.get()
    assert (message.kind, message.call_duration_minutes) == (MessageKind.TELECONFERENCE, 45)
    entry = TimeEntry.objects.get()
    assert (entry.technician, entry.minutes, entry.service) == (tech1, 45, "")


def test_a_technician_is_not_booked_for_two_teleconferences_at_once(
    contact, tech1, manager, org, clock
):
    plan = factories.custom_plan(manager, services=("teleconference",))
    subscription_create(actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
                        ends_on=date(2027, 10, 31))  # fmt: skip
    ticket = factories.ticket(contact=contact)
    services.teleconference_schedule(actor=tech1, ticket=ticket, starts_at=at(24, 10), minutes=60,
                                     join_url="https://meet.example/a")  # fmt: skip
    with pytest.raises(BookingConflict) as caught:
        services.teleconference_schedule(actor=tech1, ticket=ticket, starts_at=at(24, 10, 30),
                                         minutes=30, join_url="https://meet.example/b")  # fmt: skip
    assert caught.value.conflicts[0]["kind"] == "technician"


def test_a_no_show_is_recorded_without_time_or_response(contact, tech1, manager, org, clock):
    plan = factories.custom_plan(manager, services=("teleconference",))
    subscription_create(actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
                        ends_on=date(2027, 10, 31))  # fmt: skip
    ticket = factories.ticket(contact=contact)
    session = services.teleconference_schedule(
        actor=tech1, ticket=ticket, starts_at=at(23, 10), minutes=30, join_url="https://m.example/x"
    )
    clock.move_to(at(23, 10, 20))
    services.session_no_show(actor=tech1, session=session, note="Personne")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    assert not TimeEntry.objects.exists()
    assert ticket.events.filter(action=Event.Action.SESSION, data__change="no_show").exists()


def test_a_calendar_feed_opens_with_its_token_until_revoked(trainer, manager, clock):
    feed = services.calendar_feed_create(actor=trainer)
    token = services.feed_token(feed)
    assert services.feed_for_token(token) == feed
    assert services.feed_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    services.calendar_feed_revoke(actor=manager, feed=feed)
    assert services.feed_for_token(token) is None


def test_only_a_manager_opens_a_feed_for_someone_else(trainer, tech1, clock):
    with pytest.raises(NotAllowed):
        services.calendar_feed_create(actor=tech1, person=trainer)


def test_time_off_ends_after_it_starts(trainer, clock):
    with pytest.raises(InvalidInput) as caught:
        services.time_off_add(actor=trainer, person=trainer, starts_at=at(25, 9),
                              ends_at=at(25, 9) - timedelta(hours=1))  # fmt: skip
    assert caught.value.field == "ends_at"


def test_periods_are_kept_in_order(contact, clock):
    training = factories.training_request(
        contact=contact, preferred=((at(2, 8, month=12), at(2, 12, month=12)),
                                    (at(30, 8), at(30, 12)))
    )  # fmt: skip
    assert [p.starts_at for p in training.preferred.all()] == [at(30, 8), at(2, 8, month=12)]


def test_periods_accept_whole_days(contact, clock):
    day = Period(at(30, 0), at(1, 0, month=12))
    training = factories.training_request(
        contact=contact, preferred=((day.starts_at, day.ends_at),)
    )
    assert training.preferred.get().ends_at - training.preferred.get().starts_at == timedelta(
        days=1
    )


def test_more_attendees_than_a_booked_room_holds_is_refused_later_too(
    contact, trainer, room, manager
):
    training = factories.training_request(contact=contact)  # three attendees, room of eight
    _schedule(training, trainer, room)
    with pytest.raises(BookingConflict) as caught:
        services.training_request_update(actor=manager, training=training, attendee_count=9)
    assert (caught.value.field, caught.value.conflicts[0]["kind"]) == ("attendee_count", "capacity")
    with pytest.raises(BookingConflict) as caught:
        services.room_save(actor=manager, room=room, name=room.name, capacity=2)
    assert caught.value.field == "capacity"
    room.refresh_from_db()
    training.refresh_from_db()
    assert (room.capacity, training.attendee_count) == (8, 3)
    services.room_save(actor=manager, room=room, name=room.name, capacity=3)  # still holds them


def test_the_client_and_the_trainer_each_read_the_email_written_for_them(
    contact, trainer, room, manager, org
):
    from soutien.outbound import rendering

    _training_bank(manager, org)
    _schedule(factories.training_request(contact=contact), trainer, room)
    to_client = OutboundEmail.objects.get(template="session_invitation", to_address=contact.email)
    to_trainer = OutboundEmail.objects.get(template="session_invitation", to_address=trainer.email)
    for row in (to_client, to_trainer):
        rendering.render(row)
    assert "Nous vous proposons la séance de formation suivante." in to_client.text
    assert "votre forfait « Support personnalisé » (il reste 10 h 00)" in to_client.text
    assert "/portail/demandes/" in to_client.text
    assert "Une séance avec Ville de Saint-Laurent vous est confiée." in to_trainer.text
    assert "le forfait « Support personnalisé » du client" in to_trainer.text
    assert "/console/demandes/" in to_trainer.text
