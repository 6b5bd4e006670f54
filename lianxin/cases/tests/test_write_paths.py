"""Every change to a case goes through `case_transition` (cases/workflow.py) or a documented job of
cases/deadline_jobs.py; a registration saves a new case in `case_register`. A write anywhere else skips the lock,
the compare-and-swap and the event, so this test fails on it."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR) / "lianxin"
# Where a case row may be written, and why.
ALLOWED = {
    "cases/workflow.py",  # case_transition and the merge's master, under its lock, with events
    "cases/deadline_jobs.py",  # reminders, overdue marks, deadlines after a calendar change: compare-and-swap + event
    "cases/services.py",  # case_register: the INSERT of a new case
}
WRITES = re.compile(r"Case\.objects\b[^\n]*\.(update|delete|bulk_update|update_or_create)\(|\bcase\.save\(")


def test_no_module_writes_a_case_outside_the_workflow_and_its_jobs():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if WRITES.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "a case written outside case_transition:\n" + "\n".join(found)


def test_the_check_recognises_a_write_beside_the_workflow():
    assert WRITES.search("Case.objects.filter(pk=case.pk).update(urgency=Urgency.URGENT)")
    assert WRITES.search("        case.save()")
    assert not WRITES.search("Case.objects.filter(pk=case.pk).first()")
