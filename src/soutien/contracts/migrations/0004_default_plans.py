"""Seed the published plans and give every existing contract its hour bank."""

from django.db import migrations

SPLIT_DAY = [[8 * 60 + 30, 12 * 60 + 30], [13 * 60, 17 * 60]]


def seed(apps, schema_editor):
    ServiceCalendar = apps.get_model("sla", "ServiceCalendar")
    Plan = apps.get_model("contracts", "Plan")
    HourBank = apps.get_model("contracts", "HourBank")
    LicenseContract = apps.get_model("contracts", "LicenseContract")
    base_plus_hours, _ = ServiceCalendar.objects.get_or_create(
        name="Support de base plus",
        defaults={
            "time_zone": "America/Toronto",
            "windows": {str(day): SPLIT_DAY for day in range(5)},
            "holiday_country": "CA",
            "holiday_subdivision": "QC",
        },
    )
    round_the_clock = ServiceCalendar.objects.get(name="24/7")
    Plan.objects.get_or_create(
        code="base-plus",
        defaults={
            "name_fr": "Support de base plus",
            "name_en": "Basic support plus",
            "minutes": 600,
            "calendar": base_plus_hours,
            "services": [],
        },
    )
    Plan.objects.get_or_create(
        code="base-extra",
        defaults={
            "name_fr": "Support de base extra",
            "name_en": "Basic support extra",
            "minutes": 1200,
            "calendar": round_the_clock,
            "services": [],
        },
    )
    for contract in LicenseContract.objects.filter(bank__isnull=True):
        HourBank.objects.create(
            organization_id=contract.organization_id,
            source="contract",
            contract=contract,
            total_minutes=contract.included_minutes,
            valid_from=contract.starts_on,
            valid_until=contract.ends_on,
            calendar_id=contract.calendar_id,
        )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0003_hour_banks"), ("sla", "0003_published_policy")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
