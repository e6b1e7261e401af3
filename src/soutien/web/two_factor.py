"""A person's two-factor page, alike in the console and the portal: set up an authenticator (a
QR code made here, as SVG, and the same link as text), recovery codes, turning it off."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from soutien.accounts import signin, two_factor
from soutien.accounts.models import User
from soutien.core.errors import ServiceError
from soutien.web.forms import apply_service_error


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    device = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _qr_svg(uri: str) -> str:
    # Drawn here from the person's own secret: nothing outside goes into it.
    return mark_safe(segno.make(uri, error="m").svg_inline(scale=4, dark="#111"))  # noqa: S308


def security_page(request: HttpRequest, *, template: str, url_name: str) -> HttpResponse:
    """GET: where the person stands; POST `action`: start, confirm, renew, disable."""
    user = request.user
    assert isinstance(user, User)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = CodeForm(request.POST or None)
    context: dict[str, object] = {"form": form, "url_name": url_name}
    if action == "start":
        device = two_factor.totp_start(user=user)
        return _setup(request, template, context, device, CodeForm(initial={"device": device.pk}))
    if action in ("confirm", "renew", "disable") and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if action == "confirm":
                codes = two_factor.totp_confirm(
                    user=user, device_id=form.cleaned_data["device"] or 0, code=code
                )
                if request.session.get(signin.SECOND_FACTOR) == signin.ENROL:
                    request.session[signin.SECOND_FACTOR] = signin.DONE
                messages.success(request, _("Two-factor sign-in is on."))
            elif action == "renew":
                codes = two_factor.recovery_codes_renew(user=user, code=code)
            else:
                two_factor.second_factor_disable(user=user, code=code)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect(url_name)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            return render(request, template, {**context, "recovery_codes": codes})
        if action == "confirm":
            device = two_factor.pending_device(user, form.cleaned_data["device"])
            if device is not None:
                return _setup(request, template, context, device, form)
    context.update(
        is_on=two_factor.is_on(user),
        codes_left=two_factor.recovery_codes_left(user),
        required=user.must_use_second_factor,
        exempt=user.is_manager and user.second_factor_exempt,
        held=request.session.get(signin.SECOND_FACTOR) == signin.ENROL,
    )
    return render(request, template, context)


def _setup(
    request: HttpRequest,
    template: str,
    context: dict[str, object],
    device: two_factor.TOTPDevice,
    form: CodeForm,
) -> HttpResponse:
    uri = device.config_url
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    return render(
        request,
        template,
        {**context, "setup": True, "qr": _qr_svg(uri), "uri": uri, "secret": secret, "form": form},
    )
