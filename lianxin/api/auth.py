"""Who is calling: a bearer token (`Authorization: Bearer <token>`) or the staff session.

The token is tried first, so that programs need no CSRF token; the session checks CSRF on unsafe methods,
because a browser sends its cookie to any page that asks. Neither → 401 (lianxin.api.errors).
"""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from lianxin.accounts.models import User
from lianxin.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return api_token_authenticate(token) if token else None


class StaffSession(SessionAuth):
    """Django's session; CSRF is checked for unsafe methods (ninja's APIKeyCookie with csrf=True)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if user.is_authenticated and user.is_active else None


API_AUTH = [BearerToken(), StaffSession(csrf=True)]


def caller(request: HttpRequest) -> User:
    """The user API_AUTH authenticated. ninja sets `request.auth` before a view runs and answers 401 when no
    authenticator accepts the request, so every view behind API_AUTH has one."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "caller() is for views behind API_AUTH"
    return user
