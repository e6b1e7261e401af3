"""Turn an issue into the email each reader gets.

An issue is rendered once per language and set of topics (an `Edition`); each reader's copy is
that edition with their own links put in (unsubscribe, preferences) and their own headers.
Every copy identifies the sender (name, postal address, how to reach them) and carries
`List-Unsubscribe` with a signed one-click address and `List-Unsubscribe-Post` (RFC 8058),
and a visible unsubscribe link. No tracking pixel, no rewritten link.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from soutien.newsletter import links, markdown
from soutien.newsletter.models import Issue, IssueSection, NewsletterSettings
from soutien.outbound.footer import add_footer
from soutien.outbound.message_ids import message_id_domain

TEMPLATES = "newsletter/email"


@dataclass(frozen=True)
class Part:
    title: str
    html: str
    text: str


def parts(
    issue: Issue, language: str, *, topics: Iterable[str] = (), site_url: str = ""
) -> tuple[Part, list[Part]]:
    """The introduction and the sections a reader of these topics gets (all if none given).

    `site_url`: make the site's addresses absolute (for email); empty for pages of the site.
    """
    wanted = set(topics)
    sections: Iterable[IssueSection] = issue.sections.all()
    intro_source = issue.intro(language)
    intro = Part(
        "",
        markdown.render(intro_source, site_url=site_url),
        markdown.plain(intro_source, site_url=site_url or settings.SITE_URL),
    )
    chosen = []
    for section in sections:
        if wanted and section.topic not in wanted:
            continue
        source = section.body(language)
        chosen.append(
            Part(
                section.title(language),
                markdown.render(source, site_url=site_url),
                markdown.plain(source, site_url=site_url or settings.SITE_URL),
            )
        )
    return intro, chosen


def gets_something(reader_topics: Iterable[str], issue_topics: set[str]) -> bool:
    """Whether a reader of these topics gets any section (an issue of no section: everyone)."""
    chosen = set(reader_topics)
    return not issue_topics or not chosen or bool(chosen & issue_topics)


def sender_address(config: NewsletterSettings) -> str:
    """The From header: the sender's name and the sending address."""
    address = config.from_address or parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1]
    return formataddr((config.sender_name, address))


@dataclass(frozen=True)
class Edition:
    """An issue rendered for one language and set of topics, with places for a reader's links."""

    language: str
    subject: str
    html: str
    text: str
    from_email: str
    list_id: str
    marks: dict[str, str]

    def personal(self, body: str, values: dict[str, str], *, escape: bool) -> str:
        for key, mark in self.marks.items():
            value = values[key]
            body = body.replace(mark, html.escape(value) if escape else value)
        return body


def edition(
    issue: Issue,
    language: str,
    *,
    topics: Iterable[str] = (),
    config: NewsletterSettings,
    test: bool = False,
) -> Edition:
    """Render the issue once for this language and these topics."""
    # Places for each reader's own values: random, so that no text of the issue can hold one.
    nonce = secrets.token_hex(8)
    marks = {key: f"nlmark{nonce}{key}" for key in ("address", "unsubscribe", "preferences")}
    intro, sections = parts(issue, language, topics=topics, site_url=str(settings.SITE_URL))
    with translation.override(language):
        context = {
            "lang": language,
            "issue": issue,
            "subject": issue.subject(language),
            "intro": intro,
            "sections": [
                {"title": s.title, "html": mark_safe(s.html), "text": s.text}  # noqa: S308
                for s in sections
            ],
            "intro_html": mark_safe(intro.html),  # noqa: S308 (sanitized by nh3)
            "sender": config,
            "archive_url": links.issue_page(issue.slug),
            "address": marks["address"],
            "unsubscribe_url": marks["unsubscribe"],
            "preferences_url": marks["preferences"],
            "test": test,
        }
        body_html = render_to_string(f"{TEMPLATES}/issue.html", context)
        body_text = render_to_string(f"{TEMPLATES}/issue.txt", context).strip() + "\n"
    # Law 25: who is in charge of personal information, at the foot of every email.
    text, page = add_footer(text=body_text, html=str(body_html), language=language)
    subject = " ".join(issue.subject(language).split())
    return Edition(
        language=language,
        subject=f"[TEST] {subject}" if test else subject,
        html=page,
        text=text,
        from_email=sender_address(config),
        list_id=f"{config.sender_name} <newsletter.{message_id_domain()}>",
        marks=marks,
    )


def message(copy: Edition, *, to: str, token: str, message_id: str) -> EmailMultiAlternatives:
    """One reader's copy: the edition with their links, and the list headers."""
    values = {
        "address": to,
        "unsubscribe": links.unsubscribe_page(token),
        "preferences": links.preferences(token),
    }
    email = EmailMultiAlternatives(
        subject=copy.subject,
        body=copy.personal(copy.text, values, escape=False),
        from_email=copy.from_email,
        to=[to],
        headers={
            "Message-ID": f"<{message_id}>",
            "List-Unsubscribe": f"<{links.one_click(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": copy.list_id,
            "Precedence": "bulk",
            "Content-Language": copy.language,
            # Exchange and Outlook: no out-of-office answer to a newsletter.
            "X-Auto-Response-Suppress": "OOF, AutoReply",
        },
    )
    email.attach_alternative(copy.personal(copy.html, values, escape=True), "text/html")
    return email
