"""The burst-drain figure of bench/intake.py (`--burst`): submissions at --rate for --burst-seconds against gunicorn
and the workers as deployed, then the time until every submission is a case with its routing proposal. Split from
intake.py, whose fixture, server and load generator it uses (see its docstring and bench/README.md)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from intake import (
    ROOT,
    Fixture,
    _process_cpu,
    closed_loop,
    collect,
    open_loop,
    start_server,
    submit,
    wait_ready,
)
from intake_report import summarise

ROUTER_CACHE = ROOT / "var" / "bench" / "router.joblib"
MESSAGES = Path(os.getenv("LIANXIN_SHARED_DATA", ROOT.parent / "shared" / "data")) / "govmsg" / "messages.csv"


def install_router(path: Path) -> str:
    """An active router version, as a county has after its first training: the model is trained on messages.csv
    once (~1 minute) and kept in `path` for the next runs. Its labels are the CSV's, so most proposals go to
    triage; what is measured is the worker's cost of scoring every case."""
    import django

    django.setup()
    from django.db import connections
    from django.utils import timezone

    from lianxin.routing.classifier import TextRouter
    from lianxin.routing.datasets import read_messages
    from lianxin.routing.models import RouterVersion
    from lianxin.routing.services import libraries

    if not path.exists():
        print(f"training the bench router on {MESSAGES} (once; kept in {path})", flush=True)
        rows = read_messages(MESSAGES, labelled=True)
        router = TextRouter().fit([r.title for r in rows], [r.body for r in rows], [r.label for r in rows])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(router.dumps())
    blob = path.read_bytes()
    router = TextRouter.loads(blob)
    RouterVersion.objects.create(
        number=1,
        trained_at=timezone.now(),
        source=f"bench: {MESSAGES.name}",
        samples=router.meta.get("samples", 0),
        classes=router.classes_,
        threshold=router.threshold,
        size=len(blob),
        libraries=libraries(),
        is_active=True,
        blob=blob,
    )
    connections.close_all()
    return f"{len(router.classes_)} classes, {len(blob) / 1e6:.1f} MB"


def start_workers(*, url: str, intake: int, log: Path, nice: int = 0) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lianxin.settings",
        "DATABASE_URL": url,
        "DEBUG": "false",
        "LIANXIN_PRODUCTION": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DB_CONN_MAX_AGE": "600",
        "WORKER_LOG_LEVEL": "WARNING",  # a line per round of every worker would cost the machine being measured
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    queues = ["intake"] * intake + ["heavy"]
    with log.open("ab") as out:
        return [
            subprocess.Popen(
                [sys.executable, "-m", "lianxin", "run_worker", "--queue", queue],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # A deployment may give the workers a lower CPU priority (systemd Nice=) than the web server: people
                # wait for the 202, nobody waits for the registration behind it.
                preexec_fn=(lambda: os.nice(nice)) if nice else None,
            )
            for queue in queues
        ]


def outstanding(url: str) -> tuple[int, int, int]:
    """(submissions still queued, cases without a routing proposal, cases)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        queued = conn.execute("select count(*) from cases_submission where status = 'queued'").fetchone()
        bare = conn.execute(
            "select count(*) from cases_case c where not exists "
            "(select 1 from routing_proposal p where p.case_id = c.id)"
        ).fetchone()
        cases = conn.execute("select count(*) from cases_case").fetchone()
    return queued[0], bare[0], cases[0]  # type: ignore[index]


def drain_cpu(url: str, workers: list[subprocess.Popen[bytes]]) -> tuple[float, float]:
    """CPU seconds so far of the worker processes and of this database's backends (Linux, PostgreSQL on the
    same host)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        pids = conn.execute(
            "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
        ).fetchall()
    return sum(_process_cpu(w.pid) for w in workers), sum(_process_cpu(pid) for (pid,) in pids)


def drive_burst(config: dict[str, Any], results: Any) -> None:
    """The burst's load generator (its own process, as `drive`): a short warm-up, then the open loop."""
    try:
        submit_request = submit(config["region_codes"], config["category_codes"])
        closed_loop(config, submit_request, config["concurrency"], config["warmup"], seed=2)
        tally = open_loop(config, submit_request, config["rate"], config["duration"], seed=6)
        results.put({"burst": tally.__dict__, "ended": time.time()})
    except BaseException as exc:
        results.put({"error": repr(exc)})
        raise


def run_burst(args: argparse.Namespace, url: str, fixture: Fixture) -> dict[str, Any]:
    router = install_router(args.router or ROUTER_CACHE)
    log = Path(tempfile.mkstemp(prefix="lianxin-bench-burst-", suffix=".log")[1])
    server = start_server(url=url, workers=args.workers, worker_class=args.worker_class, threads=args.threads, log=log)
    workers: list[subprocess.Popen[bytes]] = []
    driver = None
    try:
        wait_ready(server)
        workers = start_workers(url=url, intake=args.intake_workers, log=log, nice=args.worker_nice)
        config = {
            "port": server.port,
            "token": fixture.token,
            "region_codes": fixture.region_codes,
            "category_codes": fixture.category_codes,
            "concurrency": args.concurrency,
            "duration": args.burst_seconds,
            "rate": args.rate,
            "warmup": args.warmup,
            "timeout": args.timeout,
        }
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        driver = context.Process(target=drive_burst, args=(config, results), name="intake-burst")
        driver.start()
        print(f"burst: {args.rate:g}/s for {args.burst_seconds:g} s; router {router}", flush=True)
        raw = collect(results, driver, timeout=args.warmup + args.burst_seconds * 2 + 120)
        ended = float(raw.pop("ended"))
        driver.join(timeout=30)
        server.stop()  # nothing more arrives; the workers go on
        at_end = outstanding(url)
        cpu_before = drain_cpu(url, workers)
        drained_at = None
        while time.time() - ended < args.burst_wait:
            queued, bare, cases = outstanding(url)
            if queued == 0 and bare == 0:
                drained_at = time.time()
                cpu_after = drain_cpu(url, workers)
                break
            print(f"  +{time.time() - ended:5.0f} s: {queued} queued, {bare} cases without a proposal", flush=True)
            time.sleep(5 if time.time() - ended > 10 else 1)
    finally:
        if driver is not None and driver.is_alive():
            driver.terminate()
        server.stop()
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
    tally = summarise("burst", raw["burst"])
    queued, bare, cases = outstanding(url)
    drain = None if drained_at is None else drained_at - ended
    # CPU per case while draining (workers + PostgreSQL, nothing else of ours running): what the machine's load
    # does not change. On idle cores, cores × 1000 / cpu_ms cases per second.
    cpu_ms = None
    if drained_at is not None and at_end[0]:
        cpu_ms = ((cpu_after[0] - cpu_before[0]) + (cpu_after[1] - cpu_before[1])) * 1000 / at_end[0]
    tracebacks = log.read_text(errors="replace").count("Traceback")
    print()
    print(
        f"burst of {args.rate:g}/s for {args.burst_seconds:g} s: {tally.ok} accepted ({tally.per_s:.1f}/s, "
        f"p99 {tally.p99:.0f} ms, {tally.errors} errors); at its end {at_end[0]} queued and {at_end[1]} cases "
        f"without a proposal; {args.intake_workers} intake worker(s) + 1 heavy; log {log}"
    )
    print(
        f"  answers {tally.statuses}; load average {os.getloadavg()[0]:.1f} (other work on the machine slows both sides)"
    )
    if cpu_ms is not None:
        print(
            f"  draining cost {cpu_ms:.1f} ms of CPU per case (workers {cpu_after[0] - cpu_before[0]:.1f} s + "
            f"PostgreSQL {cpu_after[1] - cpu_before[1]:.1f} s for {at_end[0]} queued): at most "
            f"~{(os.cpu_count() or 1) * 1000 / cpu_ms:.0f} cases/s on idle cores"
        )
    met = "met" if drain is not None and drain <= 120 else "MISSED"
    shown = f"{drain:.1f} s" if drain is not None else f"not drained within {args.burst_wait:g} s"
    print(f"burst drained (every submission a case with its proposal) {shown} after the burst; target ≤ 120 s {met}")
    if tracebacks:
        print(f"the server and workers logged {tracebacks} tracebacks; see {log}")
    return {
        "burst_drain_s": None if drain is None else round(drain, 1),
        "burst_rate_per_s": args.rate,
        "burst_seconds": args.burst_seconds,
        "burst_accepted": tally.ok,
        "burst_errors": tally.errors,
        "burst_p99_ms": round(tally.p99, 1),
        "burst_statuses": tally.statuses,
        "loadavg": round(os.getloadavg()[0], 2),
        "queued_at_burst_end": at_end[0],
        "unproposed_at_burst_end": at_end[1],
        "cases": cases,
        "still_queued": queued,
        "still_unproposed": bare,
        "intake_workers": args.intake_workers,
        "worker_nice": args.worker_nice,
        "drain_cpu_ms_per_case": None if cpu_ms is None else round(cpu_ms, 2),
        "tracebacks": tracebacks,
        "cpus": os.cpu_count(),
    }
