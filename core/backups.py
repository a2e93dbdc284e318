"""Backup and restore of the whole portal: the database (SQLite through its online backup API, PostgreSQL with
pg_dump/pg_restore — both keep encrypted columns encrypted and the audit log's triggers) and every uploaded file,
with a manifest of SHA-256 checksums that restore verifies before it touches anything."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = [
        "-h",
        db.get("HOST") or "127.0.0.1",
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        db.get("USER") or "postgres",
    ]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到{name}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）。")
    return found


def _uploads_dir() -> Path:
    from django.core.files.storage import default_storage

    location = getattr(default_storage, "location", None)
    if location is None:
        raise BackupError(
            "上传文件存放在对象存储中：请使用对象存储自身的版本和备份机制，本命令只备份本地文件。"
        )
    return Path(location)


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _count_rows(cursor, connection.introspection.table_names(cursor))


def _count_rows(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the introspection
        counts[table] = cursor.fetchone()[0]
    return counts


def _rows_in_backup(database: Path, vendor: str) -> dict[str, int]:
    """The rows per table in the backup's database file, counted without touching the live database: the SQLite
    copy opened read-only, a PostgreSQL dump restored into a scratch database that is dropped afterwards."""
    if vendor == "sqlite":
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as copy:
            cursor = copy.cursor()
            tables = [
                name
                for (name,) in cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return _count_rows(cursor, tables)
    import psycopg

    scratch = f"{settings.DATABASES['default']['NAME']}_restore_check"
    args, env = _pg_env()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [_tool("pg_restore"), *args, "--no-owner", "--single-transaction", "-d", scratch, str(database)],
            env=env,
            check=True,
            capture_output=True,
        )
        db = settings.DATABASES["default"]
        with (
            psycopg.connect(
                host=db.get("HOST") or "127.0.0.1",
                port=db.get("PORT") or 5432,
                user=db.get("USER") or "postgres",
                password=db.get("PASSWORD") or None,
                dbname=scratch,
            ) as scratch_connection,
            scratch_connection.cursor() as cursor,
        ):
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return _count_rows(cursor, [name for (name,) in cursor.fetchall()])
    except subprocess.CalledProcessError as error:
        raise BackupError(f"数据库备份无法读取：{error.stderr.decode(errors='replace')[:200]}") from None
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def backup(target: Path) -> dict:
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"备份目录{target}不是空的。")
    connection.ensure_connection()
    vendor = connection.vendor
    if vendor == "sqlite":
        database = target / "database.sqlite3"
        with sqlite3.connect(database) as copy:
            connection.connection.backup(copy)
    else:
        database = target / "database.pgdump"
        args, env = _pg_env()
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [_tool("pg_dump"), *args, "-Fc", "-f", str(database), settings.DATABASES["default"]["NAME"]],
            env=env,
            check=True,
            capture_output=True,
        )
    uploads = _uploads_dir()
    files = {}
    if uploads.exists():
        shutil.copytree(uploads, target / "uploads")
        for path in sorted((target / "uploads").rglob("*")):
            if path.is_file():
                files[str(path.relative_to(target / "uploads"))] = _sha256(path)
    manifest = {
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "database": {"file": database.name, "sha256": _sha256(database)},
        "rows": _row_counts(),
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def verify(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source}中没有{MANIFEST}，不是本平台的备份。") from None
    database = source / manifest["database"]["file"]
    if _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError("数据库备份文件的校验值不符，备份已损坏，未做任何恢复。")
    for name, checksum in manifest["files"].items():
        path = source / "uploads" / name
        if not path.is_file() or _sha256(path) != checksum:
            raise BackupError(f"上传文件{name}缺失或校验值不符，备份已损坏，未做任何恢复。")
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"这是{manifest['vendor']}数据库的备份，不能恢复到{connection.vendor}。")
    return manifest


def restore(source: Path) -> dict:
    """Put back the database and the files of a backup — after everything has been checked, and so that a failure
    at any step leaves the portal as it was: the checksums (verify), then the backup's own row counts against its
    manifest (counted in the file, not in the live database), then the files copied beside the live ones; only then
    is the database replaced, and the files are swapped in by renaming."""
    manifest = verify(source)
    database = source / manifest["database"]["file"]
    counted = _rows_in_backup(database, manifest["vendor"])
    if counted != manifest["rows"]:
        different = sorted(
            t for t in set(manifest["rows"]) | set(counted) if counted.get(t) != manifest["rows"].get(t)
        )
        raise BackupError(f"备份中的数据行数与清单不一致（{', '.join(different[:5])}），未做任何恢复。")
    uploads = _uploads_dir()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    staged = uploads.with_name(f".{uploads.name}-restore-{stamp}")
    if (source / "uploads").exists():
        shutil.copytree(source / "uploads", staged)
    else:
        staged.mkdir(parents=True)
    try:
        _restore_database(database)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    old = uploads.with_name(f".{uploads.name}-old-{stamp}")
    if uploads.exists():
        uploads.rename(old)
    staged.rename(uploads)
    shutil.rmtree(old, ignore_errors=True)
    restored = _row_counts()
    if restored != manifest["rows"]:
        different = sorted(t for t in manifest["rows"] if restored.get(t) != manifest["rows"][t])
        raise BackupError(f"恢复后行数与备份不一致：{', '.join(different[:5])}")
    return manifest


def _restore_database(database: Path) -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        with sqlite3.connect(database) as saved:
            saved.backup(connection.connection)
        return
    connection.close()
    args, env = _pg_env()
    subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [
            _tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "-d",
            settings.DATABASES["default"]["NAME"],
            str(database),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
