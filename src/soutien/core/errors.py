"""Errors raised by services; the API and the web turn each into a clear answer, never a 500."""

from __future__ import annotations

from django.utils.functional import Promise


class ServiceError(Exception):
    """A request a service refuses, with a message a user can read."""

    status_code = 400

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


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
