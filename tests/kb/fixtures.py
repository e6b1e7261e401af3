"""Knowledge-base fixtures, shared by the tests of the kb app, the web pages and the API."""

from __future__ import annotations

import itertools

import pytest

from soutien.accounts.models import User
from soutien.kb import services
from soutien.kb.models import Article, Kind, Visibility
from tests import factories

_seq = itertools.count(1)


@pytest.fixture
def writer(db) -> User:
    return factories.staff(levels=(1,), name="Rédactrice Doc")


@pytest.fixture
def publish(writer):
    """Publish an article through the service, as the console does."""

    def make(
        title: str,
        body: str = "",
        *,
        language: str = "fr",
        kind: str = Kind.DOCUMENTATION,
        visibility: int = Visibility.PUBLIC,
        error_codes: str = "",
        summary: str = "",
        group: str = "",
        category=None,
        publish: bool = True,
    ) -> Article:
        return services.article_save(
            actor=writer,
            title=title,
            body=body or f"Texte de l'article {next(_seq)}.",
            language=language,
            kind=kind,
            visibility=visibility,
            error_codes=error_codes,
            summary=summary,
            group=group,
            category=category,
            publish=publish,
        )

    return make


__all__ = ["publish", "writer"]
