"""Serve an attachment as a download that no browser will render or sniff."""

from __future__ import annotations

from django.http import FileResponse

from soutien.ticketing.models import Attachment

# Types a browser could execute or render as a page are always sent as opaque bytes.
ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "image/svg+xml",
        "application/xhtml+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
    }
)


def attachment_response(attachment: Attachment) -> FileResponse:
    content_type = attachment.content_type
    if content_type in ACTIVE_TYPES or not content_type:
        content_type = "application/octet-stream"
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
