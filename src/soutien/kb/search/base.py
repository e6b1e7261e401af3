"""The search interface both backends implement, and what they index and find."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from soutien.kb.search.text import Clause

# Articles in the language of the query score this much more.
PREFERRED_LANGUAGE_BOOST = 1.5


@dataclass(frozen=True, slots=True)
class Document:
    """What the index holds of one published article."""

    article_id: int
    language: str
    kind: str
    visibility: int
    group: str
    title: str
    codes: str
    summary: str
    body: str


@dataclass(frozen=True, slots=True)
class Hit:
    article_id: int
    group: str
    language: str
    score: float  # higher is better


class SearchBackend(ABC):
    @abstractmethod
    def index(self, documents: Iterable[Document]) -> None:
        """Add or replace these articles in the index."""

    @abstractmethod
    def remove(self, article_ids: Iterable[int]) -> None: ...

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def search(
        self,
        query: str,
        clauses: Sequence[Clause],
        *,
        prefer: str,
        max_visibility: int,
        kind: str | None,
        limit: int,
    ) -> list[Hit]:
        """Articles that match `query` in web-search syntax (every word, unless `or`)."""

    @abstractmethod
    def search_any(
        self,
        words: Sequence[str],
        phrases: Sequence[Sequence[str]],
        *,
        prefer: str,
        max_visibility: int,
        kind: str | None,
        limit: int,
    ) -> list[Hit]:
        """Articles that match any of these words or phrases, the most matching first."""

    @abstractmethod
    def frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """How many indexed articles hold each word: its document frequency.

        A word is counted as the search reads it, through its French and its English stem:
        the articles (of any language) holding either stem, each stem counted once. The same
        count on both backends, so that suggestions choose the same words.
        """

    @abstractmethod
    def groups_holding(self, words: Sequence[str], groups: Sequence[str]) -> set[str]:
        """Which of these topics have a version (in any language) holding one of these words.

        A word is read in each version's own language. For `-word`: excluding a word
        excludes the topic, whichever version names it.
        """
