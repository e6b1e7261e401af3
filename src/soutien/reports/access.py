"""Who reads which reports: managers the whole desk, a client administrator its organization."""

from __future__ import annotations

from django.utils.translation import gettext as _

from soutien.accounts.models import Organization, User
from soutien.core.errors import NotAllowed, NotFound


def organization_scope(actor: User, organization_id: int | None) -> int | None:
    """The organization a reader's report covers (None: the whole desk).

    A manager may narrow the report to one organization; a client administrator always reads
    its own, and an other organization's id is not found for it, as if it did not exist.
    """
    if actor.is_manager:
        if (
            organization_id is not None
            and not Organization.objects.filter(pk=organization_id).exists()
        ):
            raise NotFound(_("No such organization."), field="organization")
        return organization_id
    if actor.is_client_admin and actor.organization_id is not None:
        if organization_id is not None and organization_id != actor.organization_id:
            raise NotFound(_("No such organization."), field="organization")
        return actor.organization_id
    raise NotAllowed(_("Only a support manager or a client administrator can read reports."))
