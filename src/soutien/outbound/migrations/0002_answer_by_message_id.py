# An answer to an email no request holds (a refusal) keeps the Message-ID it answers and the
# address answers go to, instead of pointing at the mail channel's stored email.

from django.db import migrations, models


def copy_answered(apps, schema_editor):
    OutboundEmail = apps.get_model("outbound", "OutboundEmail")
    rows = OutboundEmail.objects.filter(answers__isnull=False).select_related("answers__mailbox")
    for row in rows.iterator():
        row.in_reply_to = row.answers.message_id[:255]
        row.reply_to = row.answers.mailbox.address if row.answers.mailbox else ""
        row.save(update_fields=["in_reply_to", "reply_to"])


class Migration(migrations.Migration):

    dependencies = [
        ("outbound", "0001_initial"),
        ("mail", "0003_outbound_email_moves_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="in_reply_to",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="reply_to",
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.RunPython(copy_answered, migrations.RunPython.noop),
        migrations.RemoveField(model_name="outboundemail", name="answers"),
    ]
