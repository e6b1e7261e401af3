"""Read a link out of an email in the outbox, as its recipient would."""

from __future__ import annotations

import re

from django.conf import settings

from soutien.outbound import rendering
from soutien.outbound.models import OutboundEmail


def latest_email(to: str, template: str) -> OutboundEmail:
    row = OutboundEmail.objects.filter(to_address=to, template=template).order_by("-pk").first()
    assert row is not None, f"no {template} email to {to}"
    rendering.render(row)
    return row


def link_in(row: OutboundEmail) -> str:
    """The address of the site's link in the email's text, without the site's origin."""
    found = re.search(re.escape(settings.SITE_URL) + r"(/\S+/)", row.text)
    assert found, row.text
    return found.group(1)


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]
