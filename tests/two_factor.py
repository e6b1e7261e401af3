"""Two-factor sign-in in tests: turn it on for someone, and compute the code their phone shows."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from soutien.accounts import two_factor
from soutien.accounts.models import User


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator shows for `device`'s secret, now or a step (30 s) later.

    A code is accepted once: a test that needs a second one asks for the next step's.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def turn_on(user: User) -> tuple[TOTPDevice, list[str]]:
    """Set up an authenticator for `user` as the set-up page does; (device, recovery codes)."""
    device = two_factor.totp_start(user=user)
    codes = two_factor.totp_confirm(user=user, device_id=device.pk, code=code_for(device))
    device.refresh_from_db()
    return device, codes
