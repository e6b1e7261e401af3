"""`soutien kb import DIR` and `soutien kb export DIR`: Markdown files with YAML front matter."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

from soutien.kb import selectors
from soutien.kb.models import Article, ArticleFile, Kind, Visibility

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40

FRENCH = """---
title: Vider le cache
slug: vider-le-cache
language: fr
kind: troubleshooting
visibility: clients
category: publication
translation: cache
summary: Quand les pages ne changent pas.
error_codes: ["ERR-CACHE-7"]
---
Ouvrez **Réglages**. ![capture](images/cache.png)
"""

ENGLISH = """---
title: Clear the cache
language: en
kind: troubleshooting
translation: cache
---
Open **Settings**.
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "images").mkdir()
    (tmp_path / "fr" / "vider-le-cache.md").write_text(FRENCH, encoding="utf-8")
    (tmp_path / "fr" / "images" / "cache.png").write_bytes(PNG)
    (tmp_path / "clear-the-cache.md").write_text(ENGLISH, encoding="utf-8")
    return tmp_path


def test_import_creates_linked_versions_with_their_images_and_indexes_them(folder, writer, capsys):
    call_command("kb", "import", str(folder), "--author", writer.username)
    assert "2 created" in capsys.readouterr().out
    fr = Article.objects.get(language="fr")
    en = Article.objects.get(language="en")
    assert fr.group == en.group == "cache"
    assert (fr.kind, fr.visibility, fr.category.slug) == (
        Kind.TROUBLESHOOTING,
        Visibility.CLIENTS,
        "publication",
    )
    assert fr.codes == ["ERR-CACHE-7"]
    image = ArticleFile.objects.get()
    assert f'src="/aide/fichiers/{image.pk}/cache.png"' in fr.body_html
    assert fr.is_published
    assert [a.title for a in selectors.search(AnonymousUser(), "cache").articles] == [
        "Clear the cache"
    ]


def test_importing_the_same_folder_again_changes_nothing(folder, writer, capsys):
    call_command("kb", "import", str(folder), "--author", writer.username)
    call_command("kb", "import", str(folder), "--author", writer.username)
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert ArticleFile.objects.count() == 1
    assert Article.objects.get(language="fr").revision == 2  # created, then images attached


def test_export_then_import_gives_back_the_same_articles(folder, writer, tmp_path_factory):
    call_command("kb", "import", str(folder), "--author", writer.username)
    out = tmp_path_factory.mktemp("export")
    call_command("kb", "export", str(out))
    exported = (out / "fr" / "vider-le-cache.md").read_text(encoding="utf-8")
    assert "title: Vider le cache" in exported
    assert "](../images/" in exported
    assert list((out / "images").iterdir())
    before = {a.slug: (a.title, a.body_html.count("<img"), a.group) for a in Article.objects.all()}
    Article.objects.all().delete()
    call_command("kb", "import", str(out), "--author", writer.username)
    after = {a.slug: (a.title, a.body_html.count("<img"), a.group) for a in Article.objects.all()}
    assert after == before


def test_an_image_outside_the_folder_is_not_read(tmp_path, writer):
    (tmp_path / "secret.png").write_bytes(PNG)
    inside = tmp_path / "kb"
    inside.mkdir()
    (inside / "a.md").write_text("---\ntitle: A\n---\n![x](../secret.png)\n", encoding="utf-8")
    call_command("kb", "import", str(inside), "--author", writer.username)
    assert not ArticleFile.objects.exists()
    assert "<img" not in Article.objects.get().body_html


def test_bad_files_are_reported_and_the_others_imported(tmp_path, writer, capsys):
    (tmp_path / "good.md").write_text("---\ntitle: Bon\n---\nTexte.\n", encoding="utf-8")
    (tmp_path / "no-title.md").write_text("---\nkind: faq\n---\nTexte.\n", encoding="utf-8")
    (tmp_path / "bad-kind.md").write_text("---\ntitle: X\nkind: blog\n---\n", encoding="utf-8")
    (tmp_path / "bad-yaml.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with pytest.raises(CommandError, match="3 files"):
        call_command("kb", "import", str(tmp_path), "--author", writer.username)
    assert list(Article.objects.values_list("title", flat=True)) == ["Bon"]
    errors = capsys.readouterr().err
    assert "no-title.md" in errors
    assert "bad-kind.md" in errors


def test_import_needs_a_staff_author_and_a_folder(tmp_path, contact):
    with pytest.raises(CommandError):
        call_command("kb", "import", str(tmp_path / "missing"))
    with pytest.raises(CommandError):
        call_command("kb", "import", str(tmp_path), "--author", contact.username)


def test_reindex_rebuilds_the_search_index(writer, capsys):
    from soutien.kb import services

    services.article_save(
        actor=writer, title="Sauvegarde", body="", language="fr", kind=Kind.FAQ, publish=True
    )
    call_command("kb", "reindex")
    assert "1 published articles indexed" in capsys.readouterr().out
