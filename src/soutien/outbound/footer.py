"""The foot of every email: who is in charge of personal information and how to reach them
(Quebec's Law 25), in the email's language."""

from __future__ import annotations

import re

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from soutien.accounts.models import PrivacyOfficer
from soutien.accounts.privacy_officer import current

TEMPLATES = "outbound/emails/footer"
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def _context(officer: PrivacyOfficer) -> dict[str, object]:
    return {"officer": officer, "privacy_url": settings.SITE_URL + reverse("public:privacy")}


def footer(language: str, officer: PrivacyOfficer | None = None) -> tuple[str, str]:
    """(text, HTML) of the footer in `language`; empty until a manager names the person."""
    officer = officer or current()
    if officer is None:
        return "", ""
    language = language if language in ("fr", "en") else settings.LANGUAGE_CODE
    context = _context(officer)
    text = render_to_string(f"{TEMPLATES}/{language}.txt", context).strip()
    html = render_to_string(f"{TEMPLATES}/{language}.html", context).strip()
    return text, html


def add_footer(*, text: str, html: str, language: str) -> tuple[str, str]:
    """The email's text and HTML with the footer at their end (inside the HTML's body)."""
    foot_text, foot_html = footer(language)
    if not foot_text:
        return text, html
    text = text.rstrip("\n") + "\n\n" + foot_text + "\n"
    matches = list(_BODY_END.finditer(html))
    if matches:
        at = matches[-1].start()
        html = html[:at] + foot_html + "\n" + html[at:]
    else:
        html = html + "\n" + foot_html
    return text, html
