"""The consent ledger is append-only in the database too: an UPDATE of an event is refused."""

from django.db import migrations

SQLITE = """
CREATE TRIGGER newsletter_consent_never_edited
BEFORE UPDATE ON newsletter_consentevent
BEGIN
    SELECT RAISE(ABORT, 'consent events are never edited: record a new one');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS newsletter_consent_never_edited;"

POSTGRES = """
CREATE FUNCTION newsletter_consent_never_edited() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent events are never edited: record a new one';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER newsletter_consent_never_edited
BEFORE UPDATE ON newsletter_consentevent
FOR EACH ROW EXECUTE FUNCTION newsletter_consent_never_edited();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS newsletter_consent_never_edited ON newsletter_consentevent;
DROP FUNCTION IF EXISTS newsletter_consent_never_edited();
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
