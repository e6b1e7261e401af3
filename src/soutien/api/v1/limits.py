"""How many API requests a token, or an address without one, may make in a window.

Counted in Django's cache (one counter per caller and window, `add` then `incr`, atomic on
Redis, Memcached and the in-process cache); every API answer says where the caller stands with
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (IETF draft), and one over the
limit gets a 429 with `Retry-After`. The counters must be shared by every web process for the
limits to hold as written: see docs/api.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from soutien.accounts.services import token_user
from soutien.core.http import address_group, client_address

PREFIX = "/api/"


@dataclass(frozen=True)
class Standing:
    limit: int
    used: int
    window: int
    reset: int  # seconds until the window ends

    @property
    def over(self) -> bool:
        return self.used > self.limit

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - self.used)),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={self.window}",
        }


def _bearer(request: HttpRequest) -> str:
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _caller(request: HttpRequest) -> tuple[str, int]:
    """(the counter's name, its limit): the token if it is a live one, else the address."""
    raw = _bearer(request)
    found = token_user(raw) if raw else None
    request.soutien_bearer = (raw, found)  # type: ignore[attr-defined]
    if found is not None:
        return f"token:{found[0].pk}", settings.SOUTIEN_API_RATE_PER_TOKEN
    address = address_group(client_address(request))
    return f"address:{address}", settings.SOUTIEN_API_RATE_PER_ADDRESS


def count(bucket: str, limit: int, *, now: float | None = None) -> Standing:
    """Add one request to the bucket's counter for the current window; where it stands."""
    window = max(1, int(settings.SOUTIEN_API_RATE_WINDOW_SECONDS))
    now = time.time() if now is None else now
    start = int(now // window) * window
    cache = caches[settings.SOUTIEN_API_RATE_CACHE]
    key = f"soutien:api-rate:{bucket}:{start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        used = 1
    reset = max(1, int(start + window - now + 0.999))
    return Standing(limit=limit, used=used, window=window, reset=reset)


class ApiRateLimitMiddleware:
    """Counts each request under /api/ and refuses those over the caller's limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        bucket, limit = _caller(request)
        standing = count(bucket, limit)
        if standing.over:
            response: HttpResponse = JsonResponse(
                {
                    "detail": _("Too many requests: try again in %(seconds)s s.")
                    % {"seconds": standing.reset},
                    "retry_after": standing.reset,
                },
                status=429,
            )
            response["Retry-After"] = str(standing.reset)
        else:
            response = self.get_response(request)
        for name, value in standing.headers().items():
            response[name] = value
        return response
