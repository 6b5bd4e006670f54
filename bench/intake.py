"""Intake benchmark: how many case submissions per second the platform accepts under gunicorn on PostgreSQL,
next to what the same server does for a no-op, and the latency of submissions at a steady 200 requests/s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/intake.py

It builds a fresh schema in DATABASE_URL's database (and refuses a database with data in it unless --reset),
starts gunicorn bound to 127.0.0.1 on a free port with production settings, and drives it from a separate
process with plain http.client threads (no external load tool needed):

  1. GET /api/v1/health/live (the no-op) at the highest rate C connections reach (closed loop) for --duration
     seconds;
  2. POST /api/v1/cases at the highest rate (closed loop, C connections);
  3. POST /api/v1/cases at a fixed --rate (open loop). Latency is measured from the time each request was
     *scheduled*, not sent, so a stalled server shows up as latency instead of silently lowering the rate
     (coordinated omission).
  4. With the server stopped, the worker's registration step turns the queued submissions into cases (they were
     answered 202 with a receipt code; docs/decisions/0001-asynchronous-api-intake.md) for at most
     --drain-seconds: how fast one worker catches up with the burst.

It prints a table and ends with one JSON line: submissions_per_s, noop_per_s, p50_ms, p99_ms (phase 3), errors,
then extra keys. The figures are for reading; nothing here asserts a timing. See bench/README.md.

With --burst, instead: the burst-drain figure. An active router version (trained once on messages.csv and kept in
var/bench/), gunicorn and the workers as deployed (`run_worker --queue intake` × --intake-workers and one
`--queue heavy`), submissions at --rate for --burst-seconds (200/s for 60 s), then the time from the end of the
burst until every submission is a case with its routing proposal (burst_drain_s; the target is 120 s).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import queue
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from intake_report import CONNECTION_ERROR, OPEN_LOOP_THREADS, TIMEOUT, UNSENT, Drain, report, summarise

ROOT = Path(__file__).resolve().parent.parent
REGIONS_CSV = ROOT / "lianxin" / "demo" / "data" / "deqing_regions.csv"
COUNTY_CODE = "330521000000"  # 德清县
HEALTH, CASES = "/api/v1/health/live", "/api/v1/cases"
SCHEMA_MARK = "lianxin bench schema"  # a comment on the schema this benchmark created: it may be replaced


# Fixture -------------------------------------------------------------------------------------------------------


def database_has_data(url: str) -> tuple[bool, bool]:
    """(has rows in any table, schema carries this benchmark's mark). Read with psycopg, before Django."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        mark = conn.execute("select obj_description('public'::regnamespace, 'pg_namespace')").fetchone()
        tables = conn.execute("select tablename from pg_tables where schemaname = 'public'").fetchall()
        has_rows = any(
            conn.execute(f'select exists (select 1 from public."{name}")').fetchone()[0]  # type: ignore[index]
            for (name,) in tables
        )
    return has_rows, bool(mark and mark[0] == SCHEMA_MARK)


def fresh_schema(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop schema if exists public cascade")
        conn.execute("create schema public")
        conn.execute(f"comment on schema public is '{SCHEMA_MARK}'")


@dataclass(frozen=True)
class Fixture:
    token: str
    region_codes: list[str]
    category_codes: list[str]
    seconds: float


def build_fixture() -> Fixture:
    """Migrate, import 德清's regions and create a county staff account with an API token, through the services.

    Measured on the 2-core machine: this takes ~13 s (migrate ~11 s, regions ~1 s), `seed_demo` would add ~10 s
    of deputies, grids and places that registration by region code never reads."""
    started = time.monotonic()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from lianxin.accounts.models import User
    from lianxin.accounts.roles import Role
    from lianxin.accounts.services import api_token_create, role_grant
    from lianxin.cases.models import Category
    from lianxin.regions.models import Region, RegionLevel
    from lianxin.regions.services import region_import_csv

    call_command("migrate", interactive=False, verbosity=0)
    region_import_csv(path=str(REGIONS_CSV))
    county = Region.objects.get(code=COUNTY_CODE)
    user = User.objects.create_user(username="bench-county-staff", display_name="压测县级工作人员")
    role_grant(actor=None, user=user, role=Role.COUNTY_STAFF, region=county)
    token = api_token_create(actor=None, user=user, name="bench/intake.py")
    codes = list(
        Region.objects.filter(
            path__startswith=county.path, level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
        ).values_list("code", flat=True)
    )
    categories = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    connections.close_all()  # the server must not share this process's connection
    return Fixture(token=token, region_codes=codes, category_codes=categories, seconds=time.monotonic() - started)


def count_rows() -> dict[str, int]:
    from django.db import connections

    from lianxin.cases.models import Case, CaseEvent, Submission, SubmissionStatus
    from lianxin.notifications.models import Notification

    counts = {
        "submissions": Submission.objects.count(),
        **{
            f"submissions_{status}": Submission.objects.filter(status=status).count()
            for status in SubmissionStatus.values
        },
        "cases": Case.objects.count(),
        "case_events": CaseEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }
    connections.close_all()
    return counts


def drain_queue(*, seconds: float) -> Drain:
    """Phase 4, after the server has stopped: the worker's registration step (`run_worker`'s job
    cases_register_submissions) in this process, for at most `seconds`. Accepting is cheap; this is the cost
    that was deferred, and how fast one worker catches up with a burst."""
    from django.db import connections

    from lianxin.cases.intake.queue import submissions_register_queued

    registered, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        handled = submissions_register_queued(limit=100)
        registered += handled
        if handled == 0:
            break
    elapsed = time.monotonic() - started
    connections.close_all()
    return Drain(registered=registered, seconds=elapsed)


# Server --------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    command: list[str]

    def stop(self) -> None:
        """SIGTERM to gunicorn's process group (its own session), SIGKILL if it has not gone in 15 s."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def start_server(*, url: str, workers: int, worker_class: str, threads: int, log: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lianxin.settings",
        "DATABASE_URL": url,
        "DEBUG": "false",
        "LIANXIN_PRODUCTION": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # TLS ends at the reverse proxy in production; gunicorn behind it speaks plain HTTP, as here.
        "SECURE_SSL_REDIRECT": "false",
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        # One token from one address at hundreds a second: the API's rate limits would measure the limiter.
        "API_RATE_CALLER": "0",
        "API_RATE_IP": "0",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "lianxin.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        "--timeout=30",
        "--graceful-timeout=5",
        "--log-level=warning",
        "--no-control-socket",
    ]
    if worker_class == "gthread":
        command.append(f"--threads={threads}")
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(process=process, port=port, log=log, command=command)


def wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            conn.request("GET", HEALTH)
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {HEALTH} within {timeout:.0f} s:\n{server.log.read_text()[-3000:]}")


# Load ----------------------------------------------------------------------------------------------------------

PROBLEMS = [
    ("路灯", "村口到小学那段路的路灯坏了三盏，晚上孩子放学和老人散步都看不清路，希望尽快维修。"),
    ("垃圾清运", "小区北门的垃圾桶经常满了也没人清运，夏天气味很大，还招苍蝇，居民意见很大。"),
    ("道路破损", "通往菜市场的水泥路有好几处坑洼，下雨天积水，电瓶车经过容易打滑摔倒。"),
    ("停车难", "老旧小区车位不够，车辆乱停占用消防通道，救护车上次差点开不进来。"),
    ("噪声扰民", "附近工地夜里十点以后还在施工，噪声很大，影响周边居民休息。"),
    ("饮水安全", "最近自来水有时发黄，烧开后有沉淀，家里有老人小孩，担心饮水安全。"),
    ("养老服务", "村里独居老人较多，希望居家养老服务中心能增加助餐和上门探访的次数。"),
    ("农田灌溉", "东片农田的灌溉渠多年没有清淤，放水时水流不过去，影响早稻插秧。"),
    ("公交线路", "希望增开一班早上七点前往县城的公交车，方便在开发区上班的村民通勤。"),
    ("河道污染", "村边小河有人偷排养殖废水，河面漂浮物多，水质明显变差。"),
    ("加装电梯", "我们楼里住着好几位行动不便的老人，想申请加装电梯，不知道该找哪个部门。"),
    ("农村医保", "外出务工人员回乡后医保转移接续手续复杂，来回跑了好几趟还没办好。"),
]
CLAUSES = [
    "这个问题已经存在一段时间了",
    "之前向村里反映过，但一直没有回音",
    "附近的居民都很关心",
    "希望有关部门尽快来现场看看",
    "我们愿意配合做好相关工作",
    "特别是早晚高峰时段情况更加严重",
    "周边还有一所幼儿园和一家卫生服务站",
    "请代表帮忙协调解决",
    "如果需要，可以提供照片和具体位置",
    "上次代表接待日也有群众提到过类似情况",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙沈朱胡姚钱"
GIVEN = ["建国", "秀英", "丽", "伟", "芳", "志强", "梅", "海峰", "晓燕", "国华"]
CHANNELS = ["online", "online", "online", "hotline", "station", "mobile", "grid_worker", "visit"]


def submission(rng: random.Random, region_codes: list[str], category_codes: list[str]) -> dict[str, Any]:
    """A realistic case: Chinese text of varying length (a sentence to ~1,500 characters), named or anonymous,
    by region code, classified at registration about half the time."""
    subject, first = rng.choice(PROBLEMS)
    body = first + "".join(rng.choice(CLAUSES) + rng.choice("，。；") for _ in range(rng.choice([0, 1, 3, 8, 30, 80])))
    item: dict[str, Any] = {
        "channel": rng.choice(CHANNELS),
        "title": f"关于{subject}的问题" if rng.random() < 0.7 else f"反映{subject}：{first[: rng.randint(4, 30)]}",
        "body": body,
        "region": rng.choice(region_codes),
    }
    if rng.random() < 0.6:
        item["person_name"] = rng.choice(SURNAMES) + rng.choice(GIVEN)
        item["person_phone"] = f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
        item["reply_via"] = rng.choice(["sms", "online", "phone"])
    else:
        item["is_anonymous"] = True
    if category_codes and rng.random() < 0.5:
        item["category"] = rng.choice(category_codes)
    return item


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    started: float = 0.0
    finished: float = 0.0
    late: int = 0  # open loop: sent >10 ms after its scheduled time because every sender was awaiting an answer
    retries: int = 0
    # Open loop: lower bounds for requests that never answered in time (timeouts, and requests still unsent when
    # the phase had to end). They count as errors and in the percentiles, which are then lower bounds too.
    censored: list[float] = field(default_factory=list)
    client_cpu: float = 0.0  # seconds of CPU the load generator itself used during the phase
    server_cpu: float | None = None  # seconds of CPU gunicorn used during the phase
    db_cpu: float | None = None  # seconds of CPU PostgreSQL's backends for this database used during the phase

    def merge(self, other: Tally) -> None:
        self.statuses.update(other.statuses)
        self.latencies.extend(other.latencies)
        self.late += other.late
        self.retries += other.retries
        self.censored.extend(other.censored)


class Client:
    """One keep-alive connection. gunicorn's sync worker closes after every response; http.client then
    reconnects for the next request, which is what a proxy talking to a sync worker does too."""

    def __init__(self, port: int, timeout: float, token: str) -> None:
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.retries = 0

    def send(self, method: str, path: str, body: bytes | None = None, key: str | None = None) -> int:
        headers = {**self.auth, "Idempotency-Key": key} if key else self.auth
        for attempt in (1, 2):
            reused = self.conn.sock is not None
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                return response.status
            except TimeoutError:
                self.conn.close()
                return TIMEOUT
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection just as we reused it: retry once on a new one,
                # as every HTTP client does. Safe for submissions: the retry carries the same Idempotency-Key.
                self.conn.close()
                if not reused or attempt == 2:
                    return CONNECTION_ERROR
                self.retries += 1
            except (OSError, http.client.HTTPException):
                self.conn.close()
                return CONNECTION_ERROR
        return CONNECTION_ERROR

    def close(self) -> None:
        self.conn.close()


Request = Callable[[Client, random.Random], int]


def noop(client: Client, rng: random.Random) -> int:
    return client.send("GET", HEALTH)


BODY_POOL = 2000  # distinct submission bodies, drawn at random by every sender; each request has its own key


def submit(region_codes: list[str], category_codes: list[str]) -> Request:
    """Bodies are made before the phases: the load generator shares the server's two cores, so each
    millisecond it spends composing text would be taken from the server it measures."""
    pool_rng = random.Random(0)
    bodies = [
        json.dumps(submission(pool_rng, region_codes, category_codes), ensure_ascii=False).encode()
        for _ in range(BODY_POOL)
    ]

    def request(client: Client, rng: random.Random) -> int:
        key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return client.send("POST", CASES, bodies[rng.randrange(BODY_POOL)], key=key)

    return request


def closed_loop(config: dict[str, Any], request: Request, concurrency: int, duration: float, seed: int) -> Tally:
    """`concurrency` connections each send the next request as soon as the previous answer arrives."""
    tallies = [Tally() for _ in range(concurrency)]
    cpu = time.process_time()
    start = time.monotonic()
    stop_at = start + duration

    def run(index: int) -> None:
        tally, rng = tallies[index], random.Random(seed * 1000 + index)
        client = Client(config["port"], config["timeout"], config["token"])
        while (sent := time.monotonic()) < stop_at:
            status = request(client, rng)
            done = time.monotonic()
            tally.statuses[status] += 1
            tally.finished = done
            if 200 <= status < 300:
                tally.latencies.append(done - sent)
        tally.retries = client.retries
        client.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally(started=start, finished=max(t.finished for t in tallies), client_cpu=time.process_time() - cpu)
    for tally in tallies:
        total.merge(tally)
    return total


def open_loop(config: dict[str, Any], request: Request, rate: float, duration: float, seed: int) -> Tally:
    """Request i is due at start + i/rate whatever happened to the others; its latency runs from that moment.

    A server that falls behind would stretch the phase without end, so nothing is sent after the phase's time
    plus one request timeout: what is left counts as errors, with its wait so far as a lower bound latency."""
    count = int(rate * duration)
    schedule = itertools.count()  # next() on itertools.count is atomic under the GIL
    tallies = [Tally() for _ in range(OPEN_LOOP_THREADS)]
    cpu = time.process_time()
    start = time.monotonic() + 0.05
    cutoff = start + duration + config["timeout"]

    def run(index: int) -> None:
        tally, rng = tallies[index], random.Random(seed * 1000 + index)
        client = Client(config["port"], config["timeout"], config["token"])
        while (i := next(schedule)) < count:
            due = start + i / rate
            now = time.monotonic()
            if now > cutoff:
                tally.statuses[UNSENT] += 1
                tally.censored.append(now - due)
                continue
            if due > now:
                time.sleep(due - now)
            elif now - due > 0.010:
                tally.late += 1
            status = request(client, rng)
            done = time.monotonic()
            tally.statuses[status] += 1
            tally.finished = done
            if 200 <= status < 300:
                tally.latencies.append(done - due)
            elif status == TIMEOUT:
                tally.censored.append(done - due)
        tally.retries = client.retries
        client.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(OPEN_LOOP_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally(started=start, finished=max(t.finished for t in tallies), client_cpu=time.process_time() - cpu)
    for tally in tallies:
        total.merge(tally)
    return total


def _process_cpu(pid: int) -> float:
    """utime + stime of a process in seconds, from /proc (Linux); 0 if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_used(config: dict[str, Any]) -> tuple[float, float] | None:
    """CPU seconds used so far by gunicorn's processes and by the database's backends for this database.

    Machines that run a benchmark are rarely idle; CPU per request is what stays comparable when they are not.
    Linux with PostgreSQL on the same host only; None elsewhere."""
    import psycopg

    try:
        server = sum(
            _process_cpu(int(entry.name))
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and os.getpgid(int(entry.name)) == config["server_pgid"]
        )
    except (OSError, ProcessLookupError):
        return None
    try:
        with psycopg.connect(config["database_url"], autocommit=True) as conn:
            pids = conn.execute(
                "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
            ).fetchall()
    except psycopg.Error:
        return None
    return server, sum(_process_cpu(pid) for (pid,) in pids)


def drive(config: dict[str, Any], results: Any) -> None:
    """The load generator, in its own process so that it does not share a GIL with anything measured."""
    try:
        submit_request = submit(config["region_codes"], config["category_codes"])
        c, d = config["concurrency"], config["duration"]
        # Warm-up, not counted: both workers import everything and open their database connections.
        closed_loop(config, noop, c, config["warmup"], seed=1)
        closed_loop(config, submit_request, c, config["warmup"], seed=2)
        runs: dict[str, Callable[[], Tally]] = {
            "noop": lambda: closed_loop(config, noop, c, d, seed=3),
            "submit_max": lambda: closed_loop(config, submit_request, c, d, seed=4),
            "submit_rate": lambda: open_loop(config, submit_request, config["rate"], d, seed=5),
        }
        phases = {}
        for name, run in runs.items():
            before = cpu_used(config)
            tally = run()
            after = cpu_used(config)
            if before and after:
                tally.server_cpu, tally.db_cpu = after[0] - before[0], after[1] - before[1]
            phases[name] = tally
        results.put({name: tally.__dict__ for name, tally in phases.items()})
    except BaseException as exc:
        results.put({"error": repr(exc)})
        raise


# Main ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured phase (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections in the closed-loop phases (default 8)")
    parser.add_argument("--rate", type=float, default=200, help="requests/s in the open-loop phase (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    # gthread, measured against sync on this 2-core machine: ~1.5× the no-op rate (keep-alive; sync closes every
    # connection) and ~1.2× the submissions (a thread runs Python while another waits for PostgreSQL).
    parser.add_argument(
        "--worker-class", choices=["sync", "gthread"], default="gthread", help="gunicorn worker class (default gthread)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds per endpoint first (default 2)")
    parser.add_argument("--timeout", type=float, default=10, help="seconds before a request counts as an error")
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=30,
        help="phase 4: at most this many seconds registering the queued submissions (default 30)",
    )
    parser.add_argument("--burst", action="store_true", help="measure the burst-drain figure instead (see above)")
    parser.add_argument("--burst-seconds", type=float, default=60, help="--burst: seconds of submissions (default 60)")
    parser.add_argument(
        "--burst-wait", type=float, default=600, help="--burst: give up this many seconds after the burst (default 600)"
    )
    parser.add_argument("--intake-workers", type=int, default=2, help="--burst: `run_worker --queue intake` processes")
    parser.add_argument("--worker-nice", type=int, default=0, help="--burst: the workers' nice value (default 0)")
    parser.add_argument("--router", type=Path, default=None, help="--burst: the router model file (var/bench/…)")
    parser.add_argument(
        "--reset", action="store_true", help="drop the database's public schema even though it holds data"
    )
    return parser.parse_args(argv)


def collect(results: Any, driver: Any, *, timeout: float) -> dict[str, Any]:
    """The driver's results; fails early if it died without sending them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            raw: dict[str, Any] = results.get(timeout=1)
        except queue.Empty:
            if not driver.is_alive():
                raise RuntimeError(f"the load generator exited with {driver.exitcode} and no results") from None
            continue
        if "error" in raw:
            raise RuntimeError(f"the load generator failed: {raw['error']}")
        return raw
    raise RuntimeError(f"no results from the load generator within {timeout:.0f} s")


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # so that `finally` stops gunicorn


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = os.getenv("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql"):
        print("DATABASE_URL must name a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/bench")
        return 2
    has_rows, ours = database_has_data(url)
    if has_rows and not ours and not args.reset:
        print(
            f"{urlsplit(url).path.lstrip('/')} holds data that this benchmark did not write; it replaces the public "
            "schema. Use an empty database, or pass --reset to drop it."
        )
        return 2
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    sys.path.insert(0, str(ROOT))
    fresh_schema(url)
    load_before = os.getloadavg()[0]
    fixture = build_fixture()
    print(f"fixture ready in {fixture.seconds:.1f} s; starting gunicorn", flush=True)
    if args.burst:
        from intake_burst import run_burst  # here: it imports this module

        print(json.dumps(run_burst(args, url, fixture), ensure_ascii=False))
        return 0

    log = Path(tempfile.mkstemp(prefix="lianxin-bench-gunicorn-", suffix=".log")[1])
    server = start_server(url=url, workers=args.workers, worker_class=args.worker_class, threads=args.threads, log=log)
    driver = None
    try:
        wait_ready(server)
        config = {
            "port": server.port,
            "token": fixture.token,
            "region_codes": fixture.region_codes,
            "category_codes": fixture.category_codes,
            "concurrency": args.concurrency,
            "duration": args.duration,
            "rate": args.rate,
            "warmup": args.warmup,
            "server_pgid": server.process.pid,
            "database_url": url,
            "timeout": args.timeout,
        }
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        driver = context.Process(target=drive, args=(config, results), name="intake-load")
        driver.start()
        raw = collect(results, driver, timeout=args.warmup * 2 + args.duration * 3 + 120)
        driver.join(timeout=30)
    finally:
        if driver is not None and driver.is_alive():
            driver.terminate()
        server.stop()
    phases = {name: summarise(name, data) for name, data in raw.items()}
    load_after = os.getloadavg()[0]
    print(f"phase 4: registering the queue in this process for at most {args.drain_seconds:g} s", flush=True)
    drain = drain_queue(seconds=args.drain_seconds)
    summary = report(args, fixture.seconds, server.log, phases, count_rows(), (load_before, load_after), drain)
    server_errors = [line for line in log.read_text(errors="replace").splitlines() if "Traceback" in line]
    if server_errors:
        print(f"the server logged {len(server_errors)} tracebacks; see {log}")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
