"""Staff sessions: logged out after STAFF_IDLE_MINUTES without a request, and, where STAFF_2FA_REQUIRED, held at
the second-factor page until a TOTP code is verified (lianxin.accounts.views). Deputies and grid workers, who
have no back-office role, are not affected. Runs after django-otp's OTPMiddleware (request.user.is_verified)."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from lianxin.accounts.logins import SEEN, is_staff_account, login_event_record
from lianxin.accounts.models import LoginKind

# The session is written at most once a minute for the idle clock, not on every request.
SEEN_RESOLUTION = 60
# Pages a half-logged-in user (password, no code yet) may still reach.
OPEN_PREFIXES = ("/accounts/", "/static/", "/media/")
SECOND_FACTOR_REQUIRED = {
    "code": "second_factor_required",
    "message": "请先在浏览器中完成动态验证码验证",
    "field": None,
}


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if is_staff_account(user):
            if self._idle_too_long(request):
                login_event_record(kind=LoginKind.IDLE_TIMEOUT, request=request, user=user)  # type: ignore[arg-type]
                request.login_event_kind = LoginKind.IDLE_TIMEOUT  # type: ignore[attr-defined]
                logout(request)  # the page then asks for a login as for anyone else
            elif settings.STAFF_2FA_REQUIRED and not user.is_verified() and not self._open(request.path):  # type: ignore[union-attr]
                return self._second_factor(request)
        return self.get_response(request)

    @staticmethod
    def _idle_too_long(request: HttpRequest) -> bool:
        now = int(time.time())
        seen = request.session.get(SEEN)
        if seen is not None and now - int(seen) > settings.STAFF_IDLE_MINUTES * 60:
            return True
        if seen is None or now - int(seen) >= SEEN_RESOLUTION:
            request.session[SEEN] = now
        return False

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(OPEN_PREFIXES) or path.endswith("/logout/")

    @staticmethod
    def _second_factor(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(("/api/", "/open311/")):
            return JsonResponse(SECOND_FACTOR_REQUIRED, status=401, json_dumps_params={"ensure_ascii": False})
        return HttpResponseRedirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
