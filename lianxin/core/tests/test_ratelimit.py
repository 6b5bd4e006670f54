"""Rate-limit counters in a store every process shares: the database (no Redis) or Redis."""

import datetime
import os
import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from lianxin.core import ratelimit
from lianxin.core.ratelimit import COUNTER_TABLE, Limit, RateLimited, rate_check, rate_hit
from lianxin.ops.management.commands import run_worker

# A Redis database of this test's own (the machine's Redis is shared); REDIS_TEST_URL overrides.
REDIS_TEST_URL = os.getenv("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")


def _redis_or_skip() -> str:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    return REDIS_TEST_URL


def test_without_redis_the_shared_store_is_the_database(db):
    assert isinstance(caches["ratelimit"], DatabaseCache)
    with connection.cursor() as cursor:  # created by migrate (lianxin.core.apps), so a fresh database has it
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(COUNTER_TABLE)}")
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name('lianxin_cache')}")


def test_the_limit_refuses_past_its_count_and_says_how_long_to_wait(db):
    limit = Limit(key="test:one", limit=3, window=60)
    hits = [rate_hit([limit], now=1000.0)[0] for _ in range(4)]
    assert [hit.count for hit in hits] == [1, 2, 3, 4]
    assert [hit.allowed for hit in hits] == [True, True, True, False]
    assert hits[-1].retry_after == 20  # the window is 960..1020
    # The next window starts from zero.
    assert rate_hit([limit], now=1020.0)[0].count == 1


def test_several_limits_are_counted_in_one_statement(db, django_assert_num_queries):
    limits = [Limit(key="test:caller", limit=5, window=60), Limit(key="test:ip", limit=5, window=3600)]
    with django_assert_num_queries(1):
        first = rate_hit(limits, now=5.0)
    assert [hit.count for hit in first] == [1, 1]
    assert [hit.count for hit in rate_hit(limits, now=6.0)] == [2, 2]


def test_a_request_costs_one_statement_every_time_and_the_worker_deletes_expired_counters(
    db, django_assert_num_queries
):
    # A request used to delete expired counters at random (one in 256), so its query count changed from run to run.
    limit = Limit(key="test:steady", limit=1000, window=60)
    for n in range(600):
        with django_assert_num_queries(1):
            rate_hit([limit], now=float(n))
    rate_hit([Limit(key="test:later", limit=5, window=60)], now=700.0)  # expires at 720
    assert _counter_names() == ["rl:test:later:60:11", *(f"rl:test:steady:60:{b}" for b in range(10))]

    jobs = {job.name: job for job in run_worker.jobs()}
    deleted = jobs["rate_counters_purge"].run(now=datetime.datetime.fromtimestamp(650.0, tz=datetime.UTC))
    assert deleted == 10  # windows 0..9 ended by 600; the later counter is still running
    assert _counter_names() == ["rl:test:later:60:11"]


def _counter_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {connection.ops.quote_name(COUNTER_TABLE)} ORDER BY name")
        return [name for (name,) in cursor.fetchall()]


def test_a_lookup_of_many_codes_counts_once_per_code(db):
    assert rate_hit([Limit(key="test:codes", limit=10, window=60, cost=7)], now=1.0)[0].count == 7
    assert not rate_hit([Limit(key="test:codes", limit=10, window=60, cost=4)], now=2.0)[0].allowed


def test_rate_check_raises_a_429_with_retry_after(db):
    limit = Limit(key="test:check", limit=1, window=100)
    rate_check([limit])
    with pytest.raises(RateLimited) as refused:
        rate_check([limit])
    assert refused.value.status == 429 and refused.value.code == "rate_limited"
    assert 1 <= refused.value.retry_after <= 100


def test_two_processes_on_the_database_see_the_same_counter(db, settings):
    """Each gunicorn worker has its own cache objects; two freshly made ones (as two processes would) count
    into the same database rows."""
    limit = Limit(key="test:workers", limit=100, window=60)
    seen = []
    for _ in range(3):
        for alias in ("ratelimit", "ratelimit"):
            fresh = caches.create_connection(alias)  # a new cache client, as in another process
            assert isinstance(fresh, DatabaseCache)
            seen.append(rate_hit([limit], now=30.0)[0].count)
    assert seen == [1, 2, 3, 4, 5, 6]


def test_a_used_captcha_is_seen_by_another_process_through_the_database_cache(db):
    first, second = caches.create_connection("ratelimit"), caches.create_connection("ratelimit")
    assert first is not second
    assert first.add("portal:captcha:n1", 1, 60)
    assert not second.add("portal:captcha:n1", 1, 60)


def test_two_redis_clients_see_the_same_counter(settings):
    url = _redis_or_skip()
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix},
    }
    one, two = caches.create_connection("ratelimit"), caches.create_connection("ratelimit")
    assert isinstance(one, RedisCache) and one is not two and one._cache is not two._cache
    limit = Limit(key="test:redis", limit=3, window=60)
    counts = [ratelimit._redis_counts(client, ["c"], [60], [1])[0] for client in (one, two, one, two)]
    assert counts == [1, 2, 3, 4]
    # And through rate_hit, which picks the store from the "ratelimit" alias.
    hits = [rate_hit([limit], now=10.0)[0] for _ in range(4)]
    assert [hit.allowed for hit in hits] == [True, True, True, False]
    assert one.add("portal:captcha:n1", 1, 60) and not two.add("portal:captcha:n1", 1, 60)
    one._cache.get_client(write=True).delete(*one._cache.get_client().keys(f"{prefix}:*"))


def test_flush_and_migrate_empty_the_counters_so_transactional_tests_do_not_leak_counts(transactional_db):
    from django.core.management import call_command

    limit = Limit(key="test:flush", limit=5, window=3600)
    assert [rate_hit([limit], now=100.0)[0].count for _ in range(3)] == [1, 2, 3]
    call_command("flush", interactive=False, verbosity=0)  # what ends every transactional test
    assert rate_hit([limit], now=100.0)[0].count == 1


def test_an_unreachable_store_lets_requests_through_uncounted(settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    [hit] = rate_hit([Limit(key="test:down", limit=1, window=60)])
    assert hit.allowed and hit.count == 0
    assert "rate-limit store unavailable" in caplog.text
