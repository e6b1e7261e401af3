"""Errors raised by services; the API and the web turn each into a clear answer, never a 500."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise


class ServiceError(Exception):
    """A request a service refuses, with a message a user can read.

    `details`: facts a program needs to act on the refusal (the state something is in, what
    is allowed from it, the current version); the API adds them to the JSON answer.
    """

    status_code = 400

    def __init__(
        self,
        message: str | Promise,
        *,
        field: str | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.details = dict(details or {})


class InvalidInput(ServiceError):
    status_code = 422


class NotAllowed(ServiceError):
    status_code = 403


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class TooManyAttempts(ServiceError):
    status_code = 429
