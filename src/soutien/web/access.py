"""Who may enter which site: one decorator per kind of person, for every view of the three sites."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, overload

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from soutien.accounts.models import User

View = Callable[..., HttpResponse]
# Answers for a signed-in user who may not enter (a response), or None to let the view run.
Check = Callable[[HttpRequest, User], HttpResponse | None]


def _signed_in(view: View, check: Check) -> View:
    """Send anonymous visitors to sign in; let `check` turn a signed-in user away or through."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(user, User)
        return check(request, user) or view(request, *args, **kwargs)

    return wrapper


def _client(request: HttpRequest, user: User) -> HttpResponse | None:
    if user.is_staff_member:
        return redirect("console:queue")
    if not user.is_client:
        raise PermissionDenied
    return None


def _client_admin(request: HttpRequest, user: User) -> HttpResponse | None:
    refused = _client(request, user)
    if refused is None and (not user.is_client_admin or user.organization is None):
        raise Http404
    return refused


def _staff(request: HttpRequest, user: User) -> HttpResponse | None:
    return None if user.is_staff_member else redirect("portal:tickets")


def client_required(view: View) -> View:
    """The portal is for client users; staff are sent to the console."""
    return _signed_in(view, _client)


def client_admin_required(view: View) -> View:
    """A client administrator's pages of its own organization; other clients get 404."""
    return _signed_in(view, _client_admin)


def staff_required(view: View) -> View:
    """The console is for support staff only."""
    return _signed_in(view, _staff)


@overload
def manager_required(view: View, *, otherwise: str = ...) -> View: ...
@overload
def manager_required(view: None = None, *, otherwise: str = ...) -> Callable[[View], View]: ...
def manager_required(
    view: View | None = None, *, otherwise: str = "console:queue"
) -> View | Callable[[View], View]:
    """Settings are for support managers; other staff are told so and sent to `otherwise`."""

    def decorator(view: View) -> View:
        def check(request: HttpRequest, user: User) -> HttpResponse | None:
            refused = _staff(request, user)
            if refused is None and not user.is_manager:
                messages.error(request, _("Only a support manager can change these settings."))
                refused = redirect(otherwise)
            return refused

        return _signed_in(view, check)

    return decorator if view is None else decorator(view)


def not_for_clients(view: View) -> View:
    """A client user gets 404, whatever the address names: a console URL reveals nothing to it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and getattr(request.user, "is_client", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind one of the decorators above."""
    assert isinstance(request.user, User)
    return request.user
