"""Articles are written in Markdown; what readers get is rendered once and sanitized with nh3."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the source is not rendered at all; nh3 then keeps only these tags and attributes.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
# Images come only from the knowledge base's own files: no tracking pixel, no mixed content.
IMAGE_PREFIX = "/aide/fichiers/"


# An image whose source was refused is dropped whole.
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def render(
    source: str,
    *,
    images: str = IMAGE_PREFIX,
    site_url: str = "",
    link_rel: str = "noopener noreferrer nofollow",
) -> str:
    """Markdown to safe HTML: no script, no event handler, no foreign image, links marked.

    `images`: the only path images may come from. `site_url`: make the site's own addresses
    absolute (for an email).
    """

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            path = value.removeprefix(site_url) if site_url else value
            return site_url + path if path.startswith(images) else None
        on_site = value.startswith("/") and not value.startswith("//")
        if site_url and attribute == "href" and on_site:
            return site_url + value
        return value

    cleaned = nh3.clean(
        _md.render(source),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=link_rel,
        attribute_filter=keep,
    )
    return _IMAGE_WITHOUT_SOURCE.sub("", cleaned)


_BLOCK_END = re.compile(r"(</(?:p|li|h[1-6]|pre|blockquote|tr|td|th)>|<br\s*/?>|<hr\s*/?>)")


def plain_text(rendered_html: str) -> str:
    """The words of rendered HTML, a line per block, for the search index and for replies."""
    text = html.unescape(nh3.clean(_BLOCK_END.sub(r"\1\n", rendered_html), tags=set()))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
