"""The agreements' scenes happen on Tuesday 1 December 2026 at 10:00 Eastern (a weekday)."""

from __future__ import annotations

import pytest
import time_machine

from tests.agreements.fixtures import *  # noqa: F403  (tech3, lead, level3, agreed)
from tests.agreements.fixtures import NOW


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
