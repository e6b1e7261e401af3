"""Exports of the reports: CSV safe to open in a spreadsheet, and PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP):
# the tab and carriage return too, which some spreadsheets skip before reading a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with an apostrophe.

    Numbers stay numbers (a negative number is not text a client wrote).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (comma-separated, quoted where needed, CRLF lines) with a byte-order mark
    so that spreadsheets read its accents as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([neutralize(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralize(cell) for cell in row])
    return out.getvalue()


def pdf_from_html(html: str) -> bytes:
    """A printable page as a PDF (WeasyPrint), without any network access."""
    # Imported here: WeasyPrint loads Pango on import, which only PDF downloads need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    pdf = HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    assert pdf is not None
    return bytes(pdf)
