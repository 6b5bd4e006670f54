"""gunicorn configuration for Lianxin: `gunicorn -c deploy/gunicorn.conf.py` (see docs/deploy.md).

Every value can be overridden from the environment (the systemd unit reads /srv/lianxin/app/.env), so that one file
serves the 2-core county server and a bigger one.

Workers × threads: Django's request handling is mostly waiting for PostgreSQL, so a few threads per process use
the cores better than many processes (each process holds its own copy of the routing model, ~100 MB). Measured on
2 cores: 2 workers × 4 threads (bench/README.md).
"""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

wsgi_app = "lianxin.wsgi:application"

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.getenv("GUNICORN_WORKERS", str(min(4, (os.cpu_count() or 1)))))
threads = int(os.getenv("GUNICORN_THREADS", "4"))
worker_class = "gthread"

# A request that takes longer than this is killed: a hung worker must not hold a thread for ever. Exports of a
# whole county's ledger are the slowest pages (~10 s on demo data).
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))
# On HUP (upgrade) or TERM, running requests get this long to finish before the old workers are killed.
graceful_timeout = int(os.getenv("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle each worker after this many requests (with jitter so they do not all restart at once): bounds memory.
# Not fewer: under a QR campaign (1,000+ requests/s) 5,000 restarted both workers every few seconds, each restart
# a pause of several seconds (bench/portal_load.py).
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# Load the application in each worker, not in the master: a HUP then reloads the new code (zero-downtime upgrade).
preload_app = False

# nginx in front adds X-Forwarded-For / X-Forwarded-Proto; gunicorn believes them only from these addresses.
forwarded_allow_ips = os.getenv("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr: journald (systemd) or docker keeps them, with timestamps.
accesslog = os.getenv("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")
# Client address, time, request, status, size, duration in microseconds, user agent.
access_log_format = '%({x-real-ip}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
proc_name = "lianxin"
# Several gunicorns on one host (a staging copy, a benchmark) must not share ~/.gunicorn/gunicorn.ctl; systemd and
# signals are the control interface here.
control_socket_disable = True

# Prometheus multi-process mode (lianxin/ops/metrics.py): each worker writes its request latencies to files in
# this directory and a scrape adds them up. The directory must be emptied when the server starts, and a dead
# worker's files marked (child_exit), or counts would survive restarts.
_multiproc = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.gettempdir()) / f"lianxin-prometheus-{os.getuid()}")
)


# Third-party libraries imported once in the master, before any worker is forked: a worker then only imports
# Lianxin's own code (and reads the routing model) when it boots. This shortens a reload (HUP), during which
# requests wait in the listen queue from the moment the old workers stop until the new ones are ready. Never
# Lianxin's modules here: HUP must load the new code. After an upgrade that changes these libraries' versions,
# restart instead of reloading.
# Only libraries that start no threads when imported: numpy (its BLAS), scikit-learn, scipy and polars start thread
# pools, and a master holding threads no longer noticed its workers exiting (after GUNICORN_MAX_REQUESTS both
# workers were gone and the site answered nothing; lianxin/ops/tests/test_deploy.py).
for _module in ("django", "django.db.backends.postgresql.base", "ninja", "psycopg", "jieba", "shapely",
                "reportlab.pdfgen.canvas", "PIL.Image", "openpyxl", "segno", "whitenoise", "prometheus_client"):  # fmt: skip
    # A library missing or failing here only costs its import time in each worker.
    with contextlib.suppress(Exception):
        __import__(_module)


# deploy/reload.py (systemctl reload) waits for a file per worker here before it retires the old ones.
_ready = os.environ.setdefault("GUNICORN_READY_DIR", _multiproc + "-ready")


def on_starting(server):
    for directory in (_multiproc, _ready):
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def post_worker_init(worker):
    # Django imports the URLconf, and with it every view module, on a worker's first request: seconds on a busy
    # 2-core server, during which that worker answers nothing. Do it now, before the worker is announced ready.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (the import is the point)
    Path(_ready, str(worker.pid)).touch()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
    Path(_ready, str(worker.pid)).unlink(missing_ok=True)
