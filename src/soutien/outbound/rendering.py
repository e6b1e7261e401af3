"""Turn a stored row into an email: its kind's templates in the recipient's language and zone."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from soutien.core.dates import zone_text
from soutien.outbound.footer import add_footer
from soutien.outbound.kinds import kind_of, threading
from soutien.outbound.models import OutboundEmail

# The first line of emails a client answers: what is below it is quoted history. The mail
# channel's quote trimmer looks for these words.
REPLY_ABOVE = {
    "fr": "Répondez au-dessus de cette ligne",
    "en": "Reply above this line",
}


def reply_marker(language: str) -> str:
    return f"##- {REPLY_ABOVE[language]} -##"


def render(row: OutboundEmail) -> None:
    """Fill the row's subject, text, HTML and headers from its templates, in its language."""
    kind = kind_of(row.template)
    zone = row.recipient.time_zone if row.recipient is not None else settings.TIME_ZONE
    with translation.override(row.language), timezone.override(zone):
        context = kind.context(row)
        context.setdefault("recipient", row.recipient)
        context["site_url"] = settings.SITE_URL
        context["lang"] = row.language
        # The recipient's zone in words, after a time: « 9 h 00 (heure de l'Est) ».
        context["zone_name"] = zone_text(zone, row.language)
        context["marker"] = reply_marker(row.language) if kind.answerable else ""
        base = f"{kind.templates}/{row.language}"
        subject = render_to_string(f"{base}.subject.txt", context)
        row.subject = " ".join(subject.split())[:900]
        row.text = render_to_string(f"{base}.txt", context).strip() + "\n"
        row.html = render_to_string(f"{base}.html", context)
        # Law 25: who is in charge of personal information, at the foot of every email.
        row.text, row.html = add_footer(text=row.text, html=row.html, language=row.language)
    headers = {"Message-ID": f"<{row.message_id}>"}
    if row.in_reply_to:
        answered = f"<{row.in_reply_to}>"
        headers.update({"In-Reply-To": answered, "References": answered})
    headers.update(threading().headers(row))
    if row.auto_submitted:
        headers["Auto-Submitted"] = row.auto_submitted
        # Exchange and Outlook: no out-of-office or read receipt in answer to this.
        headers["X-Auto-Response-Suppress"] = "All"
    answer_to = row.reply_to or threading().reply_address(row)
    if answer_to:
        headers["Reply-To"] = answer_to
        headers["X-Loop"] = answer_to
    row.headers = headers


def build(row: OutboundEmail) -> EmailMultiAlternatives:
    """The email to hand to the SMTP connection, with its kind's files attached."""
    headers = dict(row.headers)
    reply_to = headers.pop("Reply-To", "")
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_address],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    message.attach_alternative(row.html, "text/html")
    for name, data, content_type in kind_of(row.template).attachments(row):
        message.attach(name, data, content_type)
    for file in row.files.all():
        message.attach(file.name, bytes(file.data), file.content_type)
    return message
