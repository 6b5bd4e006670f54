"""The Makefile's demo and install targets, run by GNU make in a sandbox whose pip and lianxin only record their calls.

`make demo PORT=…` must give every command the address it serves (seed_demo prints SITE_URL); `make test` after
`make demo`, or after a git checkout that leaves pyproject.toml's content alone, must not reinstall the package,
because reinstalling rewrites the editable finder that a running demo's autoreloader watches, and the demo restarts.
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")

# The fake runserver waits (at most 5 s) for the background worker to have started, as the real one serves until
# stopped; then the recipe's trap stops the worker.
RECORDER = """#!/bin/sh
log="$(dirname "$0")/../lianxin.log"
echo "SITE_URL=$SITE_URL ALLOWED_HOSTS=$ALLOWED_HOSTS $*" >> "$log"
if [ "$1" = runserver ]; then
  for i in $(seq 50); do grep -q run_worker "$log" && exit 0; sleep 0.1; done
fi
"""
# The fake pip creates the console script as `pip install -e .` would.
FAKE_PIP = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/../pip.log"
case "$*" in *"-e ."*) printf '#!/bin/sh\\n' > "$(dirname "$0")/lianxin"; chmod +x "$(dirname "$0")/lianxin";; esac
"""


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "pip").write_text(FAKE_PIP)
    (bin_dir / "pip").chmod(0o755)
    return tmp_path


def _make(sandbox: Path, *args: str, env: dict[str, str] | None = None) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "ALLOWED_HOSTS", "PORT", "HOST", "MAKEFLAGS"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(sandbox), *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _pip_calls(sandbox: Path) -> list[str]:
    log = sandbox / ".venv" / "pip.log"
    return log.read_text().splitlines() if log.exists() else []


def _install_recorders(sandbox: Path) -> None:
    lianxin = sandbox / ".venv" / "bin" / "lianxin"
    lianxin.write_text(RECORDER)
    lianxin.chmod(0o755)


def test_make_demo_gives_every_command_the_address_of_its_port(sandbox):
    _make(sandbox, "install")
    _install_recorders(sandbox)

    out = _make(sandbox, "-o", "system-deps", "demo", "PORT=8123", "LAN_IP=192.0.2.7")

    calls = (sandbox / ".venv" / "lianxin.log").read_text().splitlines()
    # The worker runs in the background: its line may come before or after runserver's.
    assert [c.split()[2] for c in calls[:2]] == ["migrate", "seed_demo"]
    assert sorted(c.split()[2] for c in calls[2:]) == ["run_worker", "runserver"]
    assert all(
        c.startswith("SITE_URL=http://192.0.2.7:8123 ALLOWED_HOSTS=192.0.2.7,127.0.0.1,localhost ") for c in calls
    )
    assert any(c.endswith("runserver --insecure 0.0.0.0:8123") for c in calls)
    assert "http://192.0.2.7:8123/home/" in out and "http://192.0.2.7:8123/admin/" in out
    assert ":8000" not in out


def test_make_demo_takes_the_port_of_a_host_given_instead_of_port(sandbox):
    _make(sandbox, "install")
    _install_recorders(sandbox)

    out = _make(sandbox, "-o", "system-deps", "demo", "HOST=127.0.0.1:9001", "LAN_IP=127.0.0.1")

    calls = (sandbox / ".venv" / "lianxin.log").read_text().splitlines()
    assert calls and all(c.startswith("SITE_URL=http://127.0.0.1:9001 ") for c in calls)
    assert "http://127.0.0.1:9001/home/" in out


def test_make_demo_keeps_a_site_url_given_in_the_environment(sandbox):
    _make(sandbox, "install")
    _install_recorders(sandbox)

    _make(sandbox, "-o", "system-deps", "demo", "PORT=8123", "LAN_IP=192.0.2.7", env={"SITE_URL": "https://lx.example"})

    calls = (sandbox / ".venv" / "lianxin.log").read_text().splitlines()
    assert calls and all(c.startswith("SITE_URL=https://lx.example ") for c in calls)


def test_make_test_after_make_demo_adds_the_dev_tools_without_reinstalling_the_package(sandbox):
    _make(sandbox, "install")
    assert _pip_calls(sandbox) == ["install --quiet -e ."]

    _make(sandbox, "install-dev")

    assert _pip_calls(sandbox) == ["install --quiet -e .", "install --quiet -r .venv/requirements-dev.txt"]
    requirements = (sandbox / ".venv" / "requirements-dev.txt").read_text().splitlines()
    # The package's own requirements are resolved with the tools, so a tool cannot move one outside its range.
    assert "pytest>=8,<10" in requirements and "Django>=5.2,<5.3" in requirements


def test_a_touched_but_unchanged_pyproject_does_not_reinstall_the_package(sandbox):
    _make(sandbox, "install-dev")
    installs = [c for c in _pip_calls(sandbox) if "-e ." in c]
    assert len(installs) == 1

    pyproject = sandbox / "pyproject.toml"
    later = pyproject.stat().st_mtime + 10
    os.utime(pyproject, (later, later))  # a git checkout that rewrote the file with the same content
    _make(sandbox, "install-dev")
    assert [c for c in _pip_calls(sandbox) if "-e ." in c] == installs

    # A setting of a tool is not a reason either.
    pyproject.write_text(pyproject.read_text().replace("line-length = 120", "line-length = 121"))
    _make(sandbox, "install-dev")
    assert [c for c in _pip_calls(sandbox) if "-e ." in c] == installs


def test_a_changed_dependency_reinstalls_the_package(sandbox):
    _make(sandbox, "install")
    pyproject = sandbox / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"jieba>=0.42,<0.43"', '"jieba>=0.42.1,<0.43"'))
    later = pyproject.stat().st_mtime + 10
    os.utime(pyproject, (later, later))

    _make(sandbox, "install")

    assert _pip_calls(sandbox) == ["install --quiet -e .", "install --quiet -e ."]


def test_a_failed_install_leaves_no_stamp_so_the_next_make_tries_again(sandbox):
    pip = sandbox / ".venv" / "bin" / "pip"
    pip.write_text("#!/bin/sh\nexit 1\n")
    result = subprocess.run(["make", "-C", str(sandbox), "install"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert not (sandbox / ".venv" / ".installed").exists()


def test_the_licence_is_an_spdx_expression_and_the_build_asks_for_a_setuptools_that_reads_one():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())

    # The table form ({text = …}) made setuptools print a deprecation warning on every install.
    assert pyproject["project"]["license"] == "AGPL-3.0-or-later"
    setuptools = next(r for r in pyproject["build-system"]["requires"] if r.startswith("setuptools"))
    minimum = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", setuptools)
    assert minimum and int(minimum.group(1)) >= 77  # PEP 639 expressions: setuptools 77
