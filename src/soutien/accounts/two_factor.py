"""Two-factor sign-in: an authenticator app (TOTP) and single-use recovery codes (django-otp)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from soutien.accounts.models import User
from soutien.core.errors import InvalidInput, NotAllowed, NotFound

RECOVERY_CODES = 10


def _clean(code: str) -> str:
    return "".join(code.split()).lower()[:32]


def is_on(user: User) -> bool:
    """Whether signing in takes a code: the person has a confirmed authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify(*, user: User, code: str) -> bool:
    """Whether the code is the authenticator's current one, or an unused recovery code.

    A code is accepted once: django-otp keeps the last time step used, and a recovery code is
    deleted when it is used (the rows are locked, so two requests cannot both use one).
    """
    token = _clean(code)
    if not token or len(token) > 16:
        return False
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return True
    return False


def totp_start(*, user: User) -> TOTPDevice:
    """A new authenticator to scan, unconfirmed until a code from it is typed."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def pending_device(user: User, device_id: int | str | None) -> TOTPDevice | None:
    if not device_id or not str(device_id).isdigit():
        return None
    return TOTPDevice.objects.filter(pk=int(device_id), user=user, confirmed=False).first()


def totp_confirm(*, user: User, device_id: int, code: str) -> list[str]:
    """Turn the new authenticator on with a code it shows; returns fresh recovery codes."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device_id, user=user, confirmed=False)
            .first()
        )
        if device is None:
            raise NotFound(_("Start the setup again: this authenticator is no longer pending."))
        if not device.verify_token(_clean(code)):
            raise InvalidInput(
                _(
                    "This code does not match. Check that the phone's clock is right and type "
                    "the code shown now."
                ),
                field="code",
            )
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _new_recovery_codes(user)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_renew(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), given a current code."""
    with transaction.atomic():
        if not is_on(user):
            raise NotAllowed(_("Two-factor sign-in is not on for this account."))
        if not verify(user=user, code=code):
            raise InvalidInput(_("This code is wrong or was already used."), field="code")
        return _new_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_disable(*, user: User, code: str) -> None:
    """Turn two-factor sign-in off, given a current code; managers and administrators cannot."""
    with transaction.atomic():
        if user.must_use_second_factor:
            raise NotAllowed(_("Your role requires two-factor sign-in: it stays on."))
        if not verify(user=user, code=code):
            raise InvalidInput(_("This code is wrong or was already used."), field="code")
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
