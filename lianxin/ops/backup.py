"""Backup and restore: one directory holding a consistent database dump, the uploaded files and a manifest.

    DIR/manifest.json   versions, every table's row count, a checksum of each audit table, every file's SHA-256
    DIR/database.dump   PostgreSQL: pg_dump's custom format          (or DIR/database.sqlite3: SQLite's backup API)
    DIR/media/...       MEDIA_ROOT as it was (photos and attachments)

Consistency: the counts and checksums are read in the very snapshot that is dumped. On PostgreSQL a read-only
REPEATABLE READ transaction exports its snapshot and pg_dump runs with `--snapshot`; on SQLite the backup API
copies the file inside the same read transaction the counts were taken in. The database's own connections are
plain DB-API connections opened here (not Django's), so that the restored database can be checked the same way
by the same code, wherever it is.

Restore goes into an empty database (no users, cases, submissions or audit rows) unless forced, then counts every
table again and recomputes the audit checksums: a restore that does not reproduce the manifest fails loudly.
"""

import datetime
import decimal
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import django

from lianxin.core.errors import DomainError

FORMAT = 1
MANIFEST = "manifest.json"
# Append-only tables whose rows are checksummed, not only counted: the record of who did what.
AUDIT_TABLES = ("core_auditevent", "cases_caseevent")
# A database "holds data" when any of these has a row; a freshly migrated one has none.
DATA_TABLES = ("accounts_user", "core_auditevent", "cases_case", "cases_submission", "regions_region")


class Cursor(Protocol):
    def execute(self, query: str, params: Sequence[Any] = ..., /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchmany(self, size: int = ..., /) -> list[Any]: ...


@dataclass(frozen=True)
class Target:
    """Where a database is: Django's settings dict for it (ENGINE, NAME, USER, PASSWORD, HOST, PORT)."""

    settings: dict[str, Any]

    @property
    def engine(self) -> str:
        engine = str(self.settings["ENGINE"])
        if engine.endswith("postgresql"):
            return "postgresql"
        if engine.endswith("sqlite3"):
            return "sqlite"
        raise DomainError("unsupported_engine", f"不支持的数据库：{engine}")

    def pg_args(self) -> list[str]:
        args = []
        for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
            if self.settings.get(key):
                args += [flag, str(self.settings[key])]
        return args

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.settings.get("PASSWORD"):
            env["PGPASSWORD"] = str(self.settings["PASSWORD"])
        return env

    @contextmanager
    def connect(self) -> Iterator[Any]:
        if self.engine == "postgresql":
            import psycopg

            params = {"dbname": self.settings["NAME"]}
            for param, key in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD")):
                if self.settings.get(key):
                    params[param] = str(self.settings[key])
            with psycopg.connect(**params) as pg:
                yield pg
        else:
            name = str(self.settings["NAME"])
            lite = sqlite3.connect(name, uri=name.startswith("file:"), timeout=20, isolation_level=None)
            try:
                yield lite
            finally:
                lite.close()


def _table_names(cursor: Cursor, engine: str) -> list[str]:
    if engine == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time | decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _table_checksum(cursor: Cursor, table: str) -> str:
    """SHA-256 of every row in primary-key order, each as canonical JSON (streamed: audit tables grow large)."""
    digest = hashlib.sha256()
    cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY 1")
    while rows := cursor.fetchmany(2000):
        for row in rows:
            line = json.dumps([_canonical(v) for v in row], sort_keys=True, ensure_ascii=False, default=str)
            digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def database_summary(cursor: Cursor, engine: str) -> dict[str, Any]:
    """Every table's row count and the audit tables' checksums, as the manifest records them."""
    tables = _table_names(cursor, engine)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    audit = {table: _table_checksum(cursor, table) for table in AUDIT_TABLES if table in counts}
    return {"tables": counts, "audit_checksums": audit}


def _holds_data(cursor: Cursor, engine: str) -> list[str]:
    present = set(_table_names(cursor, engine))
    holding = []
    for table in DATA_TABLES:
        if table in present:
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                holding.append(table)
    return holding


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def _migrations(cursor: Cursor) -> dict[str, str]:
    """The last applied migration of each app: restore tells which code version the dump belongs to."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())


def backup_create(*, directory: Path, database: dict[str, Any], media_root: Path) -> dict[str, Any]:
    """Write a backup of `database` and `media_root` into `directory` (which must be empty or absent)."""
    target = Target(database)
    if directory.exists() and any(directory.iterdir()):
        raise DomainError("backup_dir_not_empty", f"备份目录 {directory} 不是空的，请换一个新目录")
    directory.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "engine": target.engine,
        "versions": {
            "lianxin": _version("lianxin"),
            "django": django.get_version(),
            "python": platform.python_version(),
        },
    }
    if target.engine == "postgresql":
        dump = directory / "database.dump"
        with target.connect() as pg, pg.cursor() as cursor:
            # The snapshot stays valid while this transaction is open: pg_dump and the counts see the same data.
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges"]
            command += [*target.pg_args(), "-f", str(dump), str(database["NAME"])]
            _run(command, env=target.pg_env())
            manifest["versions"]["postgresql"] = server_version
            manifest["versions"]["pg_dump"] = _run(["pg_dump", "--version"]).strip()
            manifest["migrations"] = _migrations(cursor)
            manifest.update(database_summary(cursor, "postgresql"))
            cursor.execute("COMMIT")
    else:
        dump = directory / "database.sqlite3"
        with target.connect() as lite:
            cursor = lite.cursor()
            # One read transaction: the backup API copies the same snapshot the counts were read in (WAL mode).
            cursor.execute("BEGIN")
            manifest["migrations"] = _migrations(cursor)
            manifest.update(database_summary(cursor, "sqlite"))
            copy = sqlite3.connect(dump)
            try:
                lite.backup(copy)
            finally:
                copy.close()
            cursor.execute("COMMIT")
            manifest["versions"]["sqlite"] = sqlite3.sqlite_version
    manifest["database"] = {"file": dump.name, "sha256": _sha256(dump)}
    if media_root.is_dir():
        shutil.copytree(media_root, directory / "media")
    manifest["media"] = _files(directory / "media")
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return manifest


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise DomainError("tool_missing", f"找不到 {command[0]}，请安装 postgresql-client") from exc
    if done.returncode != 0:
        raise DomainError("tool_failed", f"{command[0]} 失败：{done.stderr.strip()[-2000:]}")
    return done.stdout


def manifest_read(directory: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise DomainError("not_a_backup", f"{directory} 中没有 {MANIFEST}，不是备份目录") from exc
    if manifest.get("format") != FORMAT:
        raise DomainError("backup_format", f"备份格式 {manifest.get('format')} 不受支持")
    return manifest


def backup_restore(
    *, directory: Path, database: dict[str, Any], media_root: Path, force: bool = False
) -> dict[str, Any]:
    """Restore the backup in `directory` into `database` and `media_root`, then verify it against the manifest.

    Returns the manifest. Raises DomainError when the backup is damaged, the target holds data (without
    `force`), the engines differ, or the restored database does not reproduce the manifest.
    """
    manifest = manifest_read(directory)
    target = Target(database)
    if manifest["engine"] != target.engine:
        raise DomainError("engine_mismatch", f"备份来自 {manifest['engine']}，不能恢复到 {target.engine} 数据库")
    dump = directory / manifest["database"]["file"]
    if _sha256(dump) != manifest["database"]["sha256"]:
        raise DomainError("backup_damaged", f"{dump.name} 的校验和与清单不符，备份已损坏")
    bad = [name for name, sha in manifest["media"].items() if _sha256(directory / "media" / name) != sha]
    if bad:
        raise DomainError("backup_damaged", f"{len(bad)} 个文件的校验和与清单不符，例如 {bad[0]}")
    with target.connect() as conn:
        holding = _holds_data(conn.cursor(), target.engine)
    if holding and not force:
        raise DomainError(
            "target_not_empty",
            f"目标数据库已有数据（{'、'.join(holding)}）；确认要覆盖时请加 --force",
        )
    if target.engine == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *target.pg_args(),
                "-d",
                str(database["NAME"]),
                str(dump),
            ],
            env=target.pg_env(),
        )
    else:
        with target.connect() as lite:
            source = sqlite3.connect(dump)
            try:
                source.backup(lite)
            finally:
                source.close()
    _media_restore(directory / "media", media_root, manifest["media"])
    with target.connect() as conn:
        found = database_summary(conn.cursor(), target.engine)
    differ = [
        f"{table}: {manifest['tables'].get(table)} → {found['tables'].get(table)}"
        for table in sorted(set(manifest["tables"]) | set(found["tables"]))
        if manifest["tables"].get(table) != found["tables"].get(table)
    ]
    differ += [
        f"{table} 校验和不符"
        for table, sha in manifest["audit_checksums"].items()
        if found["audit_checksums"].get(table) != sha
    ]
    if differ:
        raise DomainError("restore_mismatch", "恢复后的数据与备份清单不符：" + "；".join(differ[:10]))
    return manifest


def _media_restore(source: Path, media_root: Path, files: dict[str, str]) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    for name in files:
        destination = media_root / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Copy beside, then rename: a file is either the old one or the whole new one, never half.
        with tempfile.NamedTemporaryFile(dir=destination.parent, delete=False) as tmp, (source / name).open("rb") as f:
            shutil.copyfileobj(f, tmp)
        os.replace(tmp.name, destination)
    restored = _files(media_root)
    bad = [name for name, sha in files.items() if restored.get(name) != sha]
    if bad:
        raise DomainError("restore_mismatch", f"{len(bad)} 个文件恢复后校验和不符，例如 {bad[0]}")
