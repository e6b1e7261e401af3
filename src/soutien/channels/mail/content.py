"""What an email says, made safe to show: sanitized HTML, plain text, quoted history trimmed.

Pure functions. HTML is cleaned with nh3 twice: once when the email is stored (no script, no
event handler, no SVG or MathML, a short list of harmless style properties) and again when
it is shown, when inline images are pointed at their attachments and remote ones dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

from soutien.outbound.rendering import REPLY_ABOVE

TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"} | {"font"}
DROPPED_WITH_CONTENT = {
    "script", "style", "svg", "math", "title", "head", "iframe", "object", "embed",
    "noscript", "template", "xml", "select", "textarea", "button",
}  # fmt: skip
STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
    "text-decoration", "text-align", "vertical-align", "white-space", "line-height",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "border", "border-top", "border-right", "border-bottom", "border-left", "width",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
# Raster images a browser shows without running anything; SVG is never shown inline.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"})


def _attributes() -> dict[str, set[str]]:
    attributes = deepcopy(nh3.ALLOWED_ATTRIBUTES)
    attributes["*"] = {"style", "title", "lang", "dir"}
    attributes["font"] = {"color", "size"}
    for cell in ("td", "th"):
        attributes[cell] = attributes.get(cell, set()) | {"width", "valign"}
    attributes["table"] = attributes.get("table", set()) | {"width", "cellpadding", "cellspacing"}
    return attributes


ATTRIBUTES = _attributes()


def _clean(html: str, attribute_filter: Callable[[str, str, str], str | None] | None) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=attribute_filter,
    )


def _stored_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        lowered = value.strip().lower()
        if not lowered.startswith(("cid:", "http://", "https://")):
            return None
    return value


def sanitize_html(html: str) -> str:
    """The HTML of an email as it is stored: nothing that runs, nothing inline that is SVG."""
    if not html.strip():
        return ""
    return _clean(html, _stored_filter)


@dataclass
class Rendered:
    html: str
    remote_images_blocked: int = 0
    missing: list[str] = field(default_factory=list)


def render_html(html: str, images: Mapping[str, str], *, remote_images: bool = False) -> Rendered:
    """Stored HTML ready for a page: `cid:` images point at their attachments (by Content-ID);
    remote images are dropped unless asked for; cleaned again whatever was stored."""
    result = Rendered(html="")

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag != "img" or attribute != "src":
            return value
        source = value.strip()
        if source.lower().startswith("cid:"):
            url = images.get(source[4:].strip("<>"))
            if url is None:
                result.missing.append(source[4:])
            return url
        if source.lower().startswith(("http://", "https://")):
            if remote_images:
                return source
            result.remote_images_blocked += 1
        return None

    result.html = _clean(html, attribute_filter) if html.strip() else ""
    return result


BLOCKS = {
    "p", "div", "br", "tr", "table", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "dl", "dt", "dd",
}  # fmt: skip
SKIPPED = {"script", "style", "head", "title", "svg", "math", "template", "noscript", "xml"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote = 0
        self.skip = 0
        self.pre = 0

    def _newline(self) -> None:
        if self.lines[-1].strip(" >"):
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip += 1
        elif tag == "blockquote":
            self._newline()
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        if tag in BLOCKS:
            self._newline()
        if tag == "li":
            self.lines[-1] += "- "

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newline()
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in BLOCKS and tag != "br":
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"[ \t\r\n\f\v]+", " ", data)  # NBSP is meant: keep it
        if not self.lines[-1] and self.quote:
            self.lines[-1] = "> " * self.quote
        for n, piece in enumerate(data.split("\n")):
            if n:
                self.lines.append("> " * self.quote)
            line = self.lines[-1]
            self.lines[-1] = line + (piece.lstrip() if not line.strip(" >") else piece)


def html_to_text(html: str) -> str:
    """A readable plain-text version of an HTML email (quotes kept as "> " lines)."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", html).strip()
    lines = [line.rstrip() for line in parser.lines]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Where quoted history starts; the earliest match that leaves something above it wins.
REPLY_MARKER = re.compile(
    r"^.*(?:" + "|".join(map(re.escape, REPLY_ABOVE.values())) + r").*$", re.MULTILINE
)
QUOTE_STARTS = (
    REPLY_MARKER,
    re.compile(
        r"^[ \t]*-{2,}[ \t]*(?:Original Message|Message d'origine|Message original"
        r"|Courriel original|Mensaje original)[ \t]*-{2,}",
        re.MULTILINE | re.IGNORECASE,
    ),
    # Gmail, Apple Mail, Thunderbird: "On ... wrote:" / "Le ... a écrit :", over up to 3 lines.
    re.compile(
        r"^[ \t]*(?:On|Le)[ \t](?:(?!\n[ \t]*\n).){1,300}?"
        r"(?:wrote|a\s+écrit|a\s+ecrit)[ \t]*:[ \t]*$",
        re.MULTILINE | re.DOTALL,
    ),
    # Outlook: a header block "From: ... Sent: ..." or "De : ... Envoyé : ...".
    re.compile(
        r"^(?:_{10,}[ \t]*\n+)?[ \t]*\*?(?:From|De)[ \t]?:.*\n(?:.*\n){0,3}?[ \t]*\*?"
        r"(?:Sent|Envoyé|Date)[ \t]?:",
        re.MULTILINE,
    ),
)


def trim_quoted(text: str) -> str:
    """The new part of a reply: quoted history and attribution lines cut, for display only.

    If cutting would leave nothing (a reply written between the quoted lines), the whole
    text is kept.
    """
    cut = len(text)
    for pattern in QUOTE_STARTS:
        match = pattern.search(text)
        if match and match.start() < cut and text[: match.start()].strip():
            cut = match.start()
    trimmed = text[:cut]
    lines = trimmed.rstrip().split("\n")
    end = len(lines)
    while end and (lines[end - 1].startswith(">") or not lines[end - 1].strip()):
        end -= 1
    if end < len(lines) and any(line.startswith(">") for line in lines[end:]):
        if end and lines[end - 1].rstrip().endswith(":"):
            end -= 1
        lines = lines[:end]
    result = "\n".join(lines).strip()
    return result or text.strip()
