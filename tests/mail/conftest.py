from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from soutien.accounts.models import Organization, User
from soutien.channels.mail import keys
from soutien.channels.mail.models import Mailbox
from tests import factories
from tests.mail.servers import Dovecot, SmtpCapture, dovecot_available

SUPPORT = "support@soutien.example"
FAX = "fax@soutien.example"


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not dovecot_available():
        if os.environ.get("SOUTIEN_REQUIRE_DOVECOT"):
            pytest.fail("Dovecot is not installed (apt-get install dovecot-imapd)")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    server = Dovecot()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpCapture]:
    server = SmtpCapture()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpCapture, settings) -> SmtpCapture:
    """Soutien sends over real SMTP to the capture server for this test."""
    smtp_server.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10
    return smtp_server


@pytest.fixture(autouse=True)
def _mail_settings(settings) -> None:
    settings.DEFAULT_FROM_EMAIL = f"Soutien <{SUPPORT}>"
    settings.SITE_URL = "https://soutien.example"


@pytest.fixture
def make_mailbox(db, dovecot: Dovecot) -> Callable[..., Mailbox]:
    def make(**fields: object) -> Mailbox:
        prefix = str(fields.pop("prefix", "box"))
        user = dovecot.new_user()
        values: dict[str, object] = {
            "name": f"{prefix}-{user}",
            "address": SUPPORT,
            "host": dovecot.host,
            "port": dovecot.port,
            "security": Mailbox.Security.NONE,
            "username": user,
            "password_encrypted": keys.encrypt_password("imap-test-password"),
        }
        values.update(fields)
        return Mailbox.objects.create(**values)

    return make


@pytest.fixture
def mailbox(make_mailbox) -> Mailbox:
    return make_mailbox()


@pytest.fixture
def saint_laurent(db) -> Organization:
    return factories.organization("Ville de Saint-Laurent")


@pytest.fixture
def maple(db) -> Organization:
    return factories.organization("Maple Health Inc.", language="en")


def person(org: Organization, email: str, name: str, language: str = "fr") -> User:
    user = factories.contact(org, name=name, language=language)
    user.email = email
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def marc(saint_laurent) -> User:
    return person(saint_laurent, "marc.gagnon@saint-laurent.example", "Marc Gagnon")


@pytest.fixture
def sarah(maple) -> User:
    return person(maple, "sarah.wilson@maplehealth.example", "Sarah Wilson", "en")


def parse_sent(data: bytes) -> EmailMessage:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg
