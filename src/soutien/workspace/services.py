"""Writes of the workspace: saved views and macros, and answering with a macro."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.accounts.permissions import require_staff
from soutien.core.errors import InvalidInput, NotAllowed
from soutien.ticketing import services as ticketing
from soutien.ticketing.finder import Filters
from soutien.ticketing.models import Message, MessageKind, Status, Ticket
from soutien.workspace.models import Macro, SavedView
from soutien.workspace.selectors import macro_text


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Give it a name."), field="name")
    if len(name) > 80:
        raise InvalidInput(_("The name is longer than 80 characters."), field="name")
    return name


def _may_change(actor: User, owner_id: int) -> None:
    if owner_id != actor.pk and not actor.is_manager:
        raise NotAllowed(_("Only its author or a support manager can change this."))


@transaction.atomic
def view_save(
    *,
    actor: User,
    name: str,
    params: dict[str, Any],
    shared: bool = False,
    view: SavedView | None = None,
) -> SavedView:
    """Save a search under a name (checked as a search would read it)."""
    require_staff(actor)
    filters = Filters.from_params(params)
    if view is None:
        view = SavedView(owner=actor)
    else:
        view = SavedView.objects.select_for_update().get(pk=view.pk)
        _may_change(actor, view.owner_id)
    view.name = _name(name)
    view.shared = shared
    view.params = filters.as_params()
    view.save()
    return view


@transaction.atomic
def view_delete(*, actor: User, view: SavedView) -> None:
    require_staff(actor)
    _may_change(actor, view.owner_id)
    view.delete()


@transaction.atomic
def macro_save(
    *,
    actor: User,
    name: str,
    body_fr: str,
    body_en: str,
    set_status: str = "",
    set_level: int | None = None,
    shared: bool = False,
    macro: Macro | None = None,
) -> Macro:
    """Save a canned answer: both languages required, an optional status or level to set."""
    require_staff(actor)
    if not body_fr.strip():
        raise InvalidInput(_("Write the French text."), field="body_fr")
    if not body_en.strip():
        raise InvalidInput(_("Write the English text."), field="body_en")
    if set_status and set_status not in Status.values:
        raise InvalidInput(
            _("Unknown status: %(value)s.") % {"value": set_status}, field="set_status"
        )
    if set_level is not None and set_level not in (1, 2, 3):
        raise InvalidInput(_("The level must be 1, 2 or 3."), field="set_level")
    if macro is None:
        macro = Macro(owner=actor)
    else:
        macro = Macro.objects.select_for_update().get(pk=macro.pk)
        _may_change(actor, macro.owner_id)
    macro.name = _name(name)
    macro.body_fr = body_fr.strip()
    macro.body_en = body_en.strip()
    macro.set_status = set_status
    macro.set_level = set_level
    macro.shared = shared
    macro.save()
    return macro


@transaction.atomic
def macro_delete(*, actor: User, macro: Macro) -> None:
    require_staff(actor)
    _may_change(actor, macro.owner_id)
    macro.delete()


@transaction.atomic
def macro_apply(*, actor: User, ticket: Ticket, macro: Macro, body: str | None = None) -> Message:
    """Answer with a macro: its text (or `body`, as edited) as a public reply in the client's
    language, then its level and status, all or nothing."""
    require_staff(actor)
    text = macro_text(macro, ticket, actor) if body is None else body
    message = ticketing.message_add(actor=actor, ticket=ticket, kind=MessageKind.REPLY, body=text)
    changes: dict[str, Any] = {}
    if macro.set_level is not None:
        changes["level"] = macro.set_level
    if macro.set_status:
        changes["status"] = macro.set_status
    if changes:
        ticketing.ticket_update(actor=actor, ticket=message.ticket, **changes)
    return message
