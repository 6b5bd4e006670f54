"""Rate-limit counters that every process sees: Redis when REDIS_URL is set, otherwise the database.

A per-process cache (Django's local memory) gives each gunicorn worker its own counters, so four workers let
four times the limit through (issue 12: 37 of 100 scripted submissions against 20 an hour). The counters live in
the store behind the "ratelimit" cache alias:

- Redis: INCR and EXPIRE in one pipeline (INCR is atomic in Redis).
- The database (the alias is Django's DatabaseCache): not DatabaseCache.incr, which is a read then a write and
  loses counts when two workers race, but one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement per request
  on a small table of its own (SQLite ≥ 3.35 and PostgreSQL both have it), created after `migrate`
  (lianxin.core.apps) like Django's cache table. Expired counters are deleted by the worker every few minutes
  (`rate_counters_purge`), never by a request: every request costs the same one statement.
- Anything else (local memory, development): the cache's add and incr, per process.

Windows are fixed: a counter is named after its window's number, so it never needs resetting, and a refusal can say
how many seconds remain (Retry-After). Call outside a transaction that may roll back, or the count rolls back too.
"""

import datetime
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from lianxin.core.errors import DomainError

logger = logging.getLogger(__name__)

ALIAS = "ratelimit"
COUNTER_TABLE = "lianxin_rate_counter"


@dataclass(frozen=True)
class Limit:
    key: str  # what is counted, e.g. "api:ip:10.0.0.1"
    limit: int  # attempts allowed per window
    window: int  # seconds
    cost: int = 1  # attempts this request counts for (a lookup of ten receipt codes is ten guesses)


@dataclass(frozen=True)
class Hit:
    limit: Limit
    count: int  # attempts in the current window, this one included
    retry_after: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit.limit


def rate_hit(limits: Sequence[Limit], *, now: float | None = None) -> list[Hit]:
    """Count one attempt against each limit (one round trip to the store) and say where each one stands."""
    if not limits:
        return []
    now = time.time() if now is None else now
    names, ttls = [], []
    for limit in limits:
        bucket = int(now // limit.window)
        names.append(f"rl:{limit.key}:{limit.window}:{bucket}")
        ttls.append(max(1, math.ceil((bucket + 1) * limit.window - now)))
    costs = [max(1, limit.cost) for limit in limits]
    cache = caches[ALIAS]
    try:
        if isinstance(cache, RedisCache):
            counts = _redis_counts(cache, names, ttls, costs)
        elif isinstance(cache, DatabaseCache):
            counts = _sql_counts(names, [now + ttl for ttl in ttls], costs)
        else:
            counts = _cache_counts(cache, names, ttls, costs)
    except Exception:
        # The store is away (Redis or the database down): let the request through uncounted. A limiter must not take
        # the site down with it, and whatever the request needs from the database will answer for itself.
        logger.warning("rate-limit store unavailable: %d limit(s) not counted", len(limits), exc_info=True)
        counts = [0] * len(limits)
    return [
        Hit(limit=limit, count=count, retry_after=ttl) for limit, count, ttl in zip(limits, counts, ttls, strict=True)
    ]


def _redis_counts(cache: RedisCache, names: list[str], ttls: list[int], costs: list[int]) -> list[int]:
    keys = [cache.make_and_validate_key(name) for name in names]
    client = cache._cache.get_client(write=True)
    pipe = client.pipeline()
    for key, ttl, cost in zip(keys, ttls, costs, strict=True):
        pipe.incr(key, cost)
        pipe.expire(key, ttl)
    results = pipe.execute()
    return [int(count) for count in results[::2]]


def _sql_counts(names: list[str], expires: list[float], costs: list[int]) -> list[int]:
    table = connection.ops.quote_name(COUNTER_TABLE)
    rows = ", ".join(["(%s, %s, %s)"] * len(names))
    params: list[str | int | float] = [value for row in zip(names, costs, expires, strict=True) for value in row]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, hits, expires) VALUES {rows} "
            f"ON CONFLICT (name) DO UPDATE SET hits = {table}.hits + excluded.hits RETURNING name, hits",
            params,
        )
        counts = dict(cursor.fetchall())
    return [int(counts[name]) for name in names]


def rate_counters_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the database store's expired counters (a no-op with Redis, whose keys expire by themselves); run by the
    worker every few minutes. Returns how many were deleted."""
    if not isinstance(caches[ALIAS], DatabaseCache):
        return 0
    moment = time.time() if now is None else now.timestamp()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(COUNTER_TABLE)} WHERE expires < %s", [moment])
        return max(0, cursor.rowcount)


def _cache_counts(cache: BaseCache, names: list[str], ttls: list[int], costs: list[int]) -> list[int]:
    counts = []
    for name, ttl, cost in zip(names, ttls, costs, strict=True):
        cache.add(name, 0, ttl)
        try:
            counts.append(cache.incr(name, cost))
        except ValueError:  # expired between add and incr
            cache.set(name, cost, ttl)
            counts.append(cost)
    return counts


def counter_table_create(using: str = "default") -> None:
    """The database store's table; run after `migrate` (idempotent), like Django's createcachetable. Emptied
    too: counters are short-lived, and `flush` (which ends every transactional test) sends post_migrate but knows
    only the models' tables, so counts would otherwise leak from one test into the next."""
    from django.db import connections

    db = connections[using]
    table = db.ops.quote_name(COUNTER_TABLE)
    with db.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {table} "
            "(name varchar(250) NOT NULL PRIMARY KEY, hits integer NOT NULL, expires double precision NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {table}")


class RateLimited(DomainError):
    """Too many attempts: 429, and how long to wait (Retry-After)."""

    status = 429

    def __init__(self, retry_after: int, message: str = "请求过于频繁，请稍后再试") -> None:
        super().__init__("rate_limited", message)
        self.retry_after = retry_after


def rate_check(limits: Sequence[Limit], message: str = "请求过于频繁，请稍后再试") -> None:
    """Count one attempt against each limit; RateLimited when any is past its limit."""
    refused = [hit for hit in rate_hit(limits) if not hit.allowed]
    if refused:
        raise RateLimited(max(hit.retry_after for hit in refused), message)


def parse_rate(text: str) -> tuple[int, int] | None:
    """ "600/60" → (600, 60): so many attempts per so many seconds; "0" or "" → no limit."""
    text = (text or "").strip()
    if text in ("", "0"):
        return None
    count, _, seconds = text.partition("/")
    return int(count), int(seconds or 60)


def limit_from_setting(setting: str, key: str, *, cost: int = 1) -> list[Limit]:
    """[Limit] for a "count/seconds" setting, or [] when it is switched off."""
    from django.conf import settings

    rate = parse_rate(str(getattr(settings, setting, "") or ""))
    return [Limit(key=key, limit=rate[0], window=rate[1], cost=cost)] if rate else []
