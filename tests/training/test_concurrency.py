"""Twenty bookings at once of the same room (or the same trainer) and hour: exactly one wins,
the others get 409 (PostgreSQL: real threads and connections, the exclusion constraints)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client

from soutien.accounts.services import token_issue
from soutien.training.models import Session
from tests import factories
from tests.training.fixtures import NOW, at

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RACERS = 20


def _race(bookings: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    """POST every booking at once, each from its own thread and connection."""
    results: list[tuple[int, dict]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(bookings))
    lock = threading.Lock()

    def book(token: str, payload: dict, path: str) -> None:
        try:
            client = Client()
            barrier.wait()
            r = client.post(path, payload, content_type="application/json",
                            headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            with lock:
                results.append((r.status_code, r.json()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(token, payload, path))
        for token, payload, path in [(t, p, p.pop("_path")) for t, p in bookings]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_twenty_simultaneous_bookings_of_one_room_and_hour_one_wins_nineteen_get_409(org):
    with time_machine.travel(NOW, tick=False):
        contact = factories.contact(org)
        room = factories.room("Salle Laurentides", capacity=8)
        training = factories.training_request(contact=contact)
        manager = factories.staff(levels=(), manager=True)
        _, token = token_issue(user=manager)
        path = f"/api/v1/training-requests/{training.pk}/sessions"
        bookings = [
            (token, {"_path": path, "trainer": factories.trainer().pk, "room": room.pk,
                     "starts_at": at(25, 9).isoformat(), "ends_at": at(25, 12).isoformat()})
            for _ in range(RACERS)
        ]  # fmt: skip
        results = _race(bookings)
    assert Counter(status for status, _ in results) == {201: 1, 409: RACERS - 1}
    (winner,) = [body for status, body in results if status == 201]
    for status, body in results:
        if status == 409:
            assert [c["kind"] for c in body["conflicts"]] == ["room"], body
            assert body["conflicts"][0]["session"] == winner["id"]
    assert Session.objects.filter(room=room).count() == 1


def test_twenty_simultaneous_bookings_of_one_trainer_in_twenty_rooms_one_wins(org):
    with time_machine.travel(NOW, tick=False):
        contact = factories.contact(org)
        trainer = factories.trainer()
        training = factories.training_request(contact=contact)
        manager = factories.staff(levels=(), manager=True)
        _, token = token_issue(user=manager)
        path = f"/api/v1/training-requests/{training.pk}/sessions"
        bookings = [
            (token, {"_path": path, "trainer": trainer.pk, "room": factories.room().pk,
                     "starts_at": at(25, 9, n).isoformat(), "ends_at": at(25, 11).isoformat()})
            for n in range(RACERS)
        ]  # fmt: skip
        results = _race(bookings)
    assert Counter(status for status, _ in results) == {201: 1, 409: RACERS - 1}
    assert all(
        body["conflicts"][0]["kind"] == "trainer" for status, body in results if status == 409
    )
    assert Session.objects.filter(host=trainer).count() == 1


def test_the_database_itself_refuses_an_overlapping_row(org):
    """The exclusion constraint, not only the service's check, holds the line."""
    with time_machine.travel(NOW, tick=False):
        trainer = factories.trainer()
        room = factories.room()
        training = factories.training_request(contact=factories.contact(org))
        fields = {"kind": "training", "ticket": training.ticket, "training": training}
        Session.objects.create(**fields, host=trainer, room=room, starts_at=at(25, 9),
                               ends_at=at(25, 12))  # fmt: skip
        for overlapping in (
            {"host": trainer, "room": None},
            {"host": factories.trainer(), "room": room},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                Session.objects.create(**fields, **overlapping, starts_at=at(25, 11),
                                       ends_at=at(25, 13))  # fmt: skip
        # Touching ends and cancelled sessions do not conflict.
        Session.objects.create(**fields, host=trainer, room=room, starts_at=at(25, 12),
                               ends_at=at(25, 13))  # fmt: skip
        Session.objects.create(**fields, host=trainer, room=room, starts_at=at(25, 9),
                               ends_at=at(25, 12), status="cancelled")  # fmt: skip
