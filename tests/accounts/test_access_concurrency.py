"""One link used twice at the same moment (PostgreSQL: real connections, real row locks)."""

from __future__ import annotations

import pytest

from soutien.accounts import access
from soutien.accounts.models import AccessLink, User
from soutien.people import services
from tests import factories
from tests.accounts.outbox import latest_email, link_in, token_of
from tests.databases import at_once

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_link_used_twice_at_once_sets_one_password():
    org = factories.organization()
    contact = factories.contact(org)
    for _attempt in range(10):
        AccessLink.objects.filter(user=contact).delete()
        services.invitation_send(actor=factories.staff(), user=contact)
        token = token_of(link_in(latest_email(contact.email, "invitation")))
        first, second = at_once(
            lambda token=token: access.link_set_password(
                raw=token, purpose=AccessLink.Purpose.INVITATION, password="Premier-Essai-2026"
            ),
            lambda token=token: access.link_set_password(
                raw=token, purpose=AccessLink.Purpose.INVITATION, password="Second-Essai-2026"
            ),
        )
        won = [r for r in (first, second) if isinstance(r, User)]
        lost = [r for r in (first, second) if isinstance(r, access.InvalidLink)]
        assert len(won) == 1, (first, second)
        assert len(lost) == 1, (first, second)
        contact.refresh_from_db()
        password = "Premier-Essai-2026" if won[0] is first else "Second-Essai-2026"
        assert contact.check_password(password)
