"""Signing in (a password, then a code when two-factor sign-in is on) and out, and the landing
address that sends each person to their site."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from soutien.accounts import signin
from soutien.accounts.models import User
from soutien.core.errors import TooManyAttempts
from soutien.web.public.forms import CodeForm, SignInForm

# The password was right; the code must follow within this time.
PENDING = "soutien.signin.pending"
PENDING_LIFE = timedelta(minutes=5)


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "public/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if form.needs_code:
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": getattr(user, "backend", ""),
                "at": timezone.now().isoformat(),
                "next": self.get_success_url(),
            }
            return redirect("public:login_code")
        if isinstance(user, User) and user.must_use_second_factor:
            # Signed in, but held on the set-up page until the second factor is on.
            signin.mark_second_factor(self.request, signin.ENROL)
            auth_login(self.request, user)
            return redirect("console:security")
        return super().form_valid(form)


def _pending(request: HttpRequest) -> tuple[User, dict[str, str]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        at = datetime.fromisoformat(pending["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.now() - at > PENDING_LIFE:
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return (user, pending) if user is not None else None


def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code of the authenticator app, or a recovery code."""
    found = _pending(request)
    if found is None:
        request.session.pop(PENDING, None)
        return redirect("public:login")
    user, pending = found
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signin.sign_in_code(user=user, code=form.cleaned_data["code"], request=request)
        except (TooManyAttempts, signin.SignInRefused) as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop(PENDING, None)
            signin.mark_second_factor(request, signin.DONE)
            auth_login(request, user, backend=pending.get("backend") or None)
            target = pending.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = "/"
            return redirect(target)
    return render(request, "public/login_code.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("public:login")


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("public:login")
    assert isinstance(user, User)
    if user.is_staff_member:
        return redirect("console:queue")
    return redirect("portal:tickets")
