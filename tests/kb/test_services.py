"""Knowledge-base services: sanitized Markdown, revisions, figures without personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from soutien.core.errors import InvalidInput, NotAllowed
from soutien.kb import services
from soutien.kb.markdown import render
from soutien.kb.models import DailySalt, Kind, VisitorMark


def test_markdown_is_rendered_and_sanitized():
    html = render(
        "# Titre\n\n[lien](javascript:alert(1)) <script>x</script> <img src=x onerror=alert(1)>\n\n"
        "![a](https://tracker.example/p.png) ![b](/aide/fichiers/3/b.png) [ok](https://ebi.example)"
    )
    assert "<h1>Titre</h1>" in html
    assert 'href="javascript:' not in html
    assert "<script" not in html
    assert "<img src=x" not in html
    assert "tracker.example" not in html
    assert '<img src="/aide/fichiers/3/b.png" alt="b">' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_clients_cannot_write_articles(contact):
    with pytest.raises(NotAllowed):
        services.article_save(actor=contact, title="X", body="", language="fr", kind=Kind.FAQ)


def test_two_versions_in_the_same_language_cannot_share_a_group(publish):
    fr = publish("Cache")
    with pytest.raises(InvalidInput):
        publish("Cache bis", group=fr.group)


def test_only_images_are_accepted_as_article_files(publish, writer):
    article = publish("Cache")
    with pytest.raises(InvalidInput):
        services.article_file_add(
            actor=writer, article=article, name="x.svg", content=b"<svg onload=alert(1)>"
        )
    with pytest.raises(InvalidInput):
        services.article_file_add(
            actor=writer, article=article, name="big.png", content=b"\x89PNG\r\n\x1a\n" * 700_000
        )


def test_a_visitor_is_counted_again_the_next_day_with_an_unlinkable_hash(publish):
    article = publish("Cache")
    services.article_viewed(article=article, visitor_key="198.51.100.1|Firefox")
    assert not services.article_viewed(article=article, visitor_key="198.51.100.1|Firefox")
    first = VisitorMark.objects.get().visitor
    with time_machine.travel(timedelta(days=1)):
        assert services.article_viewed(article=article, visitor_key="198.51.100.1|Firefox")
        second = VisitorMark.objects.exclude(visitor=first).get().visitor
        assert services.forget_past_visitors() == 1
        assert DailySalt.objects.count() == 1
    assert first != second
    article.refresh_from_db()
    assert article.view_count == 2


def test_deflection_counts_forms_that_opened_a_suggestion_and_were_not_filed(publish):
    from soutien.kb.selectors import deflection_by_week

    article = publish("Cache")
    left, filed, plain = services.form_token(), services.form_token(), services.form_token()
    services.suggestion_opened(token=left, article=article)
    services.suggestion_opened(token=filed, article=article)
    services.request_form_filed(token=filed)
    services.request_form_filed(token=plain)
    this_week = deflection_by_week(weeks=2)[0]
    assert (this_week.opened, this_week.deflected, this_week.filed) == (2, 1, 2)
    assert this_week.rate == pytest.approx(1 / 3)
    assert deflection_by_week(weeks=2)[1].rate is None
