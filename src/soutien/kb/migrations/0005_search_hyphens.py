"""PostgreSQL: index the articles again, a hyphen inside a word read as a space ("ERR-4012").

The PostgreSQL backend now indexes "ERR-4012" as "err" then "4012", as SQLite does (its parser
read the number "-4012"). Nothing to do on SQLite.
"""

from django.db import migrations


def reindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from soutien.kb import markdown
    from soutien.kb.search import Document
    from soutien.kb.search.postgres import PostgresBackend

    Article = apps.get_model("kb", "Article")
    search = PostgresBackend()
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
    # The counters of the old readings ("-4012") are now zero.
    schema_editor.execute("DELETE FROM kb_search_term WHERE documents <= 0")


class Migration(migrations.Migration):
    dependencies = [("kb", "0004_search_terms")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
