"""Read an email's bytes into plain data, defensively: a message is data, never a reason to crash.

Pure functions over the standard library's `email` package (modern policy). Unknown charsets,
malformed RFC 2047 words, over-long or broken headers fall back to a best reading and are
noted as defects; only what cannot be read at all raises `Unreadable`.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.policy import EmailPolicy

# Parts nested deeper than this are not read (the standard parser itself recurses).
MAX_DEPTH = 40
MAX_PARTS = 500
# More multipart sections than this is a MIME bomb, refused before the (recursive, slow)
# standard parser spends a second on it.
MAX_MULTIPARTS = 200
BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)
HEADER_LIMIT = 2000
MAX_REFERENCES = 40
ANGLE_ID = re.compile(r"<([^<>\s]{1,250})>")
SURROGATES = re.compile(r"[\ud800-\udfff]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SAFE_FALLBACK = "cp1252"


class _Headers(HeaderRegistry):
    """The modern policy's header registry, remembering what it parsed for one message.

    The modern policy parses a header anew at every access, and the parser itself reads each
    part's Content-Type a dozen times; header objects are immutable, so a parsed one serves
    again for the same name and value.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parsed: dict[tuple[str, str], BaseHeader] = {}

    def __call__(self, name: str, value: str) -> BaseHeader:
        found = self.parsed.get((name, value))
        if found is None:
            found = self.parsed[(name, value)] = super().__call__(name, value)
        return found


def _policy() -> EmailPolicy[EmailMessage]:
    """The modern policy (`email.policy.default`), with a header cache for one message."""
    return policy.default.clone(header_factory=_Headers())


class Unreadable(Exception):
    """The message cannot be read at all; it goes to quarantine with this reason."""


@dataclass(frozen=True)
class Identity:
    """What the intake needs before anything else: who sent it and which message it is."""

    message_id: str
    derived: bool
    key: str
    from_address: str
    subject: str


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class DeliveryReport:
    """What a delivery status notification (RFC 3464) says: what became of the message for
    each recipient, and which message it was (the Message-IDs of the copy it quotes)."""

    recipients: tuple[tuple[str, str, str], ...] = ()  # (final recipient, action, status)
    original_ids: tuple[str, ...] = ()

    @property
    def failed_for_good(self) -> bool:
        """A recipient the message could not be delivered to, permanently (5.x.x)."""
        return any(
            action == "failed" and status.startswith("5") for _, action, status in self.recipients
        )


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    date: datetime | None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    text: str = ""
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    auto_submitted: str = ""
    precedence: str = ""
    # None when the header is absent; "" when it is present and empty (<>): a bounce.
    return_path: str | None = None
    list_id: str = ""
    is_report: bool = False
    x_autoreply: bool = False
    x_loop: tuple[str, ...] = ()
    content_language: str = ""
    defects: tuple[str, ...] = field(default=())
    # A delivery status notification's findings (None for any other message).
    report: DeliveryReport | None = None


def clean_text(value: str, limit: int | None = None) -> str:
    """Text fit for the database and a page: bytes smuggled as surrogates read as cp1252."""
    if SURROGATES.search(value):
        try:
            data = value.encode("utf-8", "surrogateescape")
            try:
                value = data.decode("utf-8")
            except UnicodeDecodeError:
                value = data.decode(SAFE_FALLBACK, "replace")
        except UnicodeEncodeError:
            value = SURROGATES.sub("\ufffd", value)
    value = CONTROL.sub("", value)
    return value[:limit] if limit is not None else value


def _one_line(value: str, limit: int = HEADER_LIMIT) -> str:
    return " ".join(clean_text(value, limit * 2).replace("\ufffd", "").split())[:limit]


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset if it is known and fits, else UTF-8, else cp1252.

    Text declared UTF-8 with a few broken bytes (Dovecot stores NUL bytes as 0x80) stays
    UTF-8, the broken bytes replaced, rather than being read as cp1252 mojibake.
    """
    declared = _codec(charset)
    for candidate in (declared, "utf-8"):
        if candidate is None:
            continue
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, ValueError):
            continue
    if declared == "utf-8":
        return data.decode("utf-8", "replace")
    return data.decode(SAFE_FALLBACK, "replace")


def _decode_words(raw: str) -> str:
    """RFC 2047 words, each in its own charset; a broken word stays as it was written."""
    try:
        pieces = email.header.decode_header(raw)
    except Exception:
        return raw
    out = []
    for chunk, charset in pieces:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return "".join(out)


def _raw_headers(msg: Message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        headers.setdefault(name.lower(), []).append(str(value))
    return headers


def header(msg: Message, name: str, raw: dict[str, list[str]] | None = None) -> str:
    """A header as text; if the modern parser chokes on it, the words decoded one by one."""
    try:
        value = msg.get(name)
        if value is None:
            return ""
        text = str(value)
    except Exception:
        values = (raw or _raw_headers(msg)).get(name.lower())
        if not values:
            return ""
        text = _decode_words(values[0])
    return _one_line(text)


def _addresses(msg: Message, name: str, raw: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs; malformed lists read with the old parser."""
    pairs: list[tuple[str, str]] = []
    try:
        value = msg.get(name)
        if value is not None:
            for addr in getattr(value, "addresses", ()):
                pairs.append((str(addr.display_name), str(addr.addr_spec)))
    except Exception:
        pairs = []
    if not pairs:
        values = raw.get(name.lower(), [])
        decoded = [_decode_words(v) for v in values]
        pairs = email.utils.getaddresses(decoded)
    result = []
    for display, address in pairs:
        address = clean_text(address, 254).strip().strip("<>").lower()
        if "@" in address and " " not in address:
            result.append((_one_line(display, 200), address))
    return result


def _ids(value: str) -> list[str]:
    found = ANGLE_ID.findall(value)
    if not found and "@" in value and " " not in value.strip():
        found = [value.strip()]
    return [clean_text(item, 250) for item in found]


def _date(msg: Message, raw: dict[str, list[str]]) -> tuple[datetime | None, str]:
    moment: datetime | None = None
    try:
        value = msg.get("Date")
        moment = getattr(value, "datetime", None)
    except Exception:
        moment = None
    if moment is None:
        values = raw.get("date", [])
        if values:
            text = " ".join(values[0].split())
            # A long Date header usually holds a valid date followed by comments or junk.
            for candidate in (text, text[:40], text[:31]):
                try:
                    moment = email.utils.parsedate_to_datetime(candidate)
                    break
                except (TypeError, ValueError, IndexError):
                    continue
    if moment is None:
        return None, "unreadable Date header" if raw.get("date") else ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, ""


def _split_raw(raw: bytes) -> tuple[bytes, bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = raw.partition(separator)
        if found:
            return head, body
    return raw, b""


def identity(raw: bytes, msg: Message | None = None) -> Identity:
    """Message-ID, dedupe key, sender and subject from the headers alone; never raises.

    A message without a usable Message-ID gets one derived from what every copy of it shares
    (sender, recipients, date, subject, body), so the same message seen twice is one message.
    `msg`: the message already parsed from `raw`, if it was.
    """
    parts: list[str] = []
    try:
        if msg is None:
            msg = BytesHeaderParser(policy=_policy()).parsebytes(raw)
        raw_headers = _raw_headers(msg)
        ids = _ids(header(msg, "Message-ID", raw_headers))
        senders = _addresses(msg, "From", raw_headers)
        sender = senders[0][1] if senders else ""
        subject = header(msg, "Subject", raw_headers)[:255]
        if not ids:
            parts = [header(msg, name, raw_headers) for name in ("From", "To", "Cc", "Date")]
    except Exception:
        ids, sender, subject = [], "", ""
    if ids:
        message_id, derived = ids[0], False
    else:
        digest = hashlib.sha256()
        for part in [*parts, subject]:
            digest.update(part.encode("utf-8", "replace") + b"\0")
        digest.update(_split_raw(raw)[1] if parts else raw)
        message_id, derived = f"derived.{digest.hexdigest()[:40]}@soutien.invalid", True
    key = hashlib.sha256(f"{message_id}\0{sender}".encode("utf-8", "replace")).hexdigest()
    return Identity(message_id, derived, key, sender, subject)


def _info(part: Message) -> tuple[str, str, str, str]:
    """Content type, charset, disposition and file name, each header parsed once (the modern
    policy parses a header anew at every access)."""
    ctype, charset, disposition, name = part.get_default_type(), "", "", ""
    try:
        value = part.get("Content-Type")
        if value is not None:
            found = str(value).split(";", 1)[0].strip().lower()
            ctype = found if found.count("/") == 1 else "text/plain"
            params = getattr(value, "params", {})
            charset = str(params.get("charset") or "").lower()
            name = str(params.get("name") or "")
    except Exception:
        ctype = "application/octet-stream"
    try:
        value = part.get("Content-Disposition")
        if value is not None:
            disposition = str(getattr(value, "content_disposition", "") or "").lower()
            name = str(getattr(value, "params", {}).get("filename") or "") or name
    except Exception:
        disposition = "attachment"
    return ctype, charset, disposition, name


def _filename(name: str, ctype: str, index: int) -> str:
    name = _one_line(_decode_words(name) if "=?" in name else name, 250)
    if not name:
        subtype = ctype.partition("/")[2]
        extension = {"rfc822": "eml", "plain": "txt", "jpeg": "jpg", "octet-stream": "bin"}.get(
            subtype, subtype
        )
        name = f"piece-jointe-{index}.{extension[:8] or 'bin'}"
    return name


def _payload_bytes(part: Message, ctype: str) -> bytes:
    if ctype == "message/rfc822":
        try:
            inner = part.get_payload(0)
            assert isinstance(inner, Message)
            return inner.as_bytes(policy=policy.SMTP)
        except Exception:
            return part.as_bytes(policy=policy.SMTP)
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return str(payload).encode("utf-8", "surrogateescape") if payload else b""


def _walk(msg: Message, defects: list[str]) -> tuple[list[str], list[str], list[Attachment]]:
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            defects.append(f"more than {MAX_PARTS} parts; the rest was not read")
            break
        ctype, charset, disposition, name = _info(part)
        if part.is_multipart() and ctype != "message/rfc822":
            if depth >= MAX_DEPTH:
                defects.append(f"parts nested more than {MAX_DEPTH} levels deep were not read")
                continue
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in reversed(children))
            continue
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not name:
            data = part.get_payload(decode=True)
            text = decode_bytes(data if isinstance(data, bytes) else b"", charset)
            text = clean_text(text).replace("\r\n", "\n").replace("\r", "\n")
            (texts if ctype == "text/plain" else htmls).append(text)
            continue
        if ctype in ("message/delivery-status", "message/disposition-notification"):
            continue
        content_id = "".join(_ids(header(part, "Content-ID"))[:1])
        attachments.append(
            Attachment(
                name=_filename(name, ctype, len(attachments) + 1),
                content_type=ctype,
                data=_payload_bytes(part, ctype),
                content_id=content_id,
                inline=disposition != "attachment",
            )
        )
    return texts, htmls, attachments


def _status_fields(part: Message) -> list[dict[str, str]]:
    """The field blocks of a message/delivery-status part, names in lower case."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [
            {k.lower(): _one_line(str(v), 300) for k, v in b.items()}
            for b in payload
            if isinstance(b, Message)
        ]
    else:
        text = payload if isinstance(payload, str) else ""
        blocks = []
        for chunk in re.split(r"\r?\n\s*\r?\n", text):
            fields = {}
            for line in chunk.splitlines():
                name, colon, value = line.partition(":")
                if colon and name.strip() and not line[:1].isspace():
                    fields[name.strip().lower()] = _one_line(value, 300)
            blocks.append(fields)
    return blocks


def delivery_report(msg: Message) -> DeliveryReport | None:
    """The findings of a delivery status notification; None if `msg` is not one."""
    if msg.get_content_type() != "multipart/report":
        return None
    recipients: list[tuple[str, str, str]] = []
    originals: list[str] = []
    for seen, part in enumerate(msg.walk()):
        if seen > MAX_PARTS:
            break
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for fields in _status_fields(part):
                if "action" not in fields:
                    continue
                recipient = fields.get("final-recipient", "").rpartition(";")[2].strip().lower()
                status = fields.get("status", "").split()[0] if fields.get("status") else ""
                recipients.append((recipient[:254], fields["action"].lower()[:20], status[:20]))
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            headers = part.get_payload(decode=True)
            text = decode_bytes(headers, None) if isinstance(headers, bytes) else ""
            quoted = email.message_from_string(text.lstrip(), policy=_policy())
            originals += _ids(header(quoted, "Message-ID"))
        elif ctype == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, Message):
                originals += _ids(header(inner, "Message-ID"))
    return DeliveryReport(tuple(recipients), tuple(dict.fromkeys(originals)))


def parse(raw: bytes) -> ParsedEmail:
    """The whole message as plain data; raises `Unreadable` only when nothing sensible remains."""
    from soutien.channels.mail.content import html_to_text

    multiparts = len(BOUNDARY.findall(raw))
    if multiparts > MAX_MULTIPARTS:
        raise Unreadable(f"MIME parts nested too deeply or too many ({multiparts} multiparts)")
    try:
        msg = email.message_from_bytes(raw, policy=_policy())
    except RecursionError as exc:
        raise Unreadable(f"MIME parts nested too deeply to read (over {MAX_DEPTH} levels)") from exc
    except Exception as exc:
        raise Unreadable(f"not an email: {type(exc).__name__}: {exc}") from exc
    assert isinstance(msg, EmailMessage)
    raw_headers = _raw_headers(msg)
    if not raw_headers:
        raise Unreadable("no headers: this is not an email")
    ident = identity(raw, msg)
    defects: list[str] = []
    date, date_defect = _date(msg, raw_headers)
    if date_defect:
        defects.append(date_defect)
    senders = _addresses(msg, "From", raw_headers)
    try:
        texts, htmls, attachments = _walk(msg, defects)
    except RecursionError as exc:
        raise Unreadable(f"MIME parts nested too deeply to read (over {MAX_DEPTH} levels)") from exc
    html = htmls[0] if htmls else ""
    text = "\n\n".join(t.strip("\n") for t in texts if t.strip())
    if not text and html:
        text = html_to_text(html)
    return_path_values = raw_headers.get("return-path")
    return_path = None
    if return_path_values:
        return_path = clean_text(return_path_values[-1]).strip().strip("<>").strip()
    reply_to = _addresses(msg, "Reply-To", raw_headers)
    for defect in getattr(msg, "defects", []):
        defects.append(type(defect).__name__)
    return ParsedEmail(
        message_id=ident.message_id,
        from_address=senders[0][1] if senders else "",
        from_name=senders[0][0] if senders else "",
        subject=header(msg, "Subject", raw_headers),
        date=date,
        to=tuple(a for _, a in _addresses(msg, "To", raw_headers)),
        cc=tuple(a for _, a in _addresses(msg, "Cc", raw_headers)),
        reply_to=reply_to[0][1] if reply_to else "",
        in_reply_to=tuple(_ids(header(msg, "In-Reply-To", raw_headers))[:5]),
        references=tuple(
            _ids(
                header(
                    msg,
                    "References",
                    raw_headers,
                )
            )[-MAX_REFERENCES:]
        ),
        text=text,
        html=html,
        attachments=tuple(attachments),
        auto_submitted=header(msg, "Auto-Submitted", raw_headers).lower(),
        precedence=header(msg, "Precedence", raw_headers).lower(),
        return_path=return_path,
        list_id=header(msg, "List-Id", raw_headers) or header(msg, "List-Unsubscribe", raw_headers),
        is_report=msg.get_content_type() == "multipart/report",
        x_autoreply=any(
            raw_headers.get(name) for name in ("x-autoreply", "x-autorespond", "x-autoresponse")
        ),
        x_loop=tuple(clean_text(v, 254).strip().lower() for v in raw_headers.get("x-loop", [])),
        content_language=header(msg, "Content-Language", raw_headers).lower()[:20],
        defects=tuple(dict.fromkeys(defects)),
        report=_report(msg, defects),
    )


def _report(msg: Message, defects: list[str]) -> DeliveryReport | None:
    try:
        return delivery_report(msg)
    except Exception as exc:
        defects.append(f"unreadable delivery report: {type(exc).__name__}")
        return None
