"""Staff login protection: the login audit (LoginEvent), axes' hooks (client address, lockout page), and who
counts as staff for the idle timeout and the second factor.

The audit rows are written from Django's login signals because the logins happen in Django's own views
(/admin/login/, and /w/login/ which is Django's LoginView): the signals are the one place every login passes.
Lockout itself is django-axes: after LOGIN_FAILURE_LIMIT failures for one username from one address, that pair
is refused for LOGIN_LOCKOUT_MINUTES (settings.py, docs/security.md).
"""

import ipaddress
import time
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lianxin.accounts.models import LoginEvent, LoginKind, User
from lianxin.accounts.selectors import account_manageable
from lianxin.core.audit import audit_record
from lianxin.core.errors import PermissionDenied
from lianxin.core.net import client_ip

SEEN = "staff_seen"  # session key: when a staff user was last seen (epoch seconds), for the idle timeout
LOCKOUT_MESSAGE = "登录失败次数过多，该账号在本机已被暂时锁定，请 {minutes} 分钟后再试，或联系管理员解锁。"


def is_staff_account(user: Any) -> bool:
    """Staff: an account that may enter the back office (role_grant sets is_staff for those roles)."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def axes_client_ip(request: HttpRequest) -> str | None:
    """axes counts failures per username and this address (proxy-aware: lianxin.core.net)."""
    return _address(request)


def login_event_record(
    *, kind: str, request: HttpRequest | None, user: User | None = None, username: str = ""
) -> LoginEvent:
    meta = request.META if request is not None else {}
    return LoginEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=_address(request),
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300],
        path=(request.path if request is not None else "")[:200],
    )


def login_unlock(*, actor: User, user: User) -> int:
    """Lift the lockout of `user`'s username from every address before its time runs out (the person called the
    administrator). Audited; refused outside the actor's scope. Returns the number of counters removed."""
    if actor is not None and not account_manageable(actor=actor, account=user):
        raise PermissionDenied("该账号不在您的管辖范围内，您不能解除它的锁定")
    with transaction.atomic():
        removed = axes_reset(username=user.get_username())
        audit_record(actor=actor, action="login.unlock", obj=user, note=f"解除登录锁定（{removed} 条失败计数）")
    return removed


def lockout_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The page a locked-out login gets instead of the login form: 429 and what to do, in Chinese."""
    message = LOCKOUT_MESSAGE.format(minutes=lockout_minutes())
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


# Signal receivers (connected in AccountsConfig.ready, after axes' own, so that axes has already marked a
# locked-out request when the failure is recorded).


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    login_event_record(kind=LoginKind.SUCCESS, request=request, user=user)
    if request is not None and hasattr(request, "session") and is_staff_account(user):
        # The idle clock starts with the login, saved with it: the next pages need no session write of their own.
        request.session[SEEN] = int(time.time())


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    kind = LoginKind.LOCKED_OUT if getattr(request, "axes_locked_out", False) else LoginKind.FAILURE
    username = str(credentials.get("username") or "")
    user = User.objects.filter(username=username).first() if username else None
    login_event_record(kind=kind, request=request, user=user, username=username)


def on_logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None and getattr(request, "login_event_kind", None) != LoginKind.IDLE_TIMEOUT:
        login_event_record(kind=LoginKind.LOGOUT, request=request, user=user)
