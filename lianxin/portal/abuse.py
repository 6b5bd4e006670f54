"""Protection against abuse of the public forms, with no third-party service: rate limits per IP and per phone
in Django's cache (Redis when REDIS_URL is set, so limits hold across processes), a honeypot field that people
never see, and a small arithmetic captcha signed by the server (no state until it is used, then remembered so
that one solution is not replayed)."""

import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from lianxin.core.errors import DomainError

CAPTCHA_SALT = "lianxin.portal.captcha"
CAPTCHA_MAX_AGE = 2 * 3600
HONEYPOT_FIELD = "website"

# (limit, window in seconds); settings may override each, e.g. PORTAL_RATE_SUBMIT_IP = (5, 3600).
RATES = {
    "submit_ip": (20, 3600),
    "submit_phone": (5, 24 * 3600),
    "track_ip": (120, 3600),
    "rate_ip": (20, 3600),
}


def client_ip(request: HttpRequest) -> str:
    """The peer's address. Behind a reverse proxy, set the proxy to pass the real address as REMOTE_ADDR
    (e.g. gunicorn --forwarded-allow-ips): X-Forwarded-For from the client could be anything."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limit(scope: str, ident: str) -> None:
    """Count one attempt; DomainError rate_limited past the limit of the current fixed window."""
    limit, window = getattr(settings, f"PORTAL_RATE_{scope.upper()}", RATES[scope])
    bucket = f"portal:rl:{scope}:{ident}:{int(time.time() // window)}"
    cache.add(bucket, 0, window)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, window)
        count = 1
    if count > limit:
        raise DomainError("rate_limited", "提交太频繁，请稍后再试", field=None)


@dataclass(frozen=True)
class Captcha:
    question: str
    token: str


def captcha_new() -> Captcha:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2) and a >= b:
        question, answer = f"{a} 减 {b} 等于几？", a - b
    else:
        question, answer = f"{a} 加 {b} 等于几？", a + b
    token = signing.dumps({"a": answer, "n": secrets.token_hex(8)}, salt=CAPTCHA_SALT, compress=True)
    return Captcha(question=question, token=token)


def captcha_refresh(form: Any, data: Any) -> None:
    """Show a refused public form again with a fresh question (a solution is used once) and an empty answer;
    everything else the person typed, the form token included, stays."""
    captcha = captcha_new()
    data = data.copy()
    data["captcha"], data["captcha_token"] = "", captcha.token
    form.data = data
    form.fields["captcha"].label = f"验证题：{captcha.question}"


def captcha_check(*, token: str, answer: str) -> None:
    try:
        data = signing.loads(token or "", salt=CAPTCHA_SALT, max_age=CAPTCHA_MAX_AGE)
    except signing.BadSignature as error:
        raise DomainError("captcha_expired", "验证题已过期，请重新作答", field="captcha") from error
    given = (answer or "").strip()
    if not given.lstrip("-").isdigit() or int(given) != data["a"]:
        raise DomainError("captcha_wrong", "验证题: 答案不对，请重新计算", field="captcha")
    if not cache.add(f"portal:captcha:{data['n']}", 1, CAPTCHA_MAX_AGE):
        raise DomainError("captcha_expired", "验证题已使用过，请重新作答", field="captcha")


def honeypot_check(value: str) -> None:
    """People never see the field (it is hidden); programs that fill every field do."""
    if value:
        raise DomainError("rejected", "提交未成功，请刷新页面后重试")
