"""Durability under faults: every answered API submission becomes exactly one case, whatever is SIGKILLed.

    .venv/bin/python bench/durability.py [--url postgres://postgres@127.0.0.1:5432/lianxin_durability]

On PostgreSQL (the database is created if missing, and its schema replaced only when it is empty or was made by a
bench script), as deployed: gunicorn from deploy/gunicorn.conf.py (2 workers x 4 threads) with production settings,
and `lianxin run_worker`. Clients submit cases at --rate for --duration seconds, each with its own Idempotency-Key,
retrying an unanswered request with the same key and body (as a real client should) for up to --retry-seconds.
Meanwhile the script SIGKILLs the whole gunicorn process group, the worker, then both at once, then gunicorn again,
restarting each at once. When the load ends it waits until the worker has emptied the queue, then checks in the
database that every receipt code answered 202 (or 200, a replay) is exactly one case, and that no case exists twice
for one key. It ends with one JSON line; the exit status is 1 when a submission was lost or duplicated.
Figures are for reading (bench/README.md); the test suite asserts the mechanisms, not this run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from intake import build_fixture, database_has_data, free_port, fresh_schema, submission

ROOT = Path(__file__).resolve().parent.parent
CASES = "/api/v1/cases"


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def environment(url: str, port: int, log_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lianxin.settings",
        "DATABASE_URL": url,
        "LIANXIN_PRODUCTION": "true",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "API_RATE_CALLER": "0",  # one token from one address: the limiter is not what this measures
        "API_RATE_IP": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESS_LOG": str(log_dir / "access.log"),
        "PROMETHEUS_MULTIPROC_DIR": str(log_dir / "prometheus"),
    }


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            # Its own session: SIGKILL reaches gunicorn's master and workers at once, as a power cut would.
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@dataclass
class Outcome:
    answered: dict[str, str] = field(default_factory=dict)  # receipt code -> idempotency key
    statuses: dict[int, int] = field(default_factory=dict)
    unanswered: int = 0
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_one(
    port: int, token: str, body: bytes, key: str, retry_seconds: float, timeout: float, outcome: Outcome
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key}
    deadline = time.monotonic() + retry_seconds
    tries = 0
    while True:
        tries += 1
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request("POST", CASES, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status, data = 0, b""
        finally:
            conn.close()
        if status in (200, 202):
            with outcome.lock:
                outcome.answered[json.loads(data)["receipt_code"]] = key
                outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
                outcome.retries += tries - 1
            return
        if status not in (0, 502, 503) or time.monotonic() > deadline:
            with outcome.lock:
                outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
                outcome.unanswered += 1
            return
        # Exponential backoff with jitter, as a well-behaved client does: retrying every few hundred milliseconds
        # from every waiting client at once buries a server that is just coming back (measured: it never did).
        time.sleep(min(8.0, 0.5 * 2 ** min(tries - 1, 4)) * random.uniform(0.5, 1.0))


def drive(
    port: int, token: str, bodies: list[bytes], rate: float, duration: float, retry: float, timeout: float
) -> Outcome:
    """Open loop: a new submission every 1/rate seconds, each in its own thread (a stalled server must not slow
    the arrivals: during a kill, clients keep coming)."""
    outcome, threads = Outcome(), []
    rng = random.Random(13)
    started = time.monotonic()
    for n in range(int(rate * duration)):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        thread = threading.Thread(target=send_one, args=(port, token, rng.choice(bodies), key, retry, timeout, outcome))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return outcome


def wait_answering(port: int, timeout: float = 180) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health/live")
            if conn.getresponse().status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    return -1.0  # reported as such: did not come back in time


def verify(url: str, answered: dict[str, str], drain_timeout: float) -> dict[str, object]:
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            queued = conn.execute("select count(*) from cases_submission where status = 'queued'").fetchone()[0]
            if queued == 0 or time.monotonic() - started > drain_timeout:
                break
            time.sleep(0.5)
        drained = time.monotonic() - started
        codes = list(answered)
        per_code = dict(
            conn.execute(
                "select receipt_code, count(*) from cases_case where receipt_code = any(%s) group by 1", [codes]
            ).fetchall()
        )
        statuses = dict(
            conn.execute(
                "select status, count(*) from cases_submission where receipt_code = any(%s) group by 1", [codes]
            ).fetchall()
        )
        keys = conn.execute(
            "select count(*) from (select idempotency_key from cases_case where idempotency_key is not null "
            "group by 1 having count(*) > 1) d"
        ).fetchone()[0]
        cases = conn.execute("select count(*) from cases_case").fetchone()[0]
        submissions = conn.execute("select count(*) from cases_submission").fetchone()[0]
    return {
        "queued_left": queued,
        "drain_s": round(drained, 1),
        "answered_as_one_case": sum(1 for c in codes if per_code.get(c) == 1),
        "lost": sum(1 for c in codes if c not in per_code),
        "duplicated": sum(1 for c in codes if per_code.get(c, 0) > 1) + keys,
        "answered_submission_statuses": statuses,
        "cases": cases,
        "submissions": submissions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url", default=os.getenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lianxin_durability")
    )
    parser.add_argument("--rate", type=float, default=60.0, help="submissions per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--retry-seconds", type=float, default=60.0, help="how long a client retries one submission")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a client waits for one answer")
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument("--reset", action="store_true", help="replace the schema of a database that holds data")
    args = parser.parse_args(argv)
    if not urlsplit(args.url).scheme.startswith("postgres"):
        parser.error("PostgreSQL only: --url postgres://…")

    ensure_database(args.url)
    has_rows, ours = database_has_data(args.url)
    if has_rows and not (ours or args.reset):
        parser.error(f"{args.url} holds data; pass --reset to replace its schema")
    fresh_schema(args.url)
    os.environ["DATABASE_URL"] = args.url
    fixture = build_fixture()
    rng = random.Random(7)
    bodies = [
        json.dumps(submission(rng, fixture.region_codes, fixture.category_codes), ensure_ascii=False).encode()
        for _ in range(500)
    ]

    log_dir = ROOT / "var" / "bench" / "durability"
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = environment(args.url, port, log_dir)
    venv = Path(sys.executable).parent
    server = Process("gunicorn", [str(venv / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")], env,
                     log_dir / "gunicorn.log")  # fmt: skip
    worker = Process("worker", [sys.executable, "-m", "lianxin", "run_worker"], env, log_dir / "worker.log")
    server.start()
    worker.start()
    wait_answering(port)

    d = args.duration
    plan = [(0.2 * d, [server]), (0.4 * d, [worker]), (0.6 * d, [server, worker]), (0.8 * d, [server])]
    recoveries: list[float] = []

    def faults() -> None:
        started = time.monotonic()
        for at, victims in plan:
            time.sleep(max(0.0, started + at - time.monotonic()))
            for victim in victims:
                victim.kill()
            for victim in victims:
                victim.start()
            if server in victims:
                recoveries.append(round(wait_answering(port), 2))

    injector = threading.Thread(target=faults)
    injector.start()
    outcome = drive(port, fixture.token, bodies, args.rate, d, args.retry_seconds, args.timeout)
    injector.join()
    result = verify(args.url, outcome.answered, args.drain_timeout)
    server.stop()
    worker.stop()

    summary = {
        "bench": "durability",
        "rate": args.rate,
        "client_timeout_s": args.timeout,
        "duration_s": d,
        "sent": int(args.rate * d),
        "answered": len(outcome.answered),
        "answer_statuses": {str(k): v for k, v in sorted(outcome.statuses.items())},
        "unanswered": outcome.unanswered,
        "client_retries": outcome.retries,
        "server_kills": server.kills,
        "worker_kills": worker.kills,
        "server_back_after_s": recoveries,
        **result,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 and result["queued_left"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
