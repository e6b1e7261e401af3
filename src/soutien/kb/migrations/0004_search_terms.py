"""Document frequencies for suggestions: how many articles hold each stem.

PostgreSQL: a `kb_search_term` table filled from the index (`ts_stat`) and kept exact by the
backend and by a statement trigger on deletes. SQLite: an `fts5vocab` table over the FTS5 index.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from soutien.kb.search.postgres import TERMS_CREATE
    else:
        from soutien.kb.search.sqlite import TERMS_CREATE
    for statement in TERMS_CREATE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from soutien.kb.search.postgres import TERMS_DROP
    else:
        from soutien.kb.search.sqlite import TERMS_DROP
    for statement in TERMS_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_support_contact")]

    operations = [migrations.RunPython(create, drop)]
