"""Small display helpers for the portal and console templates."""

from __future__ import annotations

from django import template

from soutien.ticketing.models import Channel, Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def channel_label(value: str) -> str:
    try:
        return str(Channel(value).label)
    except ValueError:
        return value
