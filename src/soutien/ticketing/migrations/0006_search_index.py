"""Search across requests: a tsvector + GIN table on PostgreSQL, an FTS5 table on SQLite, one
row per request, filled here for the requests already there."""

from django.db import migrations


def create(apps, schema_editor):
    from soutien.ticketing import search

    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in search.PG_CREATE if postgres else search.SQLITE_CREATE:
        schema_editor.execute(statement)
    search.rebuild(model=apps.get_model("ticketing", "Ticket"))


def drop(apps, schema_editor):
    from soutien.ticketing import search

    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in search.PG_DROP if postgres else search.SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ticketing", "0005_ticket_anonymized_at"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
