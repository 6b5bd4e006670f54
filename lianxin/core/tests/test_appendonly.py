"""The audit log and the cases' history are append-only: not one row at a time, not in bulk, not in SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from lianxin.core.appendonly import AppendOnlyError, append_only_deletes_allowed
from lianxin.core.audit import audit_record
from lianxin.core.models import AuditEvent


@pytest.fixture
def event(regions):
    return audit_record(actor=None, action="region.update", obj=regions.wukang, changes={"name": ["a", "b"]})


def test_a_bulk_update_of_audit_rows_raises_and_changes_nothing(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="改过")
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_a_bulk_delete_of_audit_rows_raises_and_deletes_nothing(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_raw_sql_update_of_an_audit_row_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET note = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_a_raw_sql_delete_of_an_audit_row_is_refused_by_postgresql_and_sqlite_leaves_it_to_python(event):
    # SQLite has no DELETE trigger (Django's test flush there is DELETE FROM; lianxin/core/appendonly.py).
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%DELETE ON%'")
            assert cursor.fetchone()[0] == 0


def test_the_demo_reset_may_delete_inside_its_transaction_and_nothing_else_may_afterwards(event, regions):
    with transaction.atomic(), append_only_deletes_allowed("test"):
        assert AuditEvent.objects.filter(pk=event.pk).delete()[0] == 1
    later = audit_record(actor=None, action="region.update", obj=regions.wukang)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=later.pk).delete()
    if connection.vendor == "postgresql":  # the database's permission ended with the block
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [later.pk])


def test_the_permission_to_delete_never_allows_an_update(event):
    with transaction.atomic(), append_only_deletes_allowed("test"):
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(note="x")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET note = 'x' WHERE id = %s", [event.pk])
