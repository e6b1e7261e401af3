"""Pure decisions on a parsed email: is it noise, which request does it name, which fax number."""

from __future__ import annotations

import re
from collections.abc import Collection

from soutien.channels.mail.parsing import ParsedEmail
from soutien.outbound.message_ids import verify_message_id

# Our outgoing subjects carry "[#123]"; a bare "#123" is too common in clients' own subjects.
SUBJECT_NUMBER = re.compile(r"\[#(\d{1,12})\]")
NOISY_PRECEDENCE = frozenset({"bulk", "junk", "list"})
DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "mailer_daemon", "mail-daemon"})
OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto[- ]?reply|out of (?:the )?office|réponse automatique"
    r"|absence du bureau|absent\(e\) du bureau|message d'absence)\s*:",
    re.IGNORECASE,
)
PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.\-]?)?\(?(\d{3})\)?[\s.\-]?(\d{3})[\s.\-]?(\d{4})(?!\d)")
FAX_SENDER = re.compile(
    r"(?:from|de|exp[ée]diteur|sender|csid|de la part de|numéro de l'appelant|caller id)"
    r"\s*:?\s*((?:\+?1[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]?\d{4})(?!\d)",
    re.IGNORECASE,
)


def noise_reason(
    parsed: ParsedEmail, *, own_addresses: Collection[str], fax_gateway: bool = False
) -> str:
    """Why this email must neither open a request nor be answered ("" if it may).

    RFC 3834 and the usual signs of automatic mail. A fax gateway's messages are machine-made
    by nature and never answered, so only bounces and our own mail are noise there.
    """
    sender = parsed.from_address
    if sender and sender in own_addresses:
        return "sent from one of our own addresses"
    if verify_message_id(parsed.message_id) is not None:
        return "one of our own emails came back"
    if any(loop in own_addresses for loop in parsed.x_loop):
        return "X-Loop: it already went through Soutien"
    local = sender.partition("@")[0]
    if local in DAEMON_LOCAL_PARTS or local.endswith("-request") or local.startswith("owner-"):
        return f"sent by a mail system ({sender})"
    if parsed.is_report:
        return "delivery report or read receipt (multipart/report)"
    if fax_gateway:
        return ""
    if parsed.return_path == "":
        return "empty Return-Path: a bounce or an automatic message"
    if parsed.auto_submitted and parsed.auto_submitted.split(";")[0].strip() != "no":
        return f"automatic message (Auto-Submitted: {parsed.auto_submitted[:40]})"
    if parsed.precedence in NOISY_PRECEDENCE:
        return f"bulk or list mail (Precedence: {parsed.precedence})"
    if parsed.x_autoreply:
        return "automatic reply (X-Autoreply)"
    if parsed.list_id:
        return "mailing-list message (List-Id)"
    if OUT_OF_OFFICE_SUBJECT.match(parsed.subject):
        return "out-of-office reply"
    return ""


def referenced_tickets(parsed: ParsedEmail) -> list[int]:
    """Requests named by our signed Message-IDs in In-Reply-To then References, nearest first."""
    found: list[int] = []
    for value in (*parsed.in_reply_to, *reversed(parsed.references)):
        ticket = verify_message_id(value)
        if ticket and ticket not in found:
            found.append(ticket)
    return found


def referenced_ids(parsed: ParsedEmail) -> list[str]:
    """Every Message-ID the email answers, nearest first."""
    return list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))


def subject_number(subject: str) -> int | None:
    match = SUBJECT_NUMBER.search(subject)
    return int(match[1]) if match else None


def phone_digits(value: str) -> str:
    """The last ten digits of a North American number ("" if there are fewer than ten)."""
    digits = re.sub(r"\D", "", value)
    return digits[-10:] if len(digits) >= 10 else ""


def fax_number(subject: str, body: str) -> str:
    """The sending fax's number as a gateway writes it: after "from"/"de", else the first one."""
    for text in (subject, body[:5000]):
        match = FAX_SENDER.search(text)
        if match:
            return phone_digits(match[1])
    for text in (subject, body[:5000]):
        match = PHONE.search(text)
        if match:
            return "".join(match.groups())
    return ""
