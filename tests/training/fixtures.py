"""Training fixtures shared by the domain, API and page tests: a frozen Monday morning, a
trainer and a room."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from soutien.accounts.models import User
from soutien.training.models import Room
from tests import factories

EASTERN = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=EASTERN)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment of late 2026, Eastern time."""
    return datetime(2026, month, day, hour, minute, tzinfo=EASTERN)


@pytest.fixture
def clock():
    """Monday 2026-11-23 09:00 Eastern time, standing still until moved."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def trainer(db, clock) -> User:
    return factories.trainer("Tina Formatrice")


@pytest.fixture
def room(db, clock) -> Room:
    return factories.room("Salle Laurentides", capacity=8)
