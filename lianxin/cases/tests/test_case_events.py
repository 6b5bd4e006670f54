"""A case's history is append-only: bulk updates and deletes raise, and the database refuses them too."""

import pytest
from django.db import DatabaseError, connection, transaction

from lianxin.cases.models import CaseEvent
from lianxin.core.appendonly import AppendOnlyError


@pytest.fixture
def event(loop):
    return loop.register().events.get()


def test_a_bulk_update_of_case_events_raises_and_changes_nothing(event):
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(pk=event.pk).update(note="改过")
    with pytest.raises(AppendOnlyError):
        event.case.events.update(is_public=False)
    assert CaseEvent.objects.get(pk=event.pk).note == event.note


def test_a_bulk_delete_of_case_events_raises_and_deletes_nothing(event):
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(case=event.case).delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_a_raw_sql_update_of_a_case_event_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET note = 'x' WHERE id = %s", [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).note == event.note


def test_a_raw_sql_delete_of_a_case_event_is_refused_by_postgresql(event):
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    else:  # SQLite: the Python guards only (lianxin/core/appendonly.py says why)
        with pytest.raises(AppendOnlyError):
            CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()
