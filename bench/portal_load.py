"""Public pages under a QR campaign: requests per second and latency through gunicorn, as a phone would see them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchdemo .venv/bin/lianxin migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchdemo .venv/bin/lianxin seed_demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchdemo .venv/bin/python bench/portal_load.py

Starts gunicorn from deploy/gunicorn.conf.py (2 workers × 4 threads, production settings) on a free port, then for
each page: `wrk -t2 -c16 -d15s` (the most it serves), and `h2load` at a fixed 300 requests/s for 15 s with every
request's time logged (the p50/p99 a phone sees at that rate). Needs wrk and h2load (Debian: wrk, nghttp2-client).
Prints a table and one JSON line. The page cache is what is measured: PUBLIC_PAGE_SECONDS=0 measures without it.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pages() -> list[tuple[str, str]]:
    """The addresses a poster or a WeChat group sends people to, from the demo county in DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
    import django

    django.setup()
    from lianxin.cases.models import Case, Status
    from lianxin.deputies.models import Deputy
    from lianxin.projects.models import Project
    from lianxin.venues.models import Place

    deputy = Deputy.objects.exclude(user=None).order_by("pk").first()
    place = Place.objects.order_by("pk").first()
    result = Case.objects.filter(status=Status.PUBLISHED).order_by("pk").first()
    year = Project.objects.order_by("-year").values_list("year", flat=True).first()
    if deputy is None or place is None or result is None or year is None:
        sys.exit("no demo data: run `lianxin seed_demo` on this database first")
    return [
        ("health (no-op)", "/api/v1/health/live"),
        ("deputy page", f"/d/{deputy.public_code}"),
        ("place page", f"/p/{place.public_code}"),
        ("home", "/home/"),
        ("results", "/results/"),
        ("result", f"/results/{result.pk}"),
        ("projects map", f"/projects/{year}/"),
    ]


def wrk(url: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rate, "errors": int(non2xx.group(1)) if non2xx else 0}


def at_rate(url: str, rate: int, seconds: int) -> dict[str, float]:
    clients = 16
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        run = subprocess.run(
            ["h2load", "--h1", f"-c{clients}", f"--rps={rate / clients}", f"-D{seconds}", "-H", "Accept-Encoding: gzip",
             f"--log-file={log.name}", url],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        rows = [line.split("\t") for line in log.read().splitlines() if line.strip()]
    if len(rows) < 2:
        sys.exit(f"h2load logged no requests for {url}:\n{run.stdout}\n{run.stderr}")
    times = sorted(int(row[2]) / 1000 for row in rows)
    bad = sum(1 for row in rows if not row[1].startswith(("2", "3")))
    q = statistics.quantiles(times, n=100)
    return {"sent": len(times), "p50_ms": round(q[49], 1), "p99_ms": round(q[98], 1), "errors": bad}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rate", type=int, default=300, help="requests/s of the latency run (default 300)")
    args = parser.parse_args()
    for tool in ("wrk", "h2load", "gunicorn"):
        if not shutil.which(tool) and not (ROOT / ".venv" / "bin" / tool).exists():
            sys.exit(f"{tool} not found (Debian: apt-get install wrk nghttp2-client)")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("warning: DATABASE_URL is not PostgreSQL; the issue's figures are for PostgreSQL", file=sys.stderr)
    targets = pages()
    port = free_port()
    env = {
        **os.environ,
        "LIANXIN_PRODUCTION": "true",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 40),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_LOG_LEVEL": "warning",
        # A recycled worker pauses while the next one boots: the figures are of serving, not of booting.
        "GUNICORN_MAX_REQUESTS": "0",
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "600"),
    }
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn") if (ROOT / ".venv/bin/gunicorn").exists() else "gunicorn"
    server = subprocess.Popen([gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py")], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/v1/health/live", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        results = {}
        print(
            f"{'page':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}  at {args.rate}/s   (wrk -t2 -c16 -d{args.seconds}s)"
        )
        for label, path in targets:
            for _ in range(4):  # warm both workers' caches and connections
                urllib.request.urlopen(base + path, timeout=30).read()
            most = wrk(base + path, args.seconds)
            steady = at_rate(base + path, args.rate, args.seconds)
            results[label] = {"path": path, **most, **{f"at_{args.rate}_{k}": v for k, v in steady.items()}}
            print(f"{label:<16}{most['rps']:>9.0f}{steady['p50_ms']:>9}{steady['p99_ms']:>9}"
                  f"  errors {most['errors'] + steady['errors']}")  # fmt: skip
        print(json.dumps({"bench": "portal_load", "cpus": os.cpu_count(), "pages": results}, ensure_ascii=False))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
