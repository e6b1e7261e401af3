"""Compute the fact of every existing request, so the reports read right from the first minute.

Runs the product's own `facts.rebuild` (the service minutes need the SLA calendars' arithmetic,
which only the current code has): a fresh install has no request and skips it. Should a later
schema make it fail on an old database, migrate without data and run `report-facts --rebuild`.
"""

from django.db import migrations


def fill(apps, schema_editor):
    if not apps.get_model("ticketing", "Ticket").objects.exists():
        return
    from soutien.reports import facts

    facts.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_request_facts"),
        ("sla", "0003_published_policy"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
