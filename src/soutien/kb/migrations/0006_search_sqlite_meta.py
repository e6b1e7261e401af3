"""SQLite: what a search filters on (language, kind, visibility, topic) in a narrow table.

FTS5 reads an UNINDEXED column from the whole stored row; a search that matches thousands of
articles spent more time there than ranking them. Nothing to do on PostgreSQL.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return
    from soutien.kb.search.sqlite import META_CREATE

    for statement in META_CREATE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return
    from soutien.kb.search.sqlite import META_DROP

    for statement in META_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_search_hyphens")]

    operations = [migrations.RunPython(create, drop)]
