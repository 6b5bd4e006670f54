"""The deployment kit in deploy/, tested as far as this machine allows.

gunicorn starts from deploy/gunicorn.conf.py and answers /api/v1/health on the test database; the nginx site passes
`nginx -t` (and a structural check, which also runs where nginx is not installed); the systemd units pass
`systemd-analyze verify` with their paths pointed at this checkout (where systemd is absent, each ExecStart's program
must exist), and their `lianxin` commands parse; the compose file parses and names its services.
"""

import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.core.management.base import CommandError
from django.db import connection

from lianxin.ops.heartbeat import heartbeat_beat, heartbeat_reset

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
INSTALLED = "/srv/lianxin/app"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url(tmp_path: Path) -> str:
    """A URL another process can open with the test database's tables and rows."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "db.sqlite3"
        name = str(db["NAME"])
        with sqlite3.connect(name, uri=name.startswith("file:")) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        return f"sqlite:///{copy}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def _gunicorn_env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    """One worker with two threads on the test database, its files under tmp_path."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "GUNICORN_READY_DIR": str(tmp_path / "ready"),
        "LIANXIN_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
        **extra,
    }


def _gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    # Its output to a file, not a pipe: nobody reads a pipe while the test runs, and gunicorn blocks on a full one
    # once the access log has written 64 KB.
    with log.open("w") as out:
        return subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip


def _reload_without_refusing(server: subprocess.Popen[str], port: int, env: dict[str, str]) -> None:
    """deploy/reload.py (systemctl reload) while requests keep coming: every one is answered, none refused."""
    answers: list[int] = []
    reload = subprocess.Popen(
        [sys.executable, str(DEPLOY / "reload.py"), str(server.pid)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def ask() -> None:
        try:
            answers.append(_get(port, "/api/v1/health/live")[0])
        except OSError as exc:  # refused, reset or timed out (10 s)
            answers.append(0)
            print("not answered:", repr(exc))

    while reload.poll() is None:
        ask()
    out, err = reload.communicate()
    assert reload.returncode == 0, err
    assert "1 new workers ready, 1 old retired" in out
    for _ in range(20):  # and right after, with the old worker gone
        ask()
    assert set(answers) == {200}, answers


@pytest.mark.django_db(transaction=True)
def test_gunicorn_starts_from_the_config_file_and_answers_the_health_check(tmp_path):
    heartbeat_reset()
    heartbeat_beat()  # committed: the server process sees a live worker
    port = _free_port()
    env = _gunicorn_env(tmp_path, port, METRICS_ALLOWED_IPS="127.0.0.1")
    log = tmp_path / "gunicorn.log"
    server = _gunicorn(env, log)
    try:
        deadline, body, status = time.monotonic() + 90, "", 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as response:
                    status, body = response.status, response.read().decode()
                break
            except urllib.error.HTTPError as refused:
                status, body = refused.code, refused.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, body
        assert '"status":"ok"' in body.replace(" ", "")
        # The multi-process metrics directory was created by the config's on_starting hook, and a scrape adds up
        # what the workers wrote there.
        assert (tmp_path / "prometheus").is_dir()
        assert re.search(r'lianxin_http_request_duration_seconds_count\{[^}]*view="api-v1:health"[^}]*\} [1-9]',
                         _get(port, "/metrics")[1])  # fmt: skip
        _reload_without_refusing(server, port, env)
    finally:
        server.terminate()
        server.wait(timeout=60)
        output = log.read_text()
        heartbeat_reset()
    assert server.returncode == 0, output  # a graceful stop on SIGTERM
    assert output.count("Booting worker") >= 2, output  # the first one, and the reload's


@pytest.mark.django_db(transaction=True)
def test_workers_recycled_after_their_requests_are_replaced_and_the_site_keeps_answering(tmp_path):
    # With thread-starting libraries (numpy, polars) imported in the master, the master never noticed a recycled
    # worker exit: after GUNICORN_MAX_REQUESTS requests the site answered nothing at all.
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    server = _gunicorn(_gunicorn_env(tmp_path, port, GUNICORN_MAX_REQUESTS="20"), log)
    answers: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while len(answers) < 70 and time.monotonic() < deadline and server.poll() is None:
            try:
                answers.append(_get(port, "/api/v1/health/live")[0])
            except OSError:
                time.sleep(0.2)  # not listening yet, or the next worker still booting
    finally:
        server.terminate()
        server.wait(timeout=60)
    output = log.read_text()
    assert len(answers) == 70 and set(answers) == {200}, output
    assert output.count("Booting worker") >= 3, output  # the first, then one after each ~20 requests


def test_the_gunicorn_config_sets_threads_timeouts_graceful_restarts_and_the_access_log():
    config: dict[str, object] = {"__file__": str(DEPLOY / "gunicorn.conf.py")}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)
    assert config["wsgi_app"] == "lianxin.wsgi:application"
    assert config["worker_class"] == "gthread"
    assert int(config["threads"]) >= 2  # type: ignore[call-overload]
    assert int(config["timeout"]) > 0 and int(config["graceful_timeout"]) > 0  # type: ignore[call-overload]
    assert config["accesslog"] == "-"
    assert config["preload_app"] is False  # HUP must load the new code
    assert callable(config["child_exit"])


def _nginx_site(tmp_path: Path) -> Path:
    """The site with certificate paths pointed at a throwaway self-signed pair."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=lianxin.example.gov.cn",
         "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    text = (DEPLOY / "nginx" / "lianxin.conf").read_text()
    text = text.replace("/etc/letsencrypt/live/lianxin.example.gov.cn/fullchain.pem", str(cert))
    text = text.replace("/etc/letsencrypt/live/lianxin.example.gov.cn/privkey.pem", str(key))
    site = tmp_path / "lianxin.conf"
    site.write_text(text)
    return site


def _nginx_blocks(text: str) -> dict[str, list[str]]:
    """A small structural parse: braces balance, and each block's own directives by block path."""
    text = re.sub(r"#[^\n]*", "", text)
    stack, blocks, statement = ["main"], {"main": []}, ""
    for char in text:
        if char == "{":
            path = stack[-1] + " > " + " ".join(statement.split())
            stack.append(path)
            blocks.setdefault(path, [])
            statement = ""
        elif char == "}":
            assert not statement.strip(), f"directive without ';' before '}}': {statement.strip()}"
            stack.pop()
            assert stack, "an unmatched '}'"
        elif char == ";":
            blocks[stack[-1]].append(" ".join(statement.split()))
            statement = ""
        else:
            statement += char
    assert stack == ["main"], "a '{' is never closed"
    return blocks


def test_the_nginx_site_terminates_tls_serves_static_and_media_and_passes_the_real_client_ip():
    blocks = _nginx_blocks((DEPLOY / "nginx" / "lianxin.conf").read_text())
    tls = "main > server"
    https = [d for d in blocks[tls] if d.startswith(("listen 443", "ssl_certificate", "client_max_body_size"))]
    assert {d.split()[0] for d in https} >= {"listen", "ssl_certificate", "ssl_certificate_key", "client_max_body_size"}
    static = blocks["main > server > location /static/"]
    assert "alias /srv/lianxin/var/static/" in static and "expires 7d" in static
    assert "alias /srv/lianxin/var/media/" in blocks["main > server > location /media/"]
    proxy = blocks["main > server > location /"]
    assert "proxy_pass http://lianxin_app" in proxy
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for" in proxy
    assert "proxy_set_header X-Real-IP $remote_addr" in proxy
    assert "proxy_set_header X-Forwarded-Proto $scheme" in proxy
    assert "return 404" in blocks["main > server > location = /metrics"]


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    site = _nginx_site(tmp_path)
    if nginx is None:
        # No nginx on this machine (the test setup installs it with apt where it can): the structural parse of the
        # same file, with the certificates in place, is the check.
        assert _nginx_blocks(site.read_text())
        return
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path};\n include {site};\n}}\n"
    )
    done = subprocess.run([nginx, "-t", "-c", str(main)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


UNITS = ["lianxin-web.service", "lianxin-worker.service", "lianxin-worker@.service", "lianxin-backup.service",
         "lianxin-backup.timer"]  # fmt: skip


def _exec_starts(text: str) -> list[list[str]]:
    return [shlex.split(line.split("=", 1)[1]) for line in text.splitlines() if line.startswith("ExecStart=")]


def test_the_systemd_units_verify_with_their_paths_pointed_at_this_checkout(tmp_path):
    assert sorted(p.name for p in (DEPLOY / "systemd").iterdir()) == sorted(UNITS)
    for unit in UNITS:
        text = (DEPLOY / "systemd" / unit).read_text().replace(INSTALLED, str(ROOT))
        text = text.replace(f"{ROOT}/.venv/bin/", f"{VENV_BIN}/")
        name = unit.replace("@.", "@intake.")  # verify an instance of the template
        (tmp_path / name).write_text(text)
        for argv in _exec_starts(text):
            assert Path(argv[0]).is_file() and os.access(argv[0], os.X_OK), argv[0]
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # the programs exist (above); systemd itself is not on this machine
    names = [str(tmp_path / unit.replace("@.", "@intake.")) for unit in UNITS]
    done = subprocess.run([analyze, "verify", "--man=no", *names], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Unknown" not in done.stderr and "ignoring" not in done.stderr, done.stderr


@pytest.mark.parametrize("unit", ["lianxin-worker.service", "lianxin-worker@.service", "lianxin-backup.service"])
def test_the_lianxin_commands_of_the_units_parse(unit):
    for argv in _exec_starts((DEPLOY / "systemd" / unit).read_text()):
        if argv[0] == "/bin/sh":  # the backup's date-stamped directory
            argv = shlex.split(argv[-1].removeprefix("exec ").replace("%%", "%"))
        if not argv[0].endswith("/lianxin"):
            continue
        name, *args = [a.replace("%i", "intake") for a in argv[1:]]
        command = load_command_class(get_commands()[name], name)
        parser = command.create_parser("lianxin", name)
        try:
            parser.parse_args(args)
        except CommandError as refused:  # pragma: no cover - the assertion says which
            pytest.fail(f"{unit}: lianxin {name} {' '.join(args)}: {refused}")


def test_the_compose_file_parses_and_runs_postgresql_redis_the_web_process_and_the_worker():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["web"]["command"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
    assert services["worker"]["command"] == ["lianxin", "run_worker"]
    for name in ("web", "worker"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / "Dockerfile").is_file()
    assert 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]' in (DEPLOY / "Dockerfile").read_text()
