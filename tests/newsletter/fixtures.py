"""Newsletter fixtures, shared by the newsletter tests, the web pages and the API."""

from __future__ import annotations

import pytest

from soutien.accounts.models import User
from soutien.newsletter import services
from soutien.newsletter.models import ConsentText, Subscriber

SENDER = "Groupe EBI — Soutien technique"
POSTAL = "1234, rue Sherbrooke Ouest\nMontréal (Québec) H3G 1A1"
REACH = "soutien@ebi.example · 514 555-0100"


@pytest.fixture
def consent_text(db) -> ConsentText:
    return ConsentText.objects.create(
        version="2026-11",
        text_fr="J'accepte de recevoir l'infolettre technique mensuelle. Je peux me désabonner en tout temps.",
        text_en="I agree to receive the monthly technical newsletter. I can unsubscribe at any time.",
    )


@pytest.fixture
def sender(manager, consent_text):
    """The sender's identification filled in, as CASL requires, and a consent text."""
    return services.settings_save(
        actor=manager, sender_name=SENDER, postal_address=POSTAL, reach=REACH,
        from_address="infolettre@ebi.example", batch_size=100, rate_per_minute=0, senders=1,
    )  # fmt: skip


def subscribed(email: str, *, staff: User, language: str = "fr", topics=None) -> Subscriber:
    """An address whose owner gave express consent on the phone to a staff member."""
    subscriber, _event = services.subscribe(
        actor=staff, email=email, language=language, topics=topics, source="console"
    )
    return subscriber
