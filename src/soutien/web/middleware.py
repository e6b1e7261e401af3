"""Holds a session at the second factor: a manager or administrator signed in without it is
kept on the set-up page until it is on; a person who has it on and signed in without giving it
(Django's admin form, another way in) is signed out."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from soutien.accounts import signin
from soutien.accounts.models import User

# What a session held for set-up may still reach (the language switch, sign-out, the API's own
# bearer sign-in, files and the health check).
_OPEN = ("/static/", "/api/", "/healthz", "/langue/", "/deconnexion/")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = request.session.get(signin.SECOND_FACTOR)
        if state in (signin.ENROL, signin.NEEDED) and request.user.is_authenticated:
            user = request.user
            assert isinstance(user, User)
            if state == signin.NEEDED:
                logout(request)
                return redirect("public:login")
            setup = reverse("console:security")
            if not user.must_use_second_factor:
                request.session[signin.SECOND_FACTOR] = signin.DONE
            elif request.path != setup and not request.path.startswith(_OPEN):
                return redirect(setup)
        return self.get_response(request)
