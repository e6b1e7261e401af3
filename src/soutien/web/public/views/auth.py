"""Signing in and out, and the landing address that sends each person to their site."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from soutien.accounts.models import User
from soutien.web.public.forms import SignInForm


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "public/login.html"
    redirect_authenticated_user = True


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
