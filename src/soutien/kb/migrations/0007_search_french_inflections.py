"""Index the articles again: stems made in Python on both backends, French inflections met.

"décalés" now meets "décalée" and "échouent" meets "échoue" (see `kb.search.text.stem`);
PostgreSQL stores the same stems as SQLite (configuration `simple`).
"""

from django.db import migrations


def reindex(apps, schema_editor):
    from soutien.kb import markdown
    from soutien.kb.search import Document
    from soutien.kb.search.postgres import PostgresBackend
    from soutien.kb.search.sqlite import SqliteBackend

    vendor = schema_editor.connection.vendor
    search = PostgresBackend() if vendor == "postgresql" else SqliteBackend()
    Article = apps.get_model("kb", "Article")
    batch = []
    published = Article.objects.filter(status="published").order_by("pk")
    for article in published.iterator(chunk_size=500):
        codes = [line.strip() for line in article.error_codes.splitlines() if line.strip()]
        batch.append(
            Document(
                article_id=article.pk,
                language=article.language,
                kind=article.kind,
                visibility=article.visibility,
                group=article.group,
                title=article.title,
                codes="\n".join(codes),
                summary=article.summary,
                body=markdown.plain_text(article.body_html),
            )
        )
        if len(batch) == 500:
            search.index(batch)
            batch = []
    search.index(batch)
    if vendor == "postgresql":
        # The counters of the old lexemes are now zero.
        schema_editor.execute("DELETE FROM kb_search_term WHERE documents <= 0")


class Migration(migrations.Migration):
    dependencies = [("kb", "0006_search_sqlite_meta")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
