"""A locked database: the API answers a JSON 503 with Retry-After, the web a page of ours (D5)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import Client

from tests import factories

BUSY_MS = 300


@pytest.fixture
def on_a_file(tmp_path) -> Iterator[object]:
    """Move the test database to a WAL file, as in production, waiting BUSY_MS for a lock.

    The test database is in memory, where SQLite locks tables at once instead of waiting; the
    data created so far is copied to the file when the test calls the returned function.
    """
    wrapper = connections["default"]
    if wrapper.vendor != "sqlite":
        pytest.skip("the busy timeout and its lock are SQLite's")
    path = tmp_path / "busy.sqlite3"
    saved = {"NAME": wrapper.settings_dict["NAME"], "OPTIONS": wrapper.settings_dict["OPTIONS"]}
    kept = []

    def move() -> None:
        wrapper.ensure_connection()
        target = sqlite3.connect(path)
        wrapper.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        kept.append(wrapper.connection)  # closing it would drop the in-memory database
        wrapper.connection = None
        wrapper.settings_dict["NAME"] = str(path)
        wrapper.settings_dict["OPTIONS"] = {
            **saved["OPTIONS"],
            "timeout": BUSY_MS / 1000,
            "init_command": f"PRAGMA foreign_keys=ON; PRAGMA busy_timeout={BUSY_MS};",
        }

    yield move
    if kept:
        if wrapper.connection is not None:
            wrapper.connection.close()
        wrapper.connection = kept[0]
        wrapper.settings_dict.update(saved)


def _hold_the_write_lock(path: str) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    return other


# Transactional, so another connection sees the data; serialized, as every such test here, or
# the next test that restores the serialized database would find rows already there.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_web_and_health_check_while_another_process_holds_the_lock(
    on_a_file, manager, org, contact, api_as, settings
):
    settings.SOUTIEN_DB_BUSY_SECONDS = 2
    api = api_as(manager)
    api.client.raise_request_exception = False
    client_user = factories.contact(org)
    on_a_file()
    other = _hold_the_write_lock(connections["default"].settings_dict["NAME"])
    try:
        r = api.post(
            "tickets",
            {"organization": org.pk, "contact": contact.pk, "subject": "Verrou", "body": "x"},
        )
        assert r.status_code == 503, r.content[:300]
        assert r["Content-Type"].startswith("application/json")
        assert r.json()["detail"]
        assert r["Retry-After"] == "2"

        browser = Client(raise_request_exception=False)
        page = browser.post(
            "/connexion/", {"username": client_user.username, "password": factories.PASSWORD}
        )
        assert page.status_code == 503
        assert page["Retry-After"] == "2"
        assert "app.css" in page.content.decode()
        assert "Soutien" in page.content.decode()

        health = browser.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}
    finally:
        other.execute("ROLLBACK")
        other.close()

    # The lock gone, the same request goes through.
    r = api.post(
        "tickets", {"organization": org.pk, "contact": contact.pk, "subject": "Verrou", "body": "x"}
    )
    assert r.status_code == 201, r.content[:300]


def test_an_unexpected_error_on_the_api_is_still_json(client, settings, monkeypatch):
    from soutien.web import views

    monkeypatch.setattr(views.sys, "exc_info", lambda: (None, None, None))
    r = client.get("/api/v1/nowhere")
    assert r.status_code == 404
    rf_response = views.server_error(r.wsgi_request)
    assert rf_response.status_code == 500
    assert rf_response["Content-Type"].startswith("application/json")
