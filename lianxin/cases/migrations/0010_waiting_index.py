"""The open cases not flagged overdue, indexed apart (lianxin.insight.figures' live part of overdue: the cases
waiting now past the deadline of their step). A partial index holds only them (a few per cent of the cases), by
registration time and by region and registration time; on PostgreSQL it also carries the columns the statement
reads, so that the count is an index-only scan. The statuses are those of cases.deadlines.STEP_DEADLINES, written
out: a migration does not follow the code. The figures name them in the statement too, so that PostgreSQL sees
that the index covers it (it does not prove it from the OR of the steps alone). Checked with EXPLAIN: bench/README.md."""

from django.db import migrations

WAITING = "NOT is_overdue AND status IN ('registered', 'coordinating', 'transferred', 'supervising', 'replied')"
READ = "category_id, unit_id, channel, status, accept_due, reply_due, feedback_due"
INDEXES = (
    ("case_waiting_at", "registered_at", f"region_id, {READ}"),
    ("case_waiting_region_at", "region_id, registered_at", READ),
)


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, columns, included in INDEXES:
        include = f" INCLUDE ({included})" if postgres else ""
        schema_editor.execute(f"CREATE INDEX {name} ON cases_case ({columns}){include} WHERE {WAITING}")


def drop(apps, schema_editor):
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_channel_phone")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
