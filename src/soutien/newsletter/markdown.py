"""Issues are written in Markdown and sanitized like knowledge-base articles.

Images come only from the issue's own files (`/infolettre/images/...`): the same address for
every reader, so an image says nothing of who opened the message (no tracking pixel). Links are
kept as written: no redirect through us, no added parameter. For email, addresses on the site
are made absolute.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

from soutien.kb.markdown import ATTRIBUTES, TAGS

IMAGE_PREFIX = "/infolettre/images/"

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# Markdown links and images to a path of the site: "](/aide/...)".
_SITE_PATH = re.compile(r"\]\((/[^)\s]*)")


def render(source: str, *, site_url: str = "") -> str:
    """Markdown to safe HTML; with `site_url`, addresses on the site become absolute."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            path = value.removeprefix(site_url) if site_url else value
            if not path.startswith(IMAGE_PREFIX):
                return None
            return site_url + path
        if (
            site_url
            and attribute == "href"
            and value.startswith("/")
            and not value.startswith("//")
        ):
            return site_url + value
        return value

    cleaned = nh3.clean(
        _md.render(source),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=keep,
    )
    return _IMAGE_WITHOUT_SOURCE.sub("", cleaned)


def plain(source: str, *, site_url: str) -> str:
    """The Markdown itself for the text part (it reads as text), with site paths made absolute."""
    return _SITE_PATH.sub(lambda m: f"]({site_url}{m[1]}", source.strip())
