"""`lianxin backup DIR` and `lianxin restore DIR`: a round trip that reproduces every table and the audit rows.

Run on the test database's engine (SQLite by default, PostgreSQL with DATABASE_URL); the restore goes into a fresh
database of our own (a new SQLite file, or a new PostgreSQL database beside the test one), never the one backed up.
"""

import json
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lianxin.cases.models import CaseEvent
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError
from lianxin.core.models import AuditEvent
from lianxin.ops.backup import backup_create, backup_restore, database_summary


@pytest.fixture
def fresh_database(tmp_path):
    """Settings for an empty database of the test run's engine, dropped afterwards."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings
        return
    name = f"{settings['NAME']}_restore"
    admin = {"dbname": "postgres", "autocommit": True}
    for param, key in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD")):
        if settings.get(key):
            admin[param] = str(settings[key])
    with psycopg.connect(**admin) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
        pg.execute(f'CREATE DATABASE "{name}"')
    settings["NAME"] = name
    yield settings
    with psycopg.connect(**admin) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "media"
    (root / "opinions" / "2026").mkdir(parents=True)
    (root / "opinions" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8 a photo " * 100)
    (root / "attachments.pdf").write_bytes(b"%PDF-1.4 an attachment")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def data(personas, regions):
    for i in range(3):
        audit_record(
            actor=personas.county_staff,
            action="test.change",
            obj=regions.wukang,
            changes={"n": [i, i + 1]},
            note=f"第{i}次",
        )
    return personas


def _summary(settings: dict) -> dict:
    from lianxin.ops.backup import Target

    target = Target(settings)
    with target.connect() as conn:
        return database_summary(conn.cursor(), target.engine)


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_table_count_and_the_audit_checksum(
    data, media, tmp_path, fresh_database
):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["engine"] == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    assert manifest["tables"]["core_auditevent"] == AuditEvent.objects.count() >= 3
    assert manifest["tables"]["accounts_user"] == len(vars(data))
    assert manifest["tables"]["cases_caseevent"] == CaseEvent.objects.count()
    assert set(manifest["audit_checksums"]) == {"core_auditevent", "cases_caseevent"}
    assert set(manifest["media"]) == {"opinions/2026/photo.jpg", "attachments.pdf"}
    assert manifest["migrations"]["ops"] == "0002_longjob"
    assert manifest["versions"]["django"].startswith("5.2")

    restored_media = tmp_path / "restored-media"
    backup_restore(directory=backup, database=fresh_database, media_root=restored_media)

    after = _summary(fresh_database)
    assert after["tables"] == manifest["tables"]
    assert after["audit_checksums"] == manifest["audit_checksums"]
    assert (restored_media / "opinions" / "2026" / "photo.jpg").read_bytes() == (
        media / "opinions" / "2026" / "photo.jpg"
    ).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_holds_data_unless_forced(data, media, tmp_path, fresh_database):
    backup = tmp_path / "backup"
    backup_create(directory=backup, database=connection.settings_dict, media_root=media)
    backup_restore(directory=backup, database=fresh_database, media_root=tmp_path / "m1")

    with pytest.raises(DomainError) as refused:
        backup_restore(directory=backup, database=fresh_database, media_root=tmp_path / "m2")
    assert refused.value.code == "target_not_empty"
    assert "--force" in refused.value.message

    backup_restore(directory=backup, database=fresh_database, media_root=tmp_path / "m2", force=True)
    assert _summary(fresh_database)["tables"]["core_auditevent"] == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_the_restore_command_refuses_the_live_database_and_says_how_to_force(data, media, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(backup))


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_written(data, media, tmp_path, fresh_database):
    backup = tmp_path / "backup"
    backup_create(directory=backup, database=connection.settings_dict, media_root=media)
    photo = backup / "media" / "opinions" / "2026" / "photo.jpg"
    photo.write_bytes(photo.read_bytes() + b"!")
    with pytest.raises(DomainError) as refused:
        backup_restore(directory=backup, database=fresh_database, media_root=tmp_path / "m")
    assert refused.value.code == "backup_damaged"
    assert _summary(fresh_database)["tables"].get("core_auditevent", 0) == 0


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_a_directory_that_is_not_empty(tmp_path, media):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", str(tmp_path / "old"))
    assert Path(tmp_path / "old" / "manifest.json").read_text() == "{}"
