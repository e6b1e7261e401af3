"""Views common to both sites: sign-in, the landing redirect, downloads, health."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from soutien.accounts.models import User
from soutien.kb.selectors import support_page_context
from soutien.sla.engine import snapshot
from soutien.sla.selectors import support_hours_status
from soutien.ticketing.downloads import attachment_response
from soutien.ticketing.selectors import attachment_for
from soutien.web.forms import SignInForm


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "web/login.html"
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


@login_required
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    assert isinstance(request.user, User)
    return attachment_response(attachment_for(request.user, attachment_id))


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def support_page(request: HttpRequest) -> HttpResponse:
    """The public support page: service hours, open now or next opening, the published policy."""
    status = support_hours_status()
    snap = snapshot()
    policy = snap.policy_at(timezone.now())
    calendar = snap.rows.get(policy.calendar_id) if policy else None
    return render(
        request,
        "web/support.html",
        {
            "status": status,
            "policy": policy,
            "policy_text": policy.text(get_language() or "fr") if policy else "",
            "calendar": calendar,
            **support_page_context(get_language() or "fr"),
        },
    )
