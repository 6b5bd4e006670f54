"""Reload gunicorn with no wait: `python deploy/reload.py MASTER_PID` (systemd's ExecReload in lianxin-web.service).

A plain HUP stops the old workers as soon as the new ones are forked, and requests then wait in the listen queue
until the new workers have loaded the application (measured on a busy 2-core server: up to 7-15 s). Instead, this
asks the master for one more worker at a time (TTIN) until there are twice as many, waits until each new one has
loaded the new code (gunicorn.conf.py's post_worker_init writes GUNICORN_READY_DIR/<pid>), and only then retires
as many of the oldest (TTOU, which gunicorn applies to the oldest worker). A change of gunicorn.conf.py itself needs
a HUP or a restart; this only reloads the code. Falls back to HUP when the new workers are not ready in --timeout.
"""

import argparse
import os
import signal
import sys
import time
from pathlib import Path


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields after its closing parenthesis are fixed.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("master", type=int, help="gunicorn master's pid ($MAINPID)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the new workers")
    parser.add_argument("--ready-dir", default=os.environ.get("GUNICORN_READY_DIR", ""))
    args = parser.parse_args()
    if not args.ready_dir:
        parser.error("GUNICORN_READY_DIR (or --ready-dir) must name gunicorn.conf.py's readiness directory")
    ready = Path(args.ready_dir)
    old = children(args.master)
    if not old:
        print("no workers: sending HUP", file=sys.stderr)
        os.kill(args.master, signal.SIGHUP)
        return 0
    new: set[int] = set()
    for _ in old:
        before = children(args.master)
        os.kill(args.master, signal.SIGTTIN)
        if not wait_for(lambda before=before, new=new: children(args.master) - before - new, 10):
            break
        new |= children(args.master) - before
    if len(new) < len(old) or not wait_for(lambda: all((ready / str(pid)).exists() for pid in new), args.timeout):
        print("new workers not ready in time: falling back to HUP", file=sys.stderr)
        for _ in new:
            os.kill(args.master, signal.SIGTTOU)
            time.sleep(0.2)
        os.kill(args.master, signal.SIGHUP)
        return 1
    # Each TTOU lowers the count by one and gunicorn stops its oldest workers (gracefully: their requests finish).
    for _ in old:
        os.kill(args.master, signal.SIGTTOU)
        time.sleep(0.3)
    print(f"reloaded: {len(new)} new workers ready, {len(old)} old retired")
    return 0


if __name__ == "__main__":
    sys.exit(main())
