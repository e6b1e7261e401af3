"""A time entry deleted while another request changes it: a 404 for the loser, never a 500 (D4)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client

from soutien.contracts import services
from soutien.contracts.models import TimeEntry
from soutien.core.errors import NotFound
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=EASTERN)


def _entry(manager, contact) -> TimeEntry:
    with time_machine.travel(MONDAY + timedelta(hours=2)):
        ticket = factories.ticket(contact=contact, actor=manager, received_at=MONDAY)
        return services.time_entry_create(
            actor=manager, ticket=ticket, started_at=MONDAY, minutes=30, note="Analyse"
        )


@pytest.mark.django_db
def test_changing_an_entry_someone_just_deleted_is_not_found(manager, contact):
    entry = _entry(manager, contact)
    stale = TimeEntry.objects.get(pk=entry.pk)
    services.time_entry_delete(actor=manager, entry=entry)
    with pytest.raises(NotFound):
        services.time_entry_update(actor=manager, entry=stale, minutes=45)
    with pytest.raises(NotFound):
        services.time_entry_delete(actor=manager, entry=stale)


@pytest.fixture
def deleted_while_waiting_for_the_lock(monkeypatch):
    """Another request deletes the entry after this one loaded it, before it gets the lock."""
    real = services._locked_banks
    state = {"armed": False, "done": False}

    def locked_after_a_delete(organization_id: int):
        if state["armed"] and not state["done"]:
            state["done"] = True
            entry = TimeEntry.objects.get()
            services.time_entry_delete(actor=entry.technician, entry=entry)
        return real(organization_id)

    monkeypatch.setattr(services, "_locked_banks", locked_after_a_delete)
    return state


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_api_answers_404_when_the_entry_goes_while_waiting(
    api_as, manager, contact, deleted_while_waiting_for_the_lock, method
):
    entry = _entry(manager, contact)
    api = api_as(manager)
    deleted_while_waiting_for_the_lock["armed"] = True
    if method == "patch":
        r = api.patch(f"time-entries/{entry.pk}", {"minutes": 45})
    else:
        r = api.delete(f"time-entries/{entry.pk}")
    assert deleted_while_waiting_for_the_lock["done"]
    assert r.status_code == 404, r.content
    assert r.json()["detail"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_patch_and_delete_never_give_a_500(manager, contact):
    from soutien.accounts.services import token_issue

    _, raw = token_issue(user=manager)
    headers = {"Authorization": f"Bearer {raw}"}
    statuses: list[tuple[int, int]] = []
    for _ in range(25):
        entry = _entry(manager, contact)
        barrier = threading.Barrier(2)
        answers: dict[str, int] = {}

        def send(
            method: str,
            entry_id: int = entry.pk,
            barrier: threading.Barrier = barrier,
            answers: dict[str, int] = answers,
        ) -> None:
            try:
                client = Client(raise_request_exception=False)
                barrier.wait()
                if method == "patch":
                    r = client.patch(
                        f"/api/v1/time-entries/{entry_id}",
                        data='{"minutes": 45}',
                        content_type="application/json",
                        headers=headers,
                    )
                else:
                    r = client.delete(f"/api/v1/time-entries/{entry_id}", headers=headers)
                answers[method] = r.status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=send, args=(m,)) for m in ("patch", "delete")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses.append((answers["patch"], answers["delete"]))
    assert all(delete == 204 for _, delete in statuses), statuses
    assert all(patch in (200, 404) for patch, _ in statuses), statuses
