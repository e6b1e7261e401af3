"""No person or room booked twice at once, enforced by PostgreSQL itself.

Exclusion constraints over the sessions' time ranges (btree_gist lets `=` on the person or the
room sit beside `&&` on the range in one GiST index). They exist only on PostgreSQL: SQLite
runs the same migrations and relies on the booking service's check, which its IMMEDIATE
transactions serialize. The constraints are not in the models' state (the models cannot
declare what SQLite cannot build), so makemigrations leaves them alone.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import Func, Q


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _constraints():
    period = TsTzRange("starts_at", "ends_at", RangeBoundary())  # [starts_at, ends_at)
    # A cancelled session frees its person and room; every other state keeps them. Sessions
    # without a room never conflict on it (NULL = NULL is not true).
    return [
        ExclusionConstraint(
            name=f"session_{field}_not_double_booked",
            expressions=[(field, RangeOperators.EQUAL), (period, RangeOperators.OVERLAPS)],
            condition=~Q(status="cancelled"),
        )
        for field in ("host", "room")
    ]


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    session = apps.get_model("training", "Session")
    for constraint in _constraints():
        schema_editor.add_constraint(session, constraint)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    session = apps.get_model("training", "Session")
    for constraint in _constraints():
        schema_editor.remove_constraint(session, constraint)


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [
        # Does nothing on other databases (Django's operation checks the vendor itself).
        BtreeGistExtension(),
        migrations.RunPython(add, remove),
    ]
