"""Who may do what: the checks every service makes before it writes, in one place.

Each raises `NotAllowed` with a message the person can read; a service may give a message
that names what was refused ("... can configure mailboxes").
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from soutien.accounts.models import User
from soutien.core.errors import NotAllowed


def require_staff(actor: User, message: str | Promise | None = None) -> None:
    """Support staff of any role (or an administrator)."""
    if not actor.is_staff_member:
        raise NotAllowed(message or _("Only support staff can do this."))


def require_manager(actor: User, message: str | Promise | None = None) -> None:
    """A support manager or an administrator."""
    if not actor.is_manager:
        raise NotAllowed(
            message or _("Only a support manager or an administrator can change these settings.")
        )


def require_triager(actor: User) -> None:
    """Someone who may set a request's level and assign it: a technician or a manager."""
    if not (actor.is_manager or actor.levels):
        raise NotAllowed(_("Only a technician or a support manager can do this."))
