"""The audit log is append-only in the database too (lianxin/core/appendonly.py says why and how the demo reset
is let through). PostgreSQL: UPDATE and DELETE refused. SQLite: UPDATE refused; DELETE is left to the Python
guards, because Django's flush there (tests) is DELETE FROM. A SQLite table rebuild (an AlterField) drops its
triggers: a later migration that rebuilds this table must create them again."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION lianxin_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('lianxin.append_only_deletes', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'lianxin: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
TRIGGER = (
    "CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION lianxin_append_only();"
)


SQLITE_TRIGGER = (
    "CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'lianxin: core_auditevent is append-only (UPDATE refused)'); END;"
)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)  # its % are PL/pgSQL's, not placeholders
        schema_editor.execute(TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only;")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
