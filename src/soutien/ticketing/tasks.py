"""Background jobs on requests."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from soutien.core.scheduling import every
from soutien.ticketing import held, search, services


@every(minutes=60)
@task()
def close_resolved_tickets() -> int:
    """Close requests that stayed resolved past the reopen window."""
    return services.tickets_close_resolved()


@every(minutes=60)
@task()
def purge_held_reply_files() -> int:
    """Remove the files of held replies that were never sent anyway (after a day)."""
    return held.purge()


@task()
def reindex_requests_of(*, organization_id: int | None, contact_id: int | None) -> int:
    """Index again the requests of an organization or of a contact (after a new name)."""
    where: dict[str, int | None] = (
        {"organization_id": organization_id} if organization_id else {"contact_id": contact_id}
    )
    return search.rebuild(batch=500, where=where)


def people_renamed(*, organization_id: int | None, contact_id: int | None) -> None:
    """Told by accounts in the renaming transaction: index again once it commits."""
    if not (organization_id or contact_id):
        return
    transaction.on_commit(
        lambda: reindex_requests_of.enqueue(organization_id=organization_id, contact_id=contact_id)
    )
