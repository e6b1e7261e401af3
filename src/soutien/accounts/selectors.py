"""Reads for people and organizations, always through what the viewer may see."""

from __future__ import annotations

from django.db.models import QuerySet

from soutien.accounts.models import Organization, User


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    if user.is_staff_member:
        return Organization.objects.all()
    if user.organization_id is not None:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


def contacts_visible_to(user: User, organization: Organization) -> QuerySet[User]:
    """A client contact sees itself; a client administrator and staff see the whole organization."""
    qs = User.objects.filter(organization=organization).order_by("full_name", "id")
    if user.is_staff_member or (user.is_client_admin and user.organization_id == organization.pk):
        return qs
    if user.organization_id == organization.pk:
        return qs.filter(pk=user.pk)
    return qs.none()


def technicians_for_level(level: int) -> QuerySet[User]:
    return User.objects.technicians(level)
