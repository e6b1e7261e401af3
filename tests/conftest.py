from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from soutien.accounts import privacy_officer
from soutien.accounts.models import Organization, User
from soutien.accounts.services import token_issue
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_language_and_zone():
    """Each test starts in the default language and time zone, whatever the one before left.

    A request through the test client activates the language it negotiates and leaves it
    active in this thread; without this, a test's outcome would depend on the tests run
    before it.
    """
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    yield
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _no_privacy_officer_yet():
    """Each test starts with the person in charge of personal information known as none.

    The foot of every page reads it at most once a minute (a cache); without this, a page's
    query count would depend on how long ago the test before it loaded a page.
    """
    cache.set(privacy_officer.CACHE_KEY, False, None)
    yield
    cache.delete(privacy_officer.CACHE_KEY)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The security runs (`-m security`) are CI steps of their own: the suite leaves them out."""
    _require_serialized_rollback(items)
    if "security" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if not item.get_closest_marker("security")]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def _require_serialized_rollback(items: list[pytest.Item]) -> None:
    """A transactional test must put the database back as it found it.

    Without `serialized_rollback`, its teardown empties every table and recreates the content
    types in another order: the next test that restores the serialized database (the browser
    tests, the concurrency tests) then fails on a duplicate content type, in random order only.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True"
            )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres_only"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: SQLite serializes writers, there is no race to test")


class Api:
    """A JSON client for /api/v1 that signs its requests with a bearer token."""

    def __init__(self, client: Client, user: User | None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = token_issue(user=user)
            self.headers["Authorization"] = f"Bearer {raw}"

    def _send(
        self, method: str, path: str, data: Any = None, raw: bytes | str | None = None, **extra: Any
    ):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        body = raw if raw is not None else (json.dumps(data) if data is not None else None)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        if body is not None:
            kwargs.setdefault("content_type", "application/json")
            kwargs["data"] = body
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path: str, **extra: Any):
        return self._send("get", path, **extra)

    def post(self, path: str, data: Any = None, **extra: Any):
        return self._send("post", path, data, **extra)

    def patch(self, path: str, data: Any = None, **extra: Any):
        return self._send("patch", path, data, **extra)

    def put(self, path: str, data: Any = None, **extra: Any):
        return self._send("put", path, data, **extra)

    def delete(self, path: str, **extra: Any):
        return self._send("delete", path, **extra)


@pytest.fixture
def api_as(client: Client):
    def make(user: User | None) -> Api:
        return Api(client, user)

    return make


@pytest.fixture
def org(db) -> Organization:
    return factories.organization("Ville de Saint-Laurent")


@pytest.fixture
def other_org(db) -> Organization:
    return factories.organization("Maple Health Inc.", language="en")


@pytest.fixture
def contact(org) -> User:
    return factories.contact(org, name="Marc Gagnon")


@pytest.fixture
def client_admin(org) -> User:
    return factories.client_admin(org, name="Julie Tremblay")


@pytest.fixture
def manager(db) -> User:
    return factories.staff(levels=(), manager=True, name="Geneviève Gestion")


@pytest.fixture
def tech1(db) -> User:
    return factories.staff(levels=(1,), name="Théo Premier")


@pytest.fixture
def tech2(db) -> User:
    return factories.staff(levels=(2,), name="Tina Second")


@pytest.fixture
def admin(db) -> User:
    return factories.staff(levels=(), admin=True, name="Alex Admin")
