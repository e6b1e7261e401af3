"""SQLite databases migrated while 0002 also guarded incidents with a trigger lose it: SQLite
empties tables row by row (`flush`, transactional tests), which that trigger refused."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS privacy_incident_kept_five_years;")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_register_guards")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
