"""The privacy pages cost a fixed number of queries, however many rows they list."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from soutien.privacy import services
from soutien.privacy.models import AccessEntry, Incident

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _grow(manager, tech1, contact, n: int) -> None:
    for _ in range(n):
        Incident.objects.create(
            occurred_on=date(2026, 1, 1), discovered_on=date(2026, 1, 2), nature="n",
            information="i", people="p", recorded_by=manager,
        )  # fmt: skip
        services.retention_run(actor=manager, trigger="console", dry_run=True)
        services.export_request(actor=manager, person=contact)
        services.access_record(viewer=tech1, person=contact, where=AccessEntry.Where.API)


def test_privacy_pages_do_not_grow_with_their_rows(client, manager, tech1, contact):
    services.rule_set(actor=manager, kind="sign_in_log", days=90, action="delete")
    client.force_login(manager)
    urls = [
        reverse("console:privacy"),
        reverse("console:privacy_incidents"),
        reverse("console:person", args=[contact.pk]),
    ]
    _grow(manager, tech1, contact, 1)
    before = [_queries(client, url) for url in urls]
    _grow(manager, tech1, contact, 5)
    after = [_queries(client, url) for url in urls]
    assert after == before
