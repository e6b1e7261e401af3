"""Shared API types: bounded ids, safe text, pagination, and how errors become JSON."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, Field, PlainSerializer

from soutien.accounts.models import User
from soutien.core.errors import InvalidInput

MAX_ID = 2**63 - 1


class NotAnObject(ValueError):
    """A JSON body that parses but is not an object (`null`, a list, a number, a string)."""

    def __init__(self, value: object) -> None:
        super().__init__(type(value).__name__)
        self.value = value


class ObjectBodyParser(Parser):
    """Every JSON body the API takes is an object: anything else is refused, never ignored.

    Without this, a schema whose fields are all optional reads `null`, `[]` or `1` as an
    empty object and the request succeeds doing nothing.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAnObject(data)
        return data


def caller(request: HttpRequest) -> User:
    """The user the bearer token authenticated."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user


def no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _local(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


class LocalTimeEncoder(NinjaJSONEncoder):
    """Every aware moment of every answer in the caller's time zone, with its offset."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    """The API's renderer: one rule for times, whatever field or schema carries them."""

    encoder_class = LocalTimeEncoder


# Times leave the API in the viewer's time zone, with their offset.
LocalDateTime = Annotated[datetime, PlainSerializer(_local, return_type=str)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, AfterValidator(no_nul)]
Name = Annotated[str, Field(max_length=200), AfterValidator(no_nul)]
LongText = Annotated[str, Field(max_length=100_000), AfterValidator(no_nul)]


ItemT = TypeVar("ItemT")


class Page(Schema, Generic[ItemT]):
    items: list[ItemT]
    page: int
    page_size: int
    has_next: bool
    next: str | None = None


PageNumber = Annotated[int, Field(ge=1, le=100_000)]
PageSize = Annotated[int, Field(ge=1, le=200)]


def page_of(request: HttpRequest, qs: QuerySet, *, page: int, page_size: int) -> dict[str, Any]:
    """One page of `qs` without counting the whole table: one row more tells whether more exist."""
    start = (page - 1) * page_size
    rows = list(qs[start : start + page_size + 1])
    has_next = len(rows) > page_size
    next_url = None
    if has_next:
        query = request.GET.copy()
        query["page"] = str(page + 1)
        query["page_size"] = str(page_size)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {
        "items": rows[:page_size],
        "page": page,
        "page_size": page_size,
        "has_next": has_next,
        "next": next_url,
    }


def comma_list(value: str, allowed: Collection[str], *, field: str, unknown: str) -> list[str]:
    """The values of a filter given as "a,b,c"; 422 naming those not `allowed`.

    `unknown`: the message, with `%(value)s` for the unknown values.
    """
    values = [item.strip() for item in value.split(",") if item.strip()]
    refused = [item for item in values if item not in allowed]
    if refused:
        raise InvalidInput(unknown % {"value": ", ".join(refused)}, field=field)
    return values
