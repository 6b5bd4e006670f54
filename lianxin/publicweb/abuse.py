"""Protection against abuse of the public forms, with no third-party service: rate limits per IP and per phone
in the store every process shares (lianxin.core.ratelimit: Redis, or the database), a honeypot field that people
never see, and a small arithmetic captcha whose token carries no answer (a nonce and an HMAC of the nonce and the
answer, signed by the server), answered once: the first attempt, right or wrong, uses it up."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import caches

from lianxin.core.errors import DomainError
from lianxin.core.net import client_ip
from lianxin.core.ratelimit import ALIAS, Limit, rate_check

__all__ = ["client_ip"]  # re-exported: the portal and the projects' pages import it from here

CAPTCHA_SALT = "lianxin.portal.captcha"
CAPTCHA_MAX_AGE = 2 * 3600
HONEYPOT_FIELD = "website"

# (limit, window in seconds); settings may override each, e.g. PORTAL_RATE_SUBMIT_IP = (5, 3600).
RATES = {
    "submit_ip": (20, 3600),
    "submit_phone": (5, 24 * 3600),
    "track_ip": (120, 3600),
    "rate_ip": (20, 3600),
    # Voters evaluating a 述职 (lianxin.portal.duty_views) sit in one hall, often behind one Wi-Fi address.
    "evaluate_ip": (200, 3600),
}


def rate_limit(scope: str, ident: str) -> None:
    """Count one attempt; DomainError rate_limited past the limit of the current fixed window."""
    limit, window = getattr(settings, f"PORTAL_RATE_{scope.upper()}", RATES[scope])
    rate_check([Limit(key=f"portal:{scope}:{ident}", limit=limit, window=window)], "提交太频繁，请稍后再试")


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
    nonce = secrets.token_hex(8)
    token = signing.dumps({"n": nonce, "h": _answer_mac(nonce, answer)}, salt=CAPTCHA_SALT, compress=True)
    return Captcha(question=question, token=token)


def _answer_mac(nonce: str, answer: int) -> str:
    """Binds the answer to the nonce with a key only the server has: the 19 possible answers cannot be tried
    against the token offline, and the token is answered once (captcha_check)."""
    key = hashlib.sha256(f"{CAPTCHA_SALT}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{nonce}:{answer}".encode(), hashlib.sha256).hexdigest()[:32]


def captcha_refresh(form: Any, data: Any) -> None:
    """Show a refused public form again with a fresh question (a solution is used once) and an empty answer;
    everything else the person typed, the form token included, stays."""
    captcha = captcha_new()
    data = data.copy()
    data["captcha"], data["captcha_token"] = "", captcha.token
    form.data = data
    form.fields["captcha"].label = f"验证题：{captcha.question}"


def captcha_check(*, token: str, answer: str, form_token: str = "") -> None:
    """Refuse a wrong, expired or already used answer. `form_token` names the form the answer came with: the same
    form posted twice at once (a double tap) may use its question twice, and the form token then makes the two
    posts one case; another form may not."""
    try:
        data = signing.loads(token or "", salt=CAPTCHA_SALT, max_age=CAPTCHA_MAX_AGE)
        nonce, mac = str(data["n"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError) as error:
        raise DomainError("captcha_expired", "验证题已过期，请重新作答", field="captcha") from error
    # One attempt per question, counted before the answer is looked at: guessing all answers takes a new page each.
    store, key, holder = caches[ALIAS], f"portal:captcha:{nonce}", form_token or secrets.token_hex(8)
    if not store.add(key, holder, CAPTCHA_MAX_AGE) and store.get(key) != holder:
        raise DomainError("captcha_expired", "验证题已使用过，请重新作答", field="captcha")
    given = (answer or "").strip()
    if not given.lstrip("-").isdigit() or not hmac.compare_digest(_answer_mac(nonce, int(given)), mac):
        raise DomainError("captcha_wrong", "验证题: 答案不对，请重新计算", field="captcha")


def honeypot_check(value: str) -> None:
    """People never see the field (it is hidden); programs that fill every field do."""
    if value:
        raise DomainError("rejected", "提交未成功，请刷新页面后重试")
