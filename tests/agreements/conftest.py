"""The agreements' scenes happen on Tuesday 1 December 2026 at 10:00 Eastern (a weekday)."""

from tests.agreements.fixtures import *  # noqa: F403  (frozen, tech3, lead, level3, agreed)
