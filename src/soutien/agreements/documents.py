"""An agreement version as a PDF in its own language: content, milestones and signatures."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from soutien.agreements.models import Agreement, AgreementVersion, Payment
from soutien.kb.markdown import render as render_markdown


def hours_and_minutes(minutes: int) -> str:
    """Minutes as people read them: "12 h 30" (with a non-breaking space)."""
    hours, rest = divmod(minutes, 60)
    return f"{hours}\u00a0h\u00a0{rest:02d}" if hours else f"{rest}\u00a0min"


def money(amount: Decimal, language: str) -> str:
    """An amount in Canadian dollars as each language writes it: "1 500,00 $", "$1,500.00"."""
    with translation.override(language):
        figure = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{figure}\u00a0$" if language == "fr" else f"${figure}"


def payment_text(version: AgreementVersion) -> str:
    """How the work is paid, in the active language, as the document states it."""
    if version.payment == Payment.BANKS:
        return _(
            "Drawn from the client's hour banks, under the rules of the support contract and plans."
        )
    if version.quoted_minutes is not None:
        return _(
            "Quoted: %(time)s of work (%(minutes)s minutes), not drawn from the hour banks."
        ) % {
            "time": hours_and_minutes(version.quoted_minutes),
            "minutes": version.quoted_minutes,
        }
    assert version.quoted_amount is not None
    return _("Quoted: %(amount)s, not drawn from the hour banks.") % {
        "amount": money(version.quoted_amount, translation.get_language() or "fr")
    }


def render_pdf(*, agreement: Agreement, version: AgreementVersion, draft: bool = False) -> bytes:
    """The version as a PDF in the agreement's language, without any network access.

    `draft`: a version not sent yet, marked as such (staff may read any version).
    """
    # Imported here: WeasyPrint loads Pango on import, which only documents need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    language = version.language
    zone = timezone.get_default_timezone()
    with translation.override(language), timezone.override(zone):
        html = render_to_string(
            "agreements/document.html",
            {
                "agreement": agreement,
                "ticket": agreement.ticket,
                "organization": agreement.ticket.organization,
                "version": version,
                "solution_html": render_markdown(version.solution),
                "milestones": version.milestone_list(),
                "estimate": hours_and_minutes(version.estimate_minutes),
                "payment": payment_text(version),
                "draft": draft,
                "generated_at": timezone.localtime(timezone.now()),
                "LANGUAGE_CODE": language,
            },
        )
    pdf = HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
    assert pdf is not None
    return bytes(pdf)
