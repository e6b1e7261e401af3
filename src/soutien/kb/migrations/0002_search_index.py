"""The full-text index: FTS5 on SQLite, unaccent + tsvector + GIN on PostgreSQL."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from soutien.kb.search.postgres import CREATE
    else:
        from soutien.kb.search.sqlite import CREATE
    for statement in CREATE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from soutien.kb.search.postgres import DROP
    else:
        from soutien.kb.search.sqlite import DROP
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
