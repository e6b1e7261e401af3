"""Getting in by email: accept an invitation, ask for a password reset, choose a new password.

Each link is one-time: the page shows the password form while the link is valid; the password
set, the person is signed in (a new session) and sent to their site.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from soutien.accounts import access, signin, two_factor
from soutien.accounts.models import AccessLink, User
from soutien.core.errors import ServiceError
from soutien.people import services, tasks
from soutien.web.forms import apply_service_error
from soutien.web.people import PasswordForm
from soutien.web.public.forms import PasswordResetForm

BACKEND = "soutien.accounts.backends.EmailOrUsernameBackend"


def _sign_in_after_link(request: HttpRequest, user: User) -> HttpResponse:
    """Sign the person in with a fresh session key (`login` rotates it) and send them home.

    The one place a link signs someone in. A link is not a second factor: a person who has one
    on signs in with the new password and the code; a manager or administrator who must set one
    up is signed in held on the set-up page, as after a sign-in with the password.
    """
    if two_factor.is_on(user):
        messages.success(request, _("Your password is set: sign in with it and your code."))
        return redirect("public:login")
    if user.must_use_second_factor:
        signin.mark_second_factor(request, signin.ENROL)
        login(request, user, backend=BACKEND)
        return redirect("console:security")
    login(request, user, backend=BACKEND)
    return redirect("public:home")


def _password_page(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    template = "public/password/choose.html"
    try:
        link = access.link_check(raw=token, purpose=purpose)
    except ServiceError:
        return render(request, template, {"invalid": True, "purpose": purpose})
    form = PasswordForm(request.POST or None, user=link.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_set_with_link(
                token=token, purpose=purpose, password=form.cleaned_data["password1"]
            )
        except access.InvalidLink:
            return render(request, template, {"invalid": True, "purpose": purpose})
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            return _sign_in_after_link(request, user)
    context = {"form": form, "purpose": purpose, "person": link.user}
    return render(request, template, context, status=400 if form.errors else 200)


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    return _password_page(request, token, AccessLink.Purpose.INVITATION)


@never_cache
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _password_page(request, token, AccessLink.Purpose.RESET)


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link; the answer is the same whether or not the address is known."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tasks.password_reset_later(email=form.cleaned_data["email"])
        return render(request, "public/password/reset_sent.html", {"title": _("Check your email")})
    return render(
        request, "public/password/reset.html", {"form": form}, status=400 if form.errors else 200
    )
