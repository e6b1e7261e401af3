"""The kinds of email Soutien sends, registered by the apps that send them.

A kind names the folder of its templates (`<fr|en>.subject.txt`, `.txt`, `.html`) and says how
to fill them from a stored row at delivery; this app renders and delivers any of them without
knowing what they are about. The mail channel registers how emails about one request thread
together (`use_threading`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from soutien.outbound.models import OutboundEmail

# A file to attach: its name, its bytes and its content type.
Attached = tuple[str, bytes, str]


def no_attachments(row: OutboundEmail) -> list[Attached]:
    return []


@dataclass(frozen=True)
class EmailKind:
    name: str
    templates: str
    context: Callable[[OutboundEmail], dict[str, Any]]
    attachments: Callable[[OutboundEmail], list[Attached]] = no_attachments
    # Emails a client answers start with a marker line: what is below it is quoted history.
    answerable: bool = False


_kinds: dict[str, EmailKind] = {}


def register(kind: EmailKind) -> EmailKind:
    _kinds[kind.name] = kind
    return kind


def registered() -> list[str]:
    return sorted(_kinds)


def kind_of(name: str) -> EmailKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"no kind of email is registered as {name!r}") from None


class Threading(Protocol):
    """How emails about one request refer to each other, and where answers go."""

    def headers(self, row: OutboundEmail) -> dict[str, str]: ...

    def reply_address(self, row: OutboundEmail) -> str: ...


class _Unthreaded:
    def headers(self, row: OutboundEmail) -> dict[str, str]:
        return {}

    def reply_address(self, row: OutboundEmail) -> str:
        return ""


_threading: list[Threading] = [_Unthreaded()]


def use_threading(threading: Threading) -> None:
    _threading[0] = threading


def threading() -> Threading:
    return _threading[0]
