"""Signing in: the account however its name was typed, a throttle that resists abuse, the code.

The throttle (docs/security.md, "Sign-in") counts each attempt *before* the password is
checked, in locked rows, and gives the attempt back when it succeeds; so no burst, however
parallel, gets more checks than the limits allow. Three counts apply to an attempt:

- the account from this address: a lock for the rest of the window once the limit is reached;
- the account from addresses it never signed in from: a delay that doubles after the limit,
  never a lock, and not applied at all to the addresses its owner signed in from before;
- this address, whatever the accounts it tries: a lock, so one address cannot spray many.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from soutien.accounts import two_factor
from soutien.accounts.models import KnownAddress, LoginFailure, SignInCounter, User
from soutien.core.errors import ServiceError, TooManyAttempts
from soutien.core.http import address_group, client_address

Scope = SignInCounter.Scope
KNOWN_ADDRESSES_KEPT = 20


class SignInRefused(ServiceError):
    """Wrong name or password, or a second factor missing or wrong (`code` says which)."""

    status_code = 401

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, details={"code": code})
        self.code = code


def user_for_sign_in(identifier: str) -> User | None:
    """The account meant by a username or an email address, typed in any case.

    An exact username wins; then a username or an address that differs only in case, if it
    names a single account (two accounts named `Luc` and `luc`: only the exact name works).
    """
    typed = identifier.strip()
    if not typed:
        return None
    match = Q(username__iexact=typed)
    if "@" in typed:
        match |= Q(email__iexact=typed) & ~Q(email="")
    users = list(User.objects.filter(match)[:10])
    exact = [u for u in users if u.username == typed]
    if exact:
        return exact[0]
    folded = typed.casefold()
    by_name = [u for u in users if u.username.casefold() == folded]
    if by_name:
        return by_name[0] if len(by_name) == 1 else None
    by_email = [u for u in users if u.email and u.email.casefold() == folded]
    return by_email[0] if len(by_email) == 1 else None


@dataclass(frozen=True)
class _Attempt:
    user: User | None
    typed: str
    address: str
    pair: int
    counters: tuple[int, ...]


def _limit(scope: str) -> int:
    if scope == Scope.ADDRESS:
        return int(settings.SOUTIEN_LOGIN_MAX_FAILURES_PER_ADDRESS)
    return int(settings.SOUTIEN_LOGIN_MAX_FAILURES)


def _next_allowed(scope: str, attempts: int, now: datetime) -> datetime | None:
    limit = _limit(scope)
    if attempts < limit:
        return None
    window = int(settings.SOUTIEN_LOGIN_WINDOW_SECONDS)
    if scope == Scope.ACCOUNT:
        first = int(settings.SOUTIEN_LOGIN_FIRST_DELAY_SECONDS)
        delay = min(first * 2 ** min(attempts - limit, 20), window)
    else:
        delay = window
    return now + timedelta(seconds=delay)


def _counter(scope: str, key: str) -> int:
    """The id of the counter row, made on first need (two attempts at once make one row)."""
    found = SignInCounter.objects.filter(scope=scope, key=key).values_list("pk", flat=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            # Dated at once, so a row made for a refused attempt is swept like the others.
            return SignInCounter.objects.create(scope=scope, key=key, last_at=timezone.now()).pk
    except IntegrityError:
        return SignInCounter.objects.get(scope=scope, key=key).pk


def wait_text(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _begin(*, user: User | None, typed: str, request: HttpRequest | None) -> _Attempt:
    """Count the attempt, or refuse it (429 with the wait) without checking anything."""
    now = timezone.now()
    address = client_address(request) if request is not None else ""
    account = f"user:{user.pk}" if user is not None else "name:" + typed.strip().casefold()[:300]
    known = (
        user is not None
        and bool(address)
        and KnownAddress.objects.filter(user=user, address=address).exists()
    )
    pair = _counter(Scope.ACCOUNT_ADDRESS, f"{account}|{address}")
    ids = [pair]
    if not known:
        ids.append(_counter(Scope.ACCOUNT, account))
    if address:
        ids.append(_counter(Scope.ADDRESS, address_group(address)))
    horizon = now - timedelta(seconds=settings.SOUTIEN_LOGIN_WINDOW_SECONDS)
    with transaction.atomic():
        # The rows are locked in one order, so two attempts never wait on each other crosswise;
        # on SQLite the IMMEDIATE transaction already holds the database's write lock.
        rows = list(SignInCounter.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        for row in rows:
            if row.last_at is None or row.last_at < horizon:
                row.attempts, row.next_allowed_at = 0, None
        waits = [r.next_allowed_at for r in rows if r.next_allowed_at and r.next_allowed_at > now]
        if waits:
            seconds = max(1, math.ceil((max(waits) - now).total_seconds()))
            message = _("Too many failed attempts. Try again in %(wait)s.")
            raise TooManyAttempts(
                message % {"wait": wait_text(seconds)},
                details={"retry_after": seconds},
            )
        for row in rows:
            row.attempts += 1
            row.last_at = now
            row.next_allowed_at = _next_allowed(row.scope, row.attempts, now)
            row.save(update_fields=["attempts", "last_at", "next_allowed_at"])
    return _Attempt(user, typed, address, pair, tuple(ids))


def _succeeded(attempt: _Attempt, *, complete: bool) -> None:
    """Give the attempt back; a complete sign-in clears the account's count from this address
    and makes the address known."""
    with transaction.atomic():
        others = list(attempt.counters)
        if complete:
            SignInCounter.objects.filter(pk=attempt.pair).delete()
            others.remove(attempt.pair)
        rows = SignInCounter.objects.filter(pk__in=others)
        rows.update(attempts=Greatest(F("attempts") - 1, 0))
        for scope in Scope.values:
            rows.filter(scope=scope, attempts__lt=_limit(scope)).update(next_allowed_at=None)
        if complete and attempt.user is not None and attempt.address:
            _remember(attempt.user, attempt.address)


def _remember(user: User, address: str) -> None:
    now = timezone.now()
    updated = KnownAddress.objects.filter(user=user, address=address).update(last_seen=now)
    if not updated:
        try:
            with transaction.atomic():
                KnownAddress.objects.create(user=user, address=address, first_seen=now)
        except IntegrityError:
            pass
    # A small table: the addresses used most recently.
    stale = KnownAddress.objects.filter(user=user).values_list("pk", flat=True)[
        KNOWN_ADDRESSES_KEPT:
    ]
    KnownAddress.objects.filter(pk__in=list(stale)).delete()


def _failed(attempt: _Attempt) -> None:
    """The attempt stays counted; the failure is logged and old counts are swept."""
    LoginFailure.objects.create(username=attempt.typed.lower()[:150], address=attempt.address)
    horizon = timezone.now() - timedelta(seconds=settings.SOUTIEN_LOGIN_WINDOW_SECONDS)
    LoginFailure.objects.filter(at__lt=horizon).delete()
    SignInCounter.objects.filter(last_at__lt=horizon).delete()


def _invalid() -> SignInRefused:
    return SignInRefused(_("Invalid username or password."), code="credentials")


def _check_password(
    attempt: _Attempt, *, username: str, password: str, request: HttpRequest | None
) -> User:
    found = authenticate(request, username=username, password=password)
    if found is None:
        _failed(attempt)
        raise _invalid()
    assert isinstance(found, User)
    return found


def sign_in_password(
    *, username: str, password: str, request: HttpRequest | None
) -> tuple[User, bool]:
    """The first step on the web: the person, and whether a code must follow.

    Raises TooManyAttempts (with `retry_after`) or SignInRefused.
    """
    attempt = _begin(user=user_for_sign_in(username), typed=username, request=request)
    user = _check_password(attempt, username=username, password=password, request=request)
    if two_factor.is_on(user):
        _succeeded(attempt, complete=False)
        return user, True
    _succeeded(attempt, complete=True)
    return user, False


def sign_in_code(*, user: User, code: str, request: HttpRequest | None) -> None:
    """The second step on the web: a code from the authenticator, or a recovery code."""
    attempt = _begin(user=user, typed=user.username, request=request)
    if not two_factor.verify(user=user, code=code):
        _failed(attempt)
        raise SignInRefused(_("This code is wrong or was already used."), code="otp_invalid")
    _succeeded(attempt, complete=True)


def sign_in_at_once(
    *, username: str, password: str, otp: str | None, request: HttpRequest | None
) -> User:
    """Name, password and (when two-factor sign-in is on) the code, in one request (the API)."""
    attempt = _begin(user=user_for_sign_in(username), typed=username, request=request)
    user = _check_password(attempt, username=username, password=password, request=request)
    if two_factor.is_on(user):
        if not otp:
            _succeeded(attempt, complete=False)
            raise SignInRefused(
                _(
                    "This account uses two-factor sign-in: send the 6-digit code of the "
                    "authenticator app (or a recovery code) in the otp field."
                ),
                code="otp_required",
            )
        if not two_factor.verify(user=user, code=otp):
            _failed(attempt)
            raise SignInRefused(
                _("The two-factor code is wrong or was already used."), code="otp_invalid"
            )
    _succeeded(attempt, complete=True)
    return user


# Where a signed-in session stands with the second factor (the web's middleware reads it):
# DONE: given, or not needed; ENROL: a manager or administrator who must set it up first;
# NEEDED: signed in some other way than the two steps, though the person has it on.
SECOND_FACTOR = "soutien.second_factor"
DONE, ENROL, NEEDED = "done", "enrol", "needed"


def mark_second_factor(request: HttpRequest, state: str) -> None:
    """Say how the sign-in about to happen stands with the second factor (read at login)."""
    request.soutien_second_factor = state  # type: ignore[attr-defined]


def record_second_factor_at_login(
    sender: object, request: HttpRequest | None, user: User, **kwargs: object
) -> None:
    """At every login: a person who has the second factor on, signed in without giving it
    (the admin's form, a test client), is held at NEEDED and signed out by the web."""
    if request is None or not hasattr(request, "session"):
        return
    state = getattr(request, "soutien_second_factor", None)
    if state is None and two_factor.is_on(user):
        state = NEEDED
    if state is None:
        request.session.pop(SECOND_FACTOR, None)
    else:
        request.session[SECOND_FACTOR] = state
