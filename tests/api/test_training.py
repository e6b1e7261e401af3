"""The training and teleconference API: the names and fields of SPEC and the issue, 409 that
names what conflicts, 4xx with the field for bad input, a client only for its organization."""

from __future__ import annotations

from datetime import date, datetime

import icalendar
import pytest
import vobject

from soutien.contracts.services import subscription_create
from soutien.ticketing.models import Ticket
from soutien.training.models import Room, Session, TrainingRequest
from tests import factories
from tests.training.fixtures import *  # noqa: F403  (the clock, trainer and room fixtures)
from tests.training.fixtures import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _ask(api, **changes):
    payload = {
        "subject": "internals",
        "place": "vendor",
        "attendees": ["Ana", {"name": "Bruno", "email": "bruno@ville.example"}],
        "preferred": [{"from": "2026-11-25", "to": "2026-11-26"}],
        "language": "fr",
        **changes,
    }
    return api.post("training-requests", payload)


def _session_payload(trainer, room, start=None, end=None, **extra):
    return {
        "trainer": trainer.pk,
        "room": room.pk if room else None,
        "starts_at": (start or at(25, 9)).isoformat(),
        "ends_at": (end or at(25, 12)).isoformat(),
        **extra,
    }


def test_a_client_asks_for_training_and_gets_a_request_number(api_as, contact, org):
    r = _ask(api_as(contact))
    assert r.status_code == 201, r.content
    body = r.json()
    training = TrainingRequest.objects.get(pk=body["id"])
    assert body["ticket"] == training.ticket_id
    assert body["number"] == str(training.ticket_id)
    assert (body["organization"], body["contact"]) == (org.pk, contact.pk)
    assert body["attendees"] == [
        {"name": "Ana"},
        {"name": "Bruno", "email": "bruno@ville.example"},
    ]
    assert body["attendee_count"] == 2
    # A whole day given as dates: from its midnight to the next day's (the last day included).
    assert body["preferred"] == [
        {"from": "2026-11-25T00:00:00-05:00", "to": "2026-11-27T00:00:00-05:00"}
    ]
    assert training.ticket.kind == "training"
    ticket = api_as(contact).get(f"tickets/{training.ticket_id}").json()
    assert ticket["kind"] == "training"


def test_staff_ask_on_a_clients_behalf(api_as, manager, contact, org):
    r = _ask(api_as(manager), organization=org.pk, contact=contact.pk, channel="phone")
    assert r.status_code == 201, r.content
    assert Ticket.objects.get(pk=r.json()["ticket"]).channel == "phone"


def test_a_client_cannot_ask_for_another_organization(api_as, contact, other_org):
    stranger = factories.contact(other_org)
    r = _ask(api_as(contact), organization=other_org.pk, contact=stranger.pk)
    assert r.status_code == 404
    assert not TrainingRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": "other"}, "subject_detail"),
        ({"place": "client"}, "address"),
        ({"attendees": []}, "attendees"),
        ({"preferred": [{"from": "2026-11-27T12:00:00-05:00", "to": "2026-11-27T09:00:00-05:00"}]},
         "preferred"),
        ({"preferred": [{"from": "2026-11-27T09:00:00", "to": "2026-11-27T12:00:00"}]},
         "preferred"),
    ],
)  # fmt: skip
def test_bad_training_requests_answer_422_with_the_field(api_as, contact, changes, field):
    r = _ask(api_as(contact), **changes)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field


def test_staff_schedule_a_session_and_a_clash_answers_409_naming_it(
    api_as, manager, contact, trainer, room
):
    training_id = _ask(api_as(contact)).json()["id"]
    api = api_as(manager)
    r = api.post(f"training-requests/{training_id}/sessions", _session_payload(trainer, room))
    assert r.status_code == 201, r.content
    first = r.json()
    assert first["status"] == "proposed"
    assert (first["host"], first["room"], first["sequence"]) == (trainer.pk, room.pk, 0)
    assert first["uid"].endswith("@127.0.0.1")

    other_trainer = factories.trainer()
    r = api.post(
        f"training-requests/{training_id}/sessions",
        _session_payload(other_trainer, room, at(25, 11), at(25, 14)),
    )
    assert r.status_code == 409
    body = r.json()
    assert body["detail"].startswith("Ce moment n'est pas libre")
    assert body["conflicts"] == [
        {
            "kind": "room",
            "session": first["id"],
            "room": room.pk,
            "name": "Salle Laurentides",
            "starts_at": "2026-11-25T09:00:00-05:00",
            "ends_at": "2026-11-25T12:00:00-05:00",
        }
    ]
    r = api.post(
        f"training-requests/{training_id}/sessions",
        _session_payload(trainer, factories.room(), at(25, 10), at(25, 11)),
    )
    assert r.status_code == 409
    assert [c["kind"] for c in r.json()["conflicts"]] == ["trainer"]


def test_a_room_too_small_answers_409_with_capacity(api_as, manager, contact, trainer):
    small = factories.room(capacity=1)
    training_id = _ask(api_as(contact)).json()["id"]
    r = api_as(manager).post(
        f"training-requests/{training_id}/sessions", _session_payload(trainer, small)
    )
    assert r.status_code == 409
    assert r.json()["conflicts"] == [
        {"kind": "capacity", "room": small.pk, "name": small.name, "capacity": 1, "attendees": 2}
    ]
    assert r.json()["field"] == "starts_at"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"starts_at": "2026-11-25T12:00:00-05:00", "ends_at": "2026-11-25T09:00:00-05:00"},
         "ends_at"),
        # Thursday December 24 evening into Christmas day, without override.
        ({"starts_at": "2026-12-24T20:00:00-05:00", "ends_at": "2026-12-25T02:00:00-05:00"},
         "ends_at"),
        ({"room": 999_999}, "room"),
        ({"trainer": "tech"}, "trainer"),
        ({"starts_at": "2026-11-25T09:00:00"}, "starts_at"),
    ],
)  # fmt: skip
def test_bad_sessions_answer_4xx_with_the_field(
    api_as, manager, contact, trainer, room, tech1, payload, field
):
    training_id = _ask(api_as(contact)).json()["id"]
    if payload.get("trainer") == "tech":
        payload = {**payload, "trainer": tech1.pk}
    r = api_as(manager).post(
        f"training-requests/{training_id}/sessions",
        {**_session_payload(trainer, room), **payload},
    )
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert not Session.objects.exists()


def test_a_client_neither_schedules_nor_sees_another_organizations_training(
    api_as, contact, other_org, trainer, room
):
    training_id = _ask(api_as(contact)).json()["id"]
    r = api_as(contact).post(
        f"training-requests/{training_id}/sessions", _session_payload(trainer, room)
    )
    assert r.status_code == 403
    stranger = api_as(factories.client_admin(other_org))
    assert stranger.get(f"training-requests/{training_id}").status_code == 404
    assert stranger.get(f"training-requests/{training_id}/slots").status_code == 403
    assert stranger.get("training-requests").json() == []


def test_slots_are_suggested_within_the_preferred_days(api_as, manager, contact, trainer, room):
    training_id = _ask(api_as(contact)).json()["id"]
    r = api_as(manager).get(f"training-requests/{training_id}/slots?days=14&minutes=240&count=2")
    assert r.status_code == 200, r.content
    assert r.json() == [
        {"starts_at": "2026-11-25T08:00:00-05:00", "ends_at": "2026-11-25T12:00:00-05:00",
         "trainer": trainer.pk, "trainer_name": "Tina Formatrice", "room": room.pk,
         "room_name": "Salle Laurentides"},
        {"starts_at": "2026-11-25T12:00:00-05:00", "ends_at": "2026-11-25T16:00:00-05:00",
         "trainer": trainer.pk, "trainer_name": "Tina Formatrice", "room": room.pk,
         "room_name": "Salle Laurentides"},
    ]  # fmt: skip


def test_the_client_accepts_and_downloads_the_invitation(api_as, manager, contact, trainer, room):
    training_id = _ask(api_as(contact)).json()["id"]
    session = (
        api_as(manager)
        .post(f"training-requests/{training_id}/sessions", _session_payload(trainer, room))
        .json()
    )
    client = api_as(contact)
    r = client.post(f"sessions/{session['id']}/accept")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["sequence"]) == ("confirmed", 1)
    r = client.get(session["invitation"])
    assert r.status_code == 200
    assert r["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    event = icalendar.Calendar.from_ical(r.content).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert vobject.readOne(r.content.decode()).vevent.uid.value == session["uid"]


def test_the_client_asks_for_another_date_and_staff_move_the_session(
    api_as, manager, contact, trainer, room
):
    training_id = _ask(api_as(contact)).json()["id"]
    session = (
        api_as(manager)
        .post(f"training-requests/{training_id}/sessions", _session_payload(trainer, room))
        .json()
    )
    r = api_as(contact).post(f"sessions/{session['id']}/another-date", {"note": "Jeudi?"})
    assert r.json()["change_request"] == "Jeudi?"
    r = api_as(manager).patch(
        f"sessions/{session['id']}",
        {"starts_at": at(26, 13).isoformat(), "ends_at": at(26, 16).isoformat()},
    )
    assert r.status_code == 200, r.content
    moved = r.json()
    assert (moved["uid"], moved["sequence"], moved["change_request"]) == (session["uid"], 1, "")


def test_moving_a_session_with_a_null_bridge_keeps_it_and_is_not_a_server_error(
    api_as, manager, contact, trainer, room
):
    """Found by the API fuzzing: `"bridge": null` crashed the NUL check with a 500."""
    training_id = _ask(api_as(contact)).json()["id"]
    session = (
        api_as(manager)
        .post(f"training-requests/{training_id}/sessions", _session_payload(trainer, room))
        .json()
    )
    r = api_as(manager).patch(f"sessions/{session['id']}", {"bridge": None, "location": "Salle B"})
    assert r.status_code == 200, r.content
    assert r.json()["bridge"] == session["bridge"]
    r = api_as(manager).patch(f"sessions/{session['id']}", {"bridge": "a\u0000b"})
    assert r.status_code == 422


def test_held_session_hours_land_in_the_training_plan_to_the_minute(
    api_as, manager, contact, trainer, room, org, clock
):
    plan = factories.custom_plan(manager, services=("training",), minutes=600)
    subscription_create(actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
                        ends_on=date(2027, 10, 31))  # fmt: skip
    training_id = _ask(api_as(contact)).json()["id"]
    api = api_as(manager)
    session = api.post(
        f"training-requests/{training_id}/sessions",
        _session_payload(trainer, room, at(25, 9), at(25, 12, 15)),
    ).json()
    clock.move_to(at(25, 12, 30))
    r = api.post(f"sessions/{session['id']}/held", {})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["held_minutes"]) == ("held", 195)
    entries = api.get(f"tickets/{session['ticket']}/time-entries").json()
    bank = api.get(f"organizations/{org.pk}/hour-banks").json()
    (training_bank,) = [b for b in bank if b["total_minutes"] == 600]
    assert entries == [
        {
            "id": r.json()["time_entry"],
            "ticket": session["ticket"],
            "technician": trainer.pk,
            "started_at": "2026-11-25T09:00:00-05:00",
            "minutes": 195,
            "note": "Formation : Cœur de l'application, en profondeur",
            "allocations": [{"bank": training_bank["id"], "minutes": 195}],
            "overage_minutes": 0,
            "billable": False,
        }
    ]
    assert training_bank["used_minutes"] == 195


def test_cancel_answers_the_cancelled_session_and_frees_the_room(
    api_as, manager, contact, trainer, room
):
    training_id = _ask(api_as(contact)).json()["id"]
    api = api_as(manager)
    session = api.post(
        f"training-requests/{training_id}/sessions", _session_payload(trainer, room)
    ).json()
    r = api.post(f"sessions/{session['id']}/cancel", {"reason": "Tempête"})
    assert (r.status_code, r.json()["status"], r.json()["sequence"]) == (200, "cancelled", 1)
    ics = api.get(session["invitation"])
    assert ics["Content-Type"] == "text/calendar; method=CANCEL; charset=utf-8"
    again = api.post(f"training-requests/{training_id}/sessions", _session_payload(trainer, room))
    assert again.status_code == 201


def _teleconference_plan(manager, org):
    plan = factories.custom_plan(manager, services=("teleconference",))
    subscription_create(actor=manager, organization=org, plan=plan, starts_on=date(2026, 11, 1),
                        ends_on=date(2027, 10, 31))  # fmt: skip


def test_a_teleconference_on_a_request_counts_as_its_first_response(
    api_as, tech1, manager, contact, org, clock
):
    _teleconference_plan(manager, org)
    ticket = api_as(contact).post("tickets", {"subject": "Mise en page"}).json()
    assert ticket["sla"]["first_responded_at"] is None
    api = api_as(tech1)
    r = api.post(
        f"tickets/{ticket['id']}/teleconferences",
        {"starts_at": at(23, 9, 30).isoformat(), "minutes": 20,
         "join_url": "https://meet.example/soutien"},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    session = r.json()
    assert (session["kind"], session["host"], session["minutes"]) == (
        "teleconference",
        tech1.pk,
        20,
    )
    r = api.post(f"tickets/{ticket['id']}/teleconferences",
                 {"starts_at": at(23, 9, 40).isoformat(), "minutes": 20, "bridge": "5550100"})  # fmt: skip
    assert r.status_code == 409
    assert r.json()["conflicts"][0]["kind"] == "technician"
    clock.move_to(at(23, 10))
    assert api.post(f"sessions/{session['id']}/held", {"summary": "Réglé"}).status_code == 200
    ticket = api_as(contact).get(f"tickets/{ticket['id']}").json()
    assert ticket["sla"]["first_responded_at"] == "2026-11-23T09:30:00-05:00"
    (message,) = api.get(f"tickets/{ticket['id']}/messages").json()
    assert (message["kind"], message["body"], message["duration_minutes"]) == (
        "teleconference",
        "Réglé",
        20,
    )


def test_a_teleconference_needs_a_plan_that_includes_it(api_as, tech1, contact):
    ticket = factories.ticket(contact=contact)
    r = api_as(tech1).post(
        f"tickets/{ticket.pk}/teleconferences",
        {"starts_at": at(24, 10).isoformat(), "minutes": 30, "join_url": "https://m.example/x"},
    )
    assert r.status_code == 422
    assert r.json()["field"] == "ticket"


def test_a_client_cannot_schedule_a_teleconference(api_as, contact, manager, org):
    _teleconference_plan(manager, org)
    ticket = factories.ticket(contact=contact)
    r = api_as(contact).post(
        f"tickets/{ticket.pk}/teleconferences",
        {"starts_at": at(24, 10).isoformat(), "minutes": 30, "join_url": "https://m.example/x"},
    )
    assert r.status_code == 403


def test_rooms_are_listed_and_added_by_managers(api_as, manager, tech1, room):
    r = api_as(manager).post(
        "rooms",
        {"name": "Salle Outaouais", "capacity": 12, "equipment": ["projecteur", "12 postes"]},
    )
    assert r.status_code == 201, r.content
    assert r.json()["equipment"] == ["projecteur", "12 postes"]
    names = [item["name"] for item in api_as(tech1).get("rooms").json()]
    assert names == ["Salle Laurentides", "Salle Outaouais"]
    assert api_as(tech1).post("rooms", {"name": "X", "capacity": 2}).status_code == 403
    duplicate = api_as(manager).post("rooms", {"name": "salle outaouais", "capacity": 3})
    assert (duplicate.status_code, duplicate.json()["field"]) == (422, "name")
    assert Room.objects.count() == 2


def test_a_calendar_feed_is_read_without_signing_in_until_revoked(
    api_as, manager, contact, trainer, room, client
):
    training_id = _ask(api_as(contact)).json()["id"]
    api_as(manager).post(
        f"training-requests/{training_id}/sessions", _session_payload(trainer, room)
    )
    r = api_as(trainer).post("calendar-feeds", {})
    assert r.status_code == 201, r.content
    feed = r.json()
    assert feed["url"].startswith("http://127.0.0.1:8000/api/v1/feeds/")
    assert feed["webcal_url"].startswith("webcal://127.0.0.1:8000/api/v1/feeds/")
    path = feed["url"].removeprefix("http://127.0.0.1:8000")
    r = client.get(path)
    assert r.status_code == 200
    assert r["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(icalendar.Calendar.from_ical(r.content).walk("VEVENT")) == 1
    assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    assert api_as(trainer).delete(f"calendar-feeds/{feed['id']}").status_code == 204
    assert client.get(path).status_code == 404


def test_time_off_is_recorded_and_blocks_booking(api_as, manager, contact, trainer, room):
    r = api_as(trainer).post(
        "time-off",
        {"starts_at": at(25, 0).isoformat(), "ends_at": at(26, 0).isoformat(), "reason": "Congé"},
    )
    assert r.status_code == 201, r.content
    training_id = _ask(api_as(contact)).json()["id"]
    r = api_as(manager).post(
        f"training-requests/{training_id}/sessions", _session_payload(trainer, room)
    )
    assert r.status_code == 409
    assert r.json()["conflicts"][0]["reason"] == "time_off"


def test_the_openapi_document_lists_the_training_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/training-requests",
        "/api/v1/training-requests/{training_id}/sessions",
        "/api/v1/training-requests/{training_id}/slots",
        "/api/v1/rooms",
        "/api/v1/tickets/{ticket_id}/teleconferences",
        "/api/v1/sessions/{session_id}/invitation.ics",
        "/api/v1/sessions/{session_id}/held",
        "/api/v1/sessions/{session_id}/cancel",
    ):
        assert path in paths, path


def test_dates_in_answers_use_the_callers_zone(api_as, org, trainer, room, manager):
    vancouver = factories.contact(org)
    vancouver.time_zone = "America/Vancouver"
    vancouver.save()
    training_id = _ask(api_as(vancouver)).json()["id"]
    api_as(manager).post(
        f"training-requests/{training_id}/sessions", _session_payload(trainer, room)
    )
    (session,) = api_as(vancouver).get(f"training-requests/{training_id}").json()["sessions"]
    assert datetime.fromisoformat(session["starts_at"]).utcoffset().total_seconds() == -8 * 3600


def _write_endpoints(training_id: int, ticket_id: int, session_id: int) -> list[tuple[str, str]]:
    return [
        ("post", "training-requests"),
        ("patch", f"training-requests/{training_id}"),
        ("post", f"training-requests/{training_id}/sessions"),
        ("post", f"tickets/{ticket_id}/teleconferences"),
        ("post", "rooms"),
        ("patch", f"sessions/{session_id}"),
        ("post", f"sessions/{session_id}/held"),
        ("post", f"sessions/{session_id}/cancel"),
        ("post", f"sessions/{session_id}/another-date"),
        ("post", "time-off"),
        ("post", "calendar-feeds"),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "{",
        "[1, 2",
        '{"starts_at": "yesterday", "ends_at": 12, "trainer": "x", "minutes": -1}',
        '{"trainer": 1000000000000000000000000000000, "room": -5, "attendees": [null]}',
        '{"subject": "basics\\u0000", "place": "vendor", "name": "\\u0000", "capacity": 0}',
        '{"preferred": [{"from": "2026-13-45"}], "minutes": 100000, "join_url": 5}',
    ],
)
def test_bad_input_on_every_training_endpoint_is_never_a_500_and_creates_nothing(
    api_as, manager, contact, trainer, room, raw
):
    training = factories.training_request(contact=contact)
    session_id = (
        api_as(manager)
        .post(f"training-requests/{training.pk}/sessions", _session_payload(trainer, room))
        .json()["id"]
    )
    api = api_as(manager)
    before = (Session.objects.count(), TrainingRequest.objects.count(), Room.objects.count())
    for method, path in _write_endpoints(training.pk, training.ticket_id, session_id):
        r = api._send(method, path, raw=raw)
        # Fields an endpoint does not take are ignored (a PATCH of nothing answers 200).
        assert r.status_code < 500, (path, r.status_code, r.content[:300])
        assert r["Content-Type"].startswith("application/json"), path
        if r.status_code >= 400:
            assert r.json()["detail"], path
        elif method == "post" and path not in (f"sessions/{session_id}/cancel", "calendar-feeds"):
            pytest.fail(f"{path} accepted {raw!r}")
    after = (Session.objects.count(), TrainingRequest.objects.count(), Room.objects.count())
    assert after == before
