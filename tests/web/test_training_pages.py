"""Training pages: the client asks and answers in the portal; staff schedule from suggested
slots, move, cancel and record sessions in the console; the week of a person or a room; the
public support page lists the offer. Every form error is shown on its form with status 400."""

from __future__ import annotations

from datetime import date

import icalendar
import pytest
from django.urls import reverse

from soutien.contracts.services import subscription_create
from soutien.ticketing.models import Kind
from soutien.training import services
from soutien.training.models import (
    CalendarFeed,
    Room,
    Session,
    SessionStatus,
    TimeOff,
    TrainingRequest,
)
from tests import factories
from tests.training.fixtures import *  # noqa: F403  (the clock, trainer and room fixtures)
from tests.training.fixtures import at
from tests.web.helpers import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _proposed(contact, trainer, room, start=None, end=None) -> Session:
    training = factories.training_request(contact=contact)
    return services.session_schedule(
        actor=trainer, training=training, trainer=trainer, room=room,
        starts_at=start or at(25, 9), ends_at=end or at(25, 12),
    )  # fmt: skip


# -- portal ----------------------------------------------------------------------------------


def test_a_client_asks_for_training_in_the_portal(contact, trainer):
    client = signed_in(contact)
    page = client.get(reverse("portal:training_new"))
    assert page.status_code == 200
    assert "Principes de base de la gestion de contenu" in page.content.decode()
    r = client.post(
        reverse("portal:training_new"),
        {
            "subject": "internals", "subject_detail": "", "place": "client",
            "address": "1200, rue Principale, Saint-Laurent", "attendees": "Ana\nBruno, bruno@x.example",
            "attendee_count": "6", "language": "fr", "from_1": "2026-11-30", "to_1": "2026-12-02",
        },
    )  # fmt: skip
    training = TrainingRequest.objects.get()
    assert r.status_code == 302
    assert r["Location"] == reverse("portal:training", args=[training.pk])
    assert training.ticket.kind == Kind.TRAINING
    assert training.attendees == [{"name": "Ana"}, {"name": "Bruno", "email": "bruno@x.example"}]
    (period,) = training.preferred.all()
    assert (period.starts_at, period.ends_at) == (at(30, 0), at(3, 0, month=12))
    detail = client.get(r["Location"]).content.decode()
    assert "1200, rue Principale" in detail
    assert "30 novembre 2026 \N{EN DASH} 2 décembre 2026" in detail


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "other"}, "subject_detail"),
        ({"place": "client"}, "address"),
        ({"attendees": "Ana, pas-une-adresse"}, "attendees"),
        ({"from_1": "2026-12-05", "to_1": "2026-12-01"}, "to_1"),
        ({"from_1": "2026-11-01"}, None),  # already over: the service says so on the form
    ],
)
def test_a_bad_training_request_shows_its_errors_on_the_form(contact, data, field):
    base = {"subject": "basics", "place": "vendor", "attendees": "Ana", "language": "fr"}
    r = signed_in(contact).post(reverse("portal:training_new"), {**base, **data})
    assert r.status_code == 400
    form = r.context["form"]
    assert form.errors.get(field or "__all__"), form.errors
    assert not TrainingRequest.objects.exists()


def test_the_client_sees_the_proposal_accepts_it_and_downloads_the_invitation(
    contact, trainer, room
):
    session = _proposed(contact, trainer, room)
    client = signed_in(contact)
    page = client.get(reverse("portal:training", args=[session.training_id])).content.decode()
    assert "Proposée" in page
    assert "Accepter cette date" in page
    r = client.post(reverse("portal:session_accept", args=[session.pk]))
    assert r.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CONFIRMED
    page = client.get(reverse("portal:training", args=[session.training_id])).content.decode()
    assert "Confirmée" in page
    assert "Accepter cette date" not in page
    ics = client.get(reverse("portal:session_invitation", args=[session.pk]))
    assert ics["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    assert str(icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"


def test_the_client_asks_for_another_date(contact, trainer, room):
    session = _proposed(contact, trainer, room)
    r = signed_in(contact).post(
        reverse("portal:session_another_date", args=[session.pk]), {"note": "Plutôt le jeudi"}
    )
    assert r.status_code == 302
    session.refresh_from_db()
    assert session.change_request == "Plutôt le jeudi"


def test_another_organization_sees_nothing_of_it(contact, trainer, room, other_org):
    session = _proposed(contact, trainer, room)
    stranger = signed_in(factories.client_admin(other_org))
    for name, arg in (
        ("portal:training", session.training_id),
        ("portal:session_invitation", session.pk),
    ):
        assert stranger.get(reverse(name, args=[arg])).status_code == 404
    assert stranger.post(reverse("portal:session_accept", args=[session.pk])).status_code == 404
    assert "Principes de base" not in stranger.get(reverse("portal:trainings")).content.decode()


def test_the_portal_request_page_shows_its_teleconference(contact, tech1, manager, org):
    plan = factories.custom_plan(manager, services=("teleconference",))
    subscription_create(actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
                        ends_on=date(2027, 10, 31))  # fmt: skip
    ticket = factories.ticket(contact=contact)
    services.teleconference_schedule(actor=tech1, ticket=ticket, starts_at=at(24, 10), minutes=30,
                                     join_url="https://meet.example/t")  # fmt: skip
    page = signed_in(contact).get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "Téléconférence avec Théo Premier" in page
    assert "https://meet.example/t" in page


# -- console ---------------------------------------------------------------------------------


def test_staff_file_a_training_request_for_a_client(manager, contact, org):
    r = signed_in(manager).post(
        reverse("console:training_new"),
        {"organization": org.pk, "contact": contact.pk, "channel": "phone", "subject": "basics",
         "place": "remote", "attendees": "Ana", "language": "fr"},
    )  # fmt: skip
    training = TrainingRequest.objects.get()
    assert r["Location"] == reverse("console:training", args=[training.pk])
    assert (training.ticket.channel, training.ticket.created_by) == ("phone", manager)


def test_the_trainer_books_a_suggested_slot(contact, trainer, room):
    training = factories.training_request(contact=contact)
    client = signed_in(trainer)
    page = client.get(reverse("console:training", args=[training.pk]))
    slots = page.context["slots"]
    assert slots[0].starts_at == at(24, 8)
    assert 'name="starts_at" value="2026-11-24T08:00"' in page.content.decode()
    r = client.post(
        reverse("console:session_schedule", args=[training.pk]),
        {"trainer": trainer.pk, "room": room.pk, "starts_at": "2026-11-24T08:00",
         "ends_at": "2026-11-24T11:00"},
    )  # fmt: skip
    assert r.status_code == 302
    session = Session.objects.get()
    assert (session.starts_at, session.status, session.host) == (at(24, 8), "proposed", trainer)
    partial = client.get(reverse("console:training_slots", args=[training.pk]), {"minutes": 60})
    assert partial.context["slots"][0].starts_at == at(24, 11)


def test_a_clash_in_the_console_is_shown_on_the_form(contact, trainer, room):
    first = _proposed(contact, trainer, room)
    r = signed_in(trainer).post(
        reverse("console:session_schedule", args=[first.training_id]),
        {"trainer": factories.trainer().pk, "room": room.pk, "starts_at": "2026-11-25T10:00",
         "ends_at": "2026-11-25T11:00"},
    )  # fmt: skip
    assert r.status_code == 400
    errors = r.context["session_form"].errors["starts_at"]
    assert "la salle Salle Laurentides est prise" in errors[0]
    assert Session.objects.count() == 1


def test_moving_a_session_in_the_console_sends_the_update(contact, trainer, room, manager):
    session = _proposed(contact, trainer, room)
    client = signed_in(manager)
    assert client.get(reverse("console:session", args=[session.pk])).status_code == 200
    r = client.post(
        reverse("console:session_move", args=[session.pk]),
        {"host": trainer.pk, "room": room.pk, "starts_at": "2026-11-26T13:00",
         "ends_at": "2026-11-26T16:00"},
    )  # fmt: skip
    assert r.status_code == 302
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (at(26, 13), 1)
    bad = client.post(
        reverse("console:session_move", args=[session.pk]),
        {"host": trainer.pk, "starts_at": "2026-11-26T16:00", "ends_at": "2026-11-26T13:00"},
    )
    assert bad.status_code == 400
    assert bad.context["move_form"].errors["ends_at"]


def test_held_and_cancelled_from_the_console(contact, trainer, room, manager, clock):
    session = _proposed(contact, trainer, room)
    other = _proposed(contact, trainer, room, at(26, 9), at(26, 12))
    client = signed_in(manager)
    early = client.post(reverse("console:session_held", args=[session.pk]), {"minutes": 180})
    assert early.status_code == 400
    clock.move_to(at(25, 12, 30))
    client = signed_in(manager)  # the sign-in of the day before has expired
    assert client.post(reverse("console:session_held", args=[session.pk]),
                       {"minutes": 175, "summary": "Bien"}).status_code == 302  # fmt: skip
    session.refresh_from_db()
    assert (session.status, session.held_minutes) == ("held", 175)
    client.post(reverse("console:session_cancel", args=[other.pk]), {"reason": "Tempête"})
    other.refresh_from_db()
    assert other.status == "cancelled"


def test_a_teleconference_is_scheduled_from_a_request(contact, tech1, manager, org):
    ticket = factories.ticket(contact=contact)
    client = signed_in(tech1)
    data = {"starts_at": "2026-11-24T10:00", "minutes": 30, "join_url": "https://meet.example/x"}
    refused = client.post(reverse("console:teleconference_new", args=[ticket.pk]), data)
    assert refused.status_code == 400
    assert "téléconférences" in str(refused.context["form"].non_field_errors())
    plan = factories.custom_plan(manager, services=("teleconference",))
    subscription_create(actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
                        ends_on=date(2027, 10, 31))  # fmt: skip
    r = client.post(reverse("console:teleconference_new", args=[ticket.pk]), data)
    assert r.status_code == 302
    session = Session.objects.get()
    assert (session.kind, session.host, session.minutes) == ("teleconference", tech1, 30)
    page = client.get(reverse("console:ticket", args=[ticket.pk])).content.decode()
    assert reverse("console:session", args=[session.pk]) in page


def test_the_week_view_shows_a_persons_and_a_rooms_sessions(contact, trainer, room, manager):
    session = _proposed(contact, trainer, room)
    client = signed_in(manager)
    for query in ({"person": trainer.pk}, {"room": room.pk}):
        page = client.get(reverse("console:agenda"), {**query, "week": "2026-11-25"})
        days = page.context["days"]
        assert days[0].day == date(2026, 11, 23)
        assert days[2].sessions == [session]
        assert reverse("console:session", args=[session.pk]) in page.content.decode()


def test_the_week_list_pages_cost_the_same_queries_for_more_sessions(
    contact, trainer, room, manager, django_assert_max_num_queries
):
    for day in (24, 25, 26, 27):
        _proposed(contact, trainer, room, at(day, 9), at(day, 12))
    client = signed_in(manager)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("console:agenda"), {"room": room.pk}).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("console:trainings")).status_code == 200


def test_a_trainer_records_time_off_and_a_private_feed(trainer, client):
    staff = signed_in(trainer)
    bad = staff.post(reverse("console:time_off_add"),
                     {"starts_at": "2026-11-27T12:00", "ends_at": "2026-11-27T08:00"})  # fmt: skip
    assert bad.status_code == 400
    assert bad.context["time_off_form"].errors["ends_at"]
    staff.post(reverse("console:time_off_add"),
               {"starts_at": "2026-11-27T00:00", "ends_at": "2026-11-28T00:00", "reason": "Congé"})  # fmt: skip
    assert TimeOff.objects.get().reason == "Congé"
    staff.post(reverse("console:feed_create"))
    feed = CalendarFeed.objects.get()
    page = staff.get(reverse("console:agenda")).content.decode()
    address = services.feed_address(feed)
    assert address in page
    assert client.get(address.removeprefix("http://127.0.0.1:8000")).status_code == 200
    staff.post(reverse("console:feed_revoke", args=[feed.pk]))
    assert client.get(address.removeprefix("http://127.0.0.1:8000")).status_code == 404


def test_managers_add_rooms_and_others_only_see_them(manager, tech1):
    r = signed_in(manager).post(
        reverse("console:room_new"),
        {"name": "Salle Outaouais", "capacity": 12, "equipment": "projecteur, 12 postes",
         "is_active": "on"},
    )  # fmt: skip
    assert r.status_code == 302
    assert Room.objects.get().equipment == ["projecteur", "12 postes"]
    technician = signed_in(tech1)
    assert "Salle Outaouais" in technician.get(reverse("console:rooms")).content.decode()
    refused = technician.post(reverse("console:room_new"), {"name": "X", "capacity": 2})
    assert refused.status_code == 302
    assert Room.objects.count() == 1
    duplicate = signed_in(manager).post(reverse("console:room_new"),
                                        {"name": "salle outaouais", "capacity": 3})  # fmt: skip
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors["name"]


def test_the_public_support_page_lists_the_training_offer(client):
    page = client.get(reverse("public:support")).content.decode()
    assert "Formation sur mesure" in page
    assert "Cœur de l&#x27;application, en profondeur" in page
    assert "À distance" in page


def test_pages_speak_english_too(contact, trainer, room):
    session = _proposed(contact, trainer, room)
    contact.language = "en"
    contact.save()
    client = signed_in(contact)
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("portal:training", args=[session.training_id])).content.decode()
    assert "Accept this date" in page
    assert "Basics of content management" in page


def test_a_manager_gives_a_trainer_working_hours_of_their_own(manager, contact, trainer, room):
    from soutien.sla.models import ServiceCalendar

    training = factories.training_request(contact=contact)
    evening = {"trainer": trainer.pk, "room": room.pk, "starts_at": "2026-11-24T18:00",
               "ends_at": "2026-11-24T21:00"}  # fmt: skip
    console = signed_in(manager)
    refused = console.post(reverse("console:session_schedule", args=[training.pk]), evening)
    assert refused.status_code == 400
    assert "heures de travail" in refused.context["session_form"].errors["starts_at"][0]
    round_the_clock = ServiceCalendar.objects.get(name="24/7")
    r = console.post(
        reverse("console:work_calendar_set"), {"person": trainer.pk, "calendar": round_the_clock.pk}
    )
    assert r.status_code == 302
    page = console.get(reverse("console:agenda"), {"person": trainer.pk})
    assert page.context["hours_form"].initial["calendar"] == round_the_clock.pk
    booked = console.post(reverse("console:session_schedule", args=[training.pk]), evening)
    assert booked.status_code == 302
    assert Session.objects.get().starts_at == at(24, 18)
    refused = signed_in(trainer).post(
        reverse("console:work_calendar_set"), {"person": trainer.pk, "calendar": ""}
    )
    assert refused.status_code == 302  # told that only managers may, and sent back
    assert trainer.work_calendar.calendar == round_the_clock
