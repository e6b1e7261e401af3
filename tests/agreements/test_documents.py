"""The agreement's PDF says what was agreed: version, schedule, who approved and who accepted."""

from __future__ import annotations

import io

from pypdf import PdfReader

from soutien.agreements import selectors, services
from soutien.agreements.models import AgreementDocument
from tests.agreements.fixtures import draft, walk


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_accepted_pdf_names_its_version_milestones_and_signatures(agreed, lead, client_admin):
    name, pdf = selectors.document_for(client_admin, agreed, 1)
    assert name == f"entente-{agreed.pk}-v1.pdf"
    text = _text(pdf)
    assert f"Entente de développement no {agreed.pk} Version 1 du 2026-12-01" in text
    assert f"Demande no {agreed.ticket_id} — Profils sécurisés désynchronisés" in text
    assert "Analyse du module de synchronisation 2026-12-11" in text
    assert "Correctif en préproduction 2027-01-08 Livraison 2027-01-15" in text
    assert "Date de livraison vendredi 15 janvier 2027" in text
    assert "Estimation 20 h 00 (1200 min)" in text
    assert "Réécrire la synchronisation des profils sécurisés." in text
    assert f"{lead.display_name} le 2026-12-01 10:00 EST" in text
    assert f"administrateur client {client_admin.display_name} le 2026-12-01 10:00 EST" in text
    assert "Pas encore" not in text


def test_each_version_keeps_its_own_document(agreed, tech3, lead, client_admin):
    first = bytes(AgreementDocument.objects.get(version__number=1, kind="accepted").pdf)
    revised = services.agreement_revise(
        actor=tech3, agreement=agreed, solution="Une autre approche, plus sûre."
    )
    walk(revised, (tech3, "propose"), (lead, "approve"), (tech3, "send"))
    assert selectors.document_for(client_admin, revised, 1)[1] == first
    second = _text(selectors.document_for(client_admin, revised, 2)[1])
    assert "Version 2" in second
    assert "Une autre approche, plus sûre." in second
    assert "Pas encore acceptée" in second


def test_a_document_in_english_for_an_english_agreement(level3, tech3, lead, client_admin):
    agreement = walk(
        draft(level3, tech3, language="en", payment="quoted", quoted_amount=1500),
        (tech3, "propose"),
        (lead, "approve"),
    )
    text = _text(selectors.document_for(tech3, agreement, None)[1])
    assert f"Development agreement no. {agreement.pk}" in text
    assert "Draft: this version has not been sent to the client." in text
    assert "Quoted: $1,500.00" in text
    assert "Delivery date Friday, January 15, 2027" in text
    assert "Not approved yet" not in text
    assert "Not accepted yet" in text
