from __future__ import annotations

from tests.kb.fixtures import publish, writer  # noqa: F401  (fixtures)
from tests.mail.conftest import parse_sent, smtp, smtp_server  # noqa: F401  (fixtures)
from tests.newsletter.fixtures import *  # noqa: F403  (consent_text, sender)
