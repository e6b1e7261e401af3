"""The database guards the register too: a line of the access log cannot be edited, and (on
PostgreSQL) an incident younger than five years cannot be deleted, whatever code (or person with
a SQL prompt) tries. 1,830 days: five years of 366 days, as `models.INCIDENT_KEPT_DAYS`."""

from django.db import migrations

# SQLite has no TRUNCATE: emptying the database (`flush`, and every test that needs a clean one)
# deletes row by row, so there the incidents' guard is the model's; PostgreSQL empties with
# TRUNCATE, which row triggers do not see.
SQLITE = [
    """
CREATE TRIGGER privacy_access_never_edited
BEFORE UPDATE ON privacy_accessentry
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS privacy_access_never_edited;"]

POSTGRES = [
    """
CREATE FUNCTION privacy_incident_kept_five_years() RETURNS trigger AS $$
BEGIN
    IF OLD.recorded_at > now() - interval '1830 days' THEN
        RAISE EXCEPTION 'an incident is kept in the register at least five years';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
""",
    """
CREATE TRIGGER privacy_incident_kept_five_years
BEFORE DELETE ON privacy_incident
FOR EACH ROW EXECUTE FUNCTION privacy_incident_kept_five_years();
""",
    """
CREATE FUNCTION privacy_access_never_edited() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$ LANGUAGE plpgsql;
""",
    """
CREATE TRIGGER privacy_access_never_edited
BEFORE UPDATE ON privacy_accessentry
FOR EACH ROW EXECUTE FUNCTION privacy_access_never_edited();
""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS privacy_incident_kept_five_years ON privacy_incident;",
    "DROP FUNCTION IF EXISTS privacy_incident_kept_five_years();",
    "DROP TRIGGER IF EXISTS privacy_access_never_edited ON privacy_accessentry;",
    "DROP FUNCTION IF EXISTS privacy_access_never_edited();",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_privacy_register_exports_retention")]

    operations = [migrations.RunPython(forward, backward)]
