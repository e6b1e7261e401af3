"""Count every organization's hours by day, so hours by month read right from the first minute.

Runs the product's own `hours.rebuild` (the same recount as `report-facts --rebuild`); a fresh
install has no time entry and skips it. Should a later schema make it fail on an old database,
migrate without data and run `report-facts --rebuild`.
"""

from django.db import migrations


def fill(apps, schema_editor):
    if not apps.get_model("contracts", "TimeEntry").objects.exists():
        return
    from soutien.reports import hours

    hours.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_hours_by_day"),
        ("contracts", "0008_reports_indexes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
