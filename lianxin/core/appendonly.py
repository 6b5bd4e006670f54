"""Append-only tables: the audit log (core.AuditEvent) and the cases' history (cases.CaseEvent).

Three guards, each for a different hand:
- the model's save() and delete() refuse an existing row (a form, the admin, a service);
- `AppendOnlyQuerySet` refuses bulk update() and delete() (a script, a shell, a careless data fix);
- in the database a row trigger refuses UPDATE and, on PostgreSQL, DELETE (raw SQL, another program, a
  database console). Migrations core 0002 and cases 0006 install them (on PostgreSQL the function
  `lianxin_append_only`, one trigger a table).

The one exception is the demo reset (`seed_demo --force`), which removes the demo's own cases with their
history: inside `append_only_deletes_allowed(reason)` — and only inside a transaction — the queryset and the
trigger let DELETE through (never UPDATE). On PostgreSQL it sets the transaction-local setting
`lianxin.append_only_deletes = 'on'`; the trigger reads it, and it ends with the transaction.

SQLite has no DELETE trigger: Django's test flush there is `DELETE FROM` (which would fire it), and SQLite is
the development database; the Python guards hold deletes there. Its UPDATE trigger is lost if a migration
rebuilds the table (SQLite's way to alter a column), so such a migration must recreate it.
TRUNCATE (PostgreSQL's test flush) fires no row trigger, so tests still start from an empty database.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

from django.db import connection, models

SETTING = "lianxin.append_only_deletes"

_allowed: contextvars.ContextVar[str] = contextvars.ContextVar("append_only_deletes", default="")

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyError(ValueError):
    """An update or delete of an append-only row."""


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        if not _allowed.get():
            raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows are never deleted")
        return super().delete()

    delete.queryset_only = True  # type: ignore[attr-defined]  # as Django's own: not on related managers


@contextmanager
def append_only_deletes_allowed(reason: str) -> Iterator[None]:
    """Let the current transaction delete append-only rows. For the demo reset only; `reason` names the caller
    (it shows in a debugger and in the database's session, nowhere else)."""
    if not connection.in_atomic_block:
        raise AppendOnlyError("append-only rows may be deleted only inside a transaction")
    token = _allowed.set(reason or "unnamed")
    try:
        _set_database_flag("on")
        yield
        # On an error the transaction (or its savepoint) rolls back, and the setting with it.
        _set_database_flag("off")
    finally:
        _allowed.reset(token)


def _set_database_flag(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, value])
