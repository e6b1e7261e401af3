# Outgoing email is now the outbound app's (soutien.outbound): the model leaves this app's
# state; its table stays and is the outbound app's from here on.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("mail", "0002_outbound_email_by_address"),
        ("outbound", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboundEmail")],
            database_operations=[],
        ),
    ]
