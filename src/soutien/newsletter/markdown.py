"""Issues are written in Markdown and sanitized like knowledge-base articles.

Images come only from the issue's own files (`/infolettre/images/...`): the same address for
every reader, so an image says nothing of who opened the message (no tracking pixel). Links are
kept as written: no redirect through us, no added parameter. For email, addresses on the site
are made absolute.
"""

from __future__ import annotations

import re

from soutien.kb import markdown

IMAGE_PREFIX = "/infolettre/images/"
# Markdown links and images to a path of the site: "](/aide/...)".
_SITE_PATH = re.compile(r"\]\((/[^)\s]*)")


def render(source: str, *, site_url: str = "") -> str:
    """Markdown to safe HTML; with `site_url`, addresses on the site become absolute."""
    return markdown.render(
        source, images=IMAGE_PREFIX, site_url=site_url, link_rel="noopener noreferrer"
    )


def plain(source: str, *, site_url: str) -> str:
    """The Markdown itself for the text part (it reads as text), with site paths made absolute."""
    return _SITE_PATH.sub(lambda m: f"]({site_url}{m[1]}", source.strip())
