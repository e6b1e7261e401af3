"""Terms sources: each gives the terms (calendar + target) that promise a request a first response.

The published policy always gives terms; other sources (license contracts with their own terms,
support plans with hours left) plug in by registering a `TermsSource`. The engine takes the
earliest due time of all terms: the most favorable to the client governs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SlaRequest:
    """What the terms depend on: who asked, when it arrived, and its level (None: not triaged)."""

    organization_id: int
    received_at: datetime
    level: int | None


@dataclass(frozen=True, slots=True)
class Terms:
    """A promise: a first response within `minutes` of service time on `calendar_id`."""

    source: str
    ref: int
    calendar_id: int
    minutes: int
    label_fr: str
    label_en: str
    # On equal due times the lower rank governs (the published policy first).
    rank: int = 0

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_fr

    def as_record(self) -> dict[str, object]:
        """What a request keeps of the terms that governed it."""
        return {
            "source": self.source,
            "ref": self.ref,
            "minutes": self.minutes,
            "fr": self.label_fr,
            "en": self.label_en,
        }


class TermsResolver(Protocol):
    def terms(self, request: SlaRequest, standard: Terms) -> Iterable[Terms]:
        """Terms this source grants `request`; `standard` is the published policy's."""
        ...


class TermsSource(Protocol):
    name: str

    def resolver(self, organization_ids: Collection[int]) -> TermsResolver:
        """Load what this source needs for these organizations: a few queries, not one each."""
        ...


_SOURCES: dict[str, TermsSource] = {}


def register(source: TermsSource) -> TermsSource:
    """Add a source of terms; registering the same name again replaces it."""
    _SOURCES[source.name] = source
    return source


def sources() -> list[TermsSource]:
    return [_SOURCES[name] for name in sorted(_SOURCES)]
