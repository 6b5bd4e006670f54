"""A case's history is append-only in the database too: the trigger function of core 0002 on cases_caseevent
(PostgreSQL: UPDATE and DELETE refused; SQLite: UPDATE refused). lianxin/core/appendonly.py says why."""

from django.db import migrations

SQLITE_TRIGGER = (
    "CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE ON cases_caseevent "
    "BEGIN SELECT RAISE(ABORT, 'lianxin: cases_caseevent is append-only (UPDATE refused)'); END;"
)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE OR DELETE ON cases_caseevent "
            "FOR EACH ROW EXECUTE FUNCTION lianxin_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_append_only;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_submission_failed_and_fingerprint"), ("core", "0002_auditevent_append_only")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
