"""Every endpoint that takes a JSON body refuses one that is not an object: 422 with a detail."""

from __future__ import annotations

import re

import pytest

from soutien.api.v1 import api as v1

NOT_OBJECTS = ["null", "[]", "[{}]", "1", "3.5", '"x"', "true"]


def _json_writes() -> list[tuple[str, str]]:
    """(method, path) of each operation whose OpenAPI request body is JSON; ids set to 1."""
    found = []
    for path, operations in v1.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if (
                method in ("post", "put", "patch")
                and body
                and "application/json" in body["content"]
            ):
                found.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return found


WRITES = _json_writes()


def test_the_schema_lists_the_write_endpoints():
    # The parametrized test below is only as good as this list.
    assert ("patch", "/api/v1/tickets/1") in WRITES
    assert ("post", "/api/v1/auth/token") in WRITES
    assert len(WRITES) >= 30


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_body_that_is_not_an_object_is_422(api_as, manager, method, path):
    api = api_as(manager)
    for raw in NOT_OBJECTS:
        r = api._send(method, path, raw=raw)
        assert r.status_code == 422, (raw, r.status_code, r.content[:300])
        assert r["Content-Type"].startswith("application/json")
        body = r.json()
        assert isinstance(body["detail"], str), body
        assert "JSON" in body["detail"], body
        assert body["field"] == "body"


def test_patching_a_request_with_null_changes_nothing_and_says_why(api_as, manager, contact):
    from tests import factories

    ticket = factories.ticket(contact=contact)
    r = api_as(manager).patch(f"tickets/{ticket.pk}", None, raw="null")
    assert r.status_code == 422
    assert "null" in r.json()["detail"]


@pytest.mark.parametrize("raw", ["{", "not json", "[1, 2"])
def test_a_body_that_is_not_json_is_still_a_clear_400(api_as, manager, raw):
    r = api_as(manager)._send("post", "organizations", raw=raw)
    assert r.status_code == 400
    assert r.json()["detail"]
