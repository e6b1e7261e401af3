"""Who may enter which site."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from soutien.accounts.models import User

View = Callable[..., HttpResponse]


def client_required(view: View) -> View:
    """The portal is for client users; staff are sent to the console."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(user, User)
        if user.is_staff_member:
            return redirect("console:queue")
        if not user.is_client:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: View) -> View:
    """The console is for support staff only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assert isinstance(user, User)
        if not user.is_staff_member:
            return redirect("portal:tickets")
        return view(request, *args, **kwargs)

    return wrapper


def current_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user
