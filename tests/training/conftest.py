"""Training tests run on a frozen Monday morning, 2026-11-23 09:00 Eastern time."""

from tests.training.fixtures import EASTERN, NOW, at, clock, room, trainer  # noqa: F401
