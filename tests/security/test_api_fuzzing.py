"""Schemathesis against the OpenAPI document: generated calls to every operation, never a 5xx.

The API is called in process (WSGI) over the fixture world of the authorization matrix, signed
in as a support manager and as a client administrator, with inputs the schema allows and then
inputs it forbids; path parameters name the world's own objects (organization A) so that calls
reach real rows. Each call runs in a transaction rolled back afterwards, so one call's writes do
not steer the next. Bounded: `SOUTIEN_FUZZ_EXAMPLES` valid examples per operation and role
(default 12; half as many invalid ones), and `SOUTIEN_FUZZ_SECONDS` per role at most (default
90), shared among the operations so that each is called at least once.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import HypothesisException
from schemathesis import GenerationMode

from tests.security.world import build

pytestmark = pytest.mark.security

EXAMPLES = int(os.environ.get("SOUTIEN_FUZZ_EXAMPLES", "12"))
SECONDS = float(os.environ.get("SOUTIEN_FUZZ_SECONDS", "90"))
ROLES = ("manager", "client_admin")
# Inputs the schema allows, then inputs it forbids (which must get a 4xx, never a 5xx).
MODES = {GenerationMode.POSITIVE: EXAMPLES, GenerationMode.NEGATIVE: max(EXAMPLES // 2, 1)}


class _OutOfTime(Exception):
    pass


@pytest.fixture
def wsgi_in_the_test_transaction():
    """The WSGI handler closes "old" connections around each request; the test's must stay open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.got_request_exception.connect(_remember_exception)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        signals.got_request_exception.disconnect(_remember_exception)


_LAST_EXCEPTION: list[str] = []


def _remember_exception(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """Keep the traceback of a server error: its last frames say where to fix it."""
    _LAST_EXCEPTION[:] = [traceback.format_exc(limit=-4)]


def _path_parameters(operation: Any, world: Any) -> dict[str, Any]:
    """Ids of the world's own objects (organization A) where it has them: calls reach real rows."""
    names = re.findall(r"\{(\w+)\}", operation.path)
    values = {}
    for name in names:
        known = world.ids.get(name, {})
        value = known.get("A", known.get("-"))
        if value is None or (name == "token_id"):
            return {}
        values[name] = value
    return values


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    token: str,
    path_parameters: dict[str, Any],
    deadline: float,
    calls: Counter[str],
    errors: list[str],
    notes: list[str],
) -> bool:
    @settings(
        max_examples=MODES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, path_parameters=path_parameters or None))
    def call(case: Any) -> None:
        if made and time.monotonic() > deadline:
            raise _OutOfTime
        made.append(1)
        _LAST_EXCEPTION.clear()
        with transaction.atomic():
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            transaction.set_rollback(True)
        calls["total"] += 1
        calls[mode.value] += 1
        calls[str(response.status_code)[0] + "xx"] += 1
        if response.status_code >= 500:
            errors.append(
                f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.200} "
                f"-> {response.status_code}\n{''.join(_LAST_EXCEPTION)}"
            )

    made: list[int] = []
    try:
        call()
    except _OutOfTime:
        return False
    except HypothesisException:  # nothing to vary (no input, or none that can be made invalid)
        notes.append(f"{operation.label} ({mode.value})")
    return True


def test_generated_api_calls_never_get_a_server_error(db, capsys, wsgi_in_the_test_transaction):
    world = build()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_in_the_test_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    calls: Counter[str] = Counter()
    errors: list[str] = []
    notes: list[str] = []
    covered: Counter[str] = Counter()
    cut: Counter[str] = Counter()
    for role in ROLES:
        for mode in MODES:
            # Each operation gets its share of the time: a slow one (a PDF) is cut short, and
            # every operation is still called at least once.
            share = SECONDS * MODES[mode] / sum(MODES.values()) / len(operations)
            for operation in operations:
                fixed = _path_parameters(operation, world)
                token = world.tokens[role]
                deadline = time.monotonic() + share
                if not _fuzz(operation, mode, token, fixed, deadline, calls, errors, notes):
                    cut[f"{role} {mode.value}"] += 1
                covered[f"{role} {mode.value}"] += 1
    with capsys.disabled():
        print(
            f"\nSchemathesis: {calls['total']} generated calls over {len(operations)} operations "
            f"as {' and '.join(ROLES)} (operations covered: "
            f"{', '.join(f'{k} {n}' for k, n in covered.items())}; cut short by the time "
            f"bound: {', '.join(f'{k} {n}' for k, n in cut.items()) or 'none'}); "
            f"{calls['positive']} valid and {calls['negative']} invalid inputs; answers: "
            f"{', '.join(f'{k} {v}' for k, v in sorted(calls.items()) if k[0].isdigit())}; "
            f"{len(errors)} server errors"
        )
        if notes:
            print(f"  nothing to vary: {', '.join(sorted(set(notes)))}")
    assert not errors, "Server errors:\n" + "\n".join(errors[:30])
    assert calls["total"] > len(operations)
