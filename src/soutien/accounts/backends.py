"""Sign in with either the username or the email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from soutien.accounts.models import User


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        match = Q(username=username)
        if "@" in username:
            match |= Q(email__iexact=username)
        users = list(User.objects.filter(match)[:2])
        # Several accounts for one identifier: only an exact username match is unambiguous.
        user = next((u for u in users if u.username == username), None) or (
            users[0] if len(users) == 1 else None
        )
        if user is None:
            # Spend the time a real check would, so timing does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
