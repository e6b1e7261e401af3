"""Addresses of the newsletter's public pages, as readers get them in messages.

Fixed here (the one-click address is part of the contract; the others are in every message
ever sent and must keep working), and served by the public site under the same paths.
"""

from __future__ import annotations

from django.conf import settings

ONE_CLICK = "/newsletter/unsubscribe/{token}"
UNSUBSCRIBE = "/infolettre/desabonnement/{token}/"
PREFERENCES = "/infolettre/preferences/{token}/"
CONFIRM = "/infolettre/confirmation/{token}/"
ARCHIVE = "/infolettre/"
ISSUE = "/infolettre/{slug}/"


def absolute(path: str) -> str:
    return str(settings.SITE_URL) + path


def one_click(token: str) -> str:
    return absolute(ONE_CLICK.format(token=token))


def unsubscribe_page(token: str) -> str:
    return absolute(UNSUBSCRIBE.format(token=token))


def preferences(token: str) -> str:
    return absolute(PREFERENCES.format(token=token))


def confirmation(token: str) -> str:
    return absolute(CONFIRM.format(token=token))


def issue_page(slug: str) -> str:
    return absolute(ISSUE.format(slug=slug))
