"""The figures of bench/intake.py: each phase summarised (rates, percentiles, CPU per request) and the report it
prints, ending with one JSON line. Split from intake.py, which sets up, drives and measures."""

from __future__ import annotations

import argparse
import os
import platform
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT, CONNECTION_ERROR, UNSENT = -1, -2, -3  # pseudo status codes for requests without an HTTP answer
OPEN_LOOP_THREADS = 64  # enough that a request at 200/s never waits for a free sender unless latency > 300 ms


@dataclass
class Drain:
    registered: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.registered / self.seconds if self.seconds else 0.0


# Phases --------------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile in milliseconds (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1] * 1000


@dataclass(frozen=True)
class PhaseResult:
    name: str
    requests: int
    ok: int
    errors: int
    per_s: float
    p50: float
    p90: float
    p99: float
    max: float
    statuses: dict[str, int]
    late: int
    retries: int
    censored: int
    client_cpu_share: float  # of one core
    server_cpu_ms: float | None  # per answered request
    db_cpu_ms: float | None


def summarise(name: str, raw: dict[str, Any]) -> PhaseResult:
    statuses: Counter[int] = raw["statuses"]
    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    requests = sum(statuses.values())
    answered = sum(n for status, n in statuses.items() if status > 0)  # reached the server and got an answer
    elapsed = max(raw["finished"] - raw["started"], 1e-9)
    latencies = raw["latencies"] + raw["censored"]
    label = {TIMEOUT: "timeout", CONNECTION_ERROR: "connection", UNSENT: "unsent"}
    return PhaseResult(
        name=name,
        requests=requests,
        ok=ok,
        errors=requests - ok,
        per_s=ok / elapsed,
        p50=percentile(latencies, 50),
        p90=percentile(latencies, 90),
        p99=percentile(latencies, 99),
        max=max(latencies, default=0) * 1000,
        statuses={label.get(s, str(s)): n for s, n in sorted(statuses.items())},
        late=raw["late"],
        retries=raw["retries"],
        censored=len(raw["censored"]),
        client_cpu_share=raw["client_cpu"] / elapsed,
        server_cpu_ms=raw["server_cpu"] * 1000 / answered if raw["server_cpu"] is not None and answered else None,
        db_cpu_ms=raw["db_cpu"] * 1000 / answered if raw["db_cpu"] is not None and answered else None,
    )


def report(
    args: argparse.Namespace,
    fixture_seconds: float,
    server_log: Path,
    phases: dict[str, PhaseResult],
    rows: dict[str, int],
    load: tuple[float, float],
    drain: Drain,
) -> dict[str, Any]:
    noop_, peak, steady = phases["noop"], phases["submit_max"], phases["submit_rate"]
    errors = sum(p.errors for p in phases.values())
    share = peak.per_s / noop_.per_s if noop_.per_s else 0.0
    kind = f"{args.worker_class} workers" + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
    print()
    print(
        f"lianxin intake benchmark — gunicorn {args.workers} {kind}, PostgreSQL, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {args.duration:g} s per phase"
    )
    print(
        f"load average before {load[0]:.2f}, after {load[1]:.2f} (the benchmark itself adds about 2); "
        f"fixture {fixture_seconds:.1f} s; server log {server_log}"
    )
    print()
    header = (
        f"{'phase':<38}{'requests':>9}{'ok':>8}{'errors':>7}{'ok/s':>9}"
        f"{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}{'client CPU':>11}"
    )
    print(header)
    print("-" * len(header))
    labels = {
        "noop": f"1 GET health, closed loop, {args.concurrency} conns",
        "submit_max": f"2 POST cases, closed loop, {args.concurrency} conns",
        "submit_rate": f"3 POST cases, open loop at {args.rate:g}/s",
    }
    for name, p in phases.items():
        print(
            f"{labels[name]:<38}{p.requests:>9}{p.ok:>8}{p.errors:>7}{p.per_s:>9.1f}"
            f"{p.p50:>9.1f}{p.p90:>9.1f}{p.p99:>9.1f}{p.max:>9.1f}{p.client_cpu_share:>10.0%}"
        )
    print()
    for p in phases.values():
        if p.errors:
            print(f"  {labels[p.name]}: answers {p.statuses}")
    if steady.late:
        print(
            f"  phase 3: {steady.late} of {steady.requests} requests waited >10 ms for a free sender "
            f"(all {OPEN_LOOP_THREADS} awaiting answers); their wait is in the latency"
        )
    if steady.censored:
        print(
            f"  phase 3: {steady.censored} requests timed out or were never sent; they count as errors and enter "
            "the percentiles with their wait so far, so p50/p99 are lower bounds"
        )
    if noop_.server_cpu_ms is not None and peak.server_cpu_ms is not None and peak.db_cpu_ms is not None:
        cores = os.cpu_count() or 1
        cost = peak.server_cpu_ms + (peak.db_cpu_ms or 0)
        print(
            f"CPU per answered request: no-op {noop_.server_cpu_ms:.2f} ms gunicorn; submission "
            f"{peak.server_cpu_ms:.1f} ms gunicorn + {peak.db_cpu_ms:.1f} ms PostgreSQL "
            f"→ at most ~{cores * 1000 / cost:.0f} submissions/s on {cores} idle cores, before the load generator"
        )
    met = "met" if share >= 0.5 else "MISSED"
    print(f"submissions ÷ no-op          {share:7.1%}   target ≥ 50 %                    {met}")
    met = "met" if steady.p99 < 150 and steady.per_s >= 0.95 * args.rate and not steady.errors else "MISSED"
    print(f"p99 at {args.rate:g}/s               {steady.p99:7.1f} ms target < 150 ms, rate kept   {met}")
    print(
        f"phase 4: one worker registered {drain.registered} queued submissions in {drain.seconds:.1f} s "
        f"({drain.per_s:.1f}/s); {rows.get('submissions_queued', 0)} still queued, "
        f"{rows.get('submissions_rejected', 0)} rejected"
    )
    print(f"rows written: {rows}")
    return {
        "submissions_per_s": round(peak.per_s, 1),
        "noop_per_s": round(noop_.per_s, 1),
        "p50_ms": round(steady.p50, 1),
        "p99_ms": round(steady.p99, 1),
        "errors": errors,
        "submission_share": round(share, 3),
        "rate_target_per_s": args.rate,
        "rate_achieved_per_s": round(steady.per_s, 1),
        "errors_by_phase": {name: p.errors for name, p in phases.items()},
        "p50_ms_max_rate": round(peak.p50, 1),
        "p99_ms_max_rate": round(peak.p99, 1),
        "noop_p99_ms": round(noop_.p99, 1),
        "late_sends": steady.late,
        "retries": sum(p.retries for p in phases.values()),
        "client_cpu_share": {name: round(p.client_cpu_share, 2) for name, p in phases.items()},
        "server_cpu_ms_per_request": {name: _round(p.server_cpu_ms, 2) for name, p in phases.items()},
        "db_cpu_ms_per_request": {name: _round(p.db_cpu_ms, 2) for name, p in phases.items()},
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads if args.worker_class == "gthread" else 1,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
        "loadavg_before": round(load[0], 2),
        "cases_in_db": rows.get("cases"),
        "submissions_in_db": rows.get("submissions"),
        "drain_per_s": round(drain.per_s, 1),
        "still_queued": rows.get("submissions_queued"),
        "rejected": rows.get("submissions_rejected"),
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
