"""Articles are written in Markdown; what readers get is rendered once and sanitized with nh3."""

from __future__ import annotations

import html

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


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.startswith(IMAGE_PREFIX):
        return None
    return value


def render(source: str) -> str:
    """Markdown to safe HTML: no script, no event handler, no foreign image, links marked."""
    return nh3.clean(
        _md.render(source),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_attribute_filter,
    )


def plain_text(rendered_html: str) -> str:
    """The words of rendered HTML, for the search index and for pasting into a reply."""
    return html.unescape(nh3.clean(rendered_html.replace("<", " <"), tags=set())).strip()
