# Outgoing email leaves the mail app for an app of its own. The table stays where it is
# (mail_outboundemail): this migration only tells Django the model now lives here.

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("mail", "0002_outbound_email_by_address"),
        ("ticketing", "0002_alter_event_action"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboundEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("template", models.CharField(max_length=40, verbose_name="email")),
                        ("language", models.CharField(choices=[("fr", "French"), ("en", "English")], max_length=2)),
                        ("to_address", models.CharField(max_length=254, verbose_name="recipient")),
                        ("context", models.JSONField(blank=True, default=dict)),
                        ("auto_submitted", models.CharField(blank=True, max_length=14)),
                        ("message_id", models.CharField(max_length=255, unique=True)),
                        ("subject", models.TextField(blank=True)),
                        ("text", models.TextField(blank=True)),
                        ("html", models.TextField(blank=True)),
                        ("headers", models.JSONField(blank=True, default=dict)),
                        ("status", models.CharField(choices=[("queued", "Queued"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed"), ("suppressed", "Not sent")], default="queued", max_length=10)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("answers", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="answers", to="mail.inboundemail")),
                        ("recipient", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("reply", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="ticketing.message")),
                        ("ticket", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="outbound_emails", to="ticketing.ticket")),
                    ],
                    options={
                        "verbose_name": "sent email",
                        "verbose_name_plural": "sent emails",
                        "db_table": "mail_outboundemail",
                        "ordering": ["-id"],
                        "indexes": [
                            models.Index(condition=models.Q(("status__in", ["queued", "sending"])), fields=["next_attempt_at"], name="outbound_email_due"),
                            models.Index(django.db.models.functions.text.Lower("to_address"), models.F("created_at"), name="outbound_email_by_address"),
                            models.Index(fields=["ticket", "created_at"], name="mail_outbou_ticket__4880f6_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
