"""Backups that restore: one folder (or .tar) holding a consistent database dump, every uploaded file
and a manifest with checksums and row counts; a restore refuses anything it cannot do completely.

PostgreSQL: the rows are counted inside a REPEATABLE READ transaction whose snapshot pg_dump then
uses (`--snapshot`), so the manifest describes exactly what the dump holds. SQLite: the online-backup
API copies the database through Django's own connection (the in-memory test database included) and
the rows are counted in the copy. Media files are copied after the database, so every file a dumped
row names is already there (a file uploaded meanwhile may be in the backup without its row: harmless).
"""

import collections
import contextlib
import datetime
import hashlib
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

import dj_database_url
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
BACKUP_NAME = re.compile(r"^firegrid-\d{8}T\d{6}Z(\.tar)?$")
CHUNK = 1024 * 1024
SQLITE_PAGES_PER_STEP = 25600  # ~100 MB a step at 4 KiB pages; a write by another connection restarts it


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (the commands exit non-zero)."""


class Progress:
    """Progress lines for long steps, at most one a second unless forced (start and end of a step)."""

    def __init__(self, stream=None, interval=1.0):
        self.stream = stream
        self.interval = interval
        self.last = 0.0

    def __call__(self, message, force=False):
        if self.stream is None:
            return
        now = time.monotonic()
        if force or now - self.last >= self.interval:
            self.last = now
            self.stream.write(message + "\n")
            self.stream.flush()


# --- backup -----------------------------------------------------------------------------------------


def create_backup(output_dir, *, using=DEFAULT_DB_ALIAS, media=True, as_tar=False, progress=None):
    """Write a backup under output_dir and return its path (a folder, or a .tar when as_tar)."""
    progress = progress or Progress()
    connection = connections[using]
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": connection.vendor}
        )
    output_dir = Path(output_dir).resolve()
    storage = default_storage
    if (
        media
        and isinstance(storage, FileSystemStorage)
        and output_dir.is_relative_to(Path(storage.location).resolve())
    ):
        raise BackupError(_("The backup folder must not be inside MEDIA_ROOT."))
    output_dir.mkdir(parents=True, exist_ok=True)
    created = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    name = "firegrid-" + created.strftime("%Y%m%dT%H%M%SZ")
    final = output_dir / (name + (".tar" if as_tar else ""))
    work = output_dir / (name + ".partial")
    if final.exists() or work.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": final})
    work.mkdir(mode=0o700)  # personal data and password hashes: readable by the backup's owner only
    try:
        database_file = work / DATABASE_FILES[connection.vendor]
        if connection.vendor == "postgresql":
            database = _dump_postgresql(connection, database_file, progress)
        else:
            database = _dump_sqlite(connection, database_file, progress)
        files = {database_file.name: _file_entry(database_file)}
        media_summary = {"included": False}
        if media:
            media_summary = _copy_media(storage, work / MEDIA_DIR, files, progress)
        manifest = {
            "format": FORMAT,
            "application": "firegrid",
            "firegrid_version": _version(),
            "git_commit": _git_commit(),
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "database": {
                "vendor": connection.vendor,
                "file": database_file.name,
                "server_version": database["server_version"],
            },
            "migrations": database["migrations"],
            "tables": database["tables"],
            "media": media_summary,
            "files": files,
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if as_tar:
            progress(_("packing %(name)s") % {"name": final.name}, force=True)
            partial_tar = output_dir / (final.name + ".partial")
            partial_tar.touch(mode=0o600)
            with tarfile.open(partial_tar, "w") as tar:
                tar.add(work, arcname=name)
            partial_tar.rename(final)
            shutil.rmtree(work)
        else:
            work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if as_tar:
            (output_dir / (final.name + ".partial")).unlink(missing_ok=True)
        raise
    progress(_("backup written: %(path)s") % {"path": final}, force=True)
    return final


def prune_backups(output_dir, keep):
    """Delete all but the newest `keep` backups in output_dir (only names this command writes)."""
    backups = sorted(p for p in Path(output_dir).iterdir() if BACKUP_NAME.match(p.name))
    removed = backups[: max(len(backups) - keep, 0)]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


def _dump_postgresql(connection, path, progress):
    pg_dump = _tool("pg_dump")
    # A connection of its own: its transaction holds the snapshot pg_dump reads until the dump ends.
    snap = type(connection)(dict(connection.settings_dict), connection.alias)
    try:
        with snap.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = sorted(snap.introspection.table_names(cursor))
            counts = _count_rows(cursor, tables, snap.ops.quote_name, progress)
            migrations = _latest_migrations(cursor, tables)
            server_version = snap.pg_version
            progress(_("dumping the database (%(tables)s tables)") % {"tables": len(tables)}, force=True)
            done = 0

            def on_line(line):
                nonlocal done
                if "dumping contents of table" in line:
                    done += 1
                    progress(_("dumping table %(done)s/%(total)s") % {"done": done, "total": len(tables)})

            _run(
                [pg_dump, "--format=custom", "--no-password", "--verbose", f"--snapshot={snapshot}",
                 f"--file={path}", connection.settings_dict["NAME"]],
                _pg_env(connection.settings_dict),
                on_line,
            )  # fmt: skip
            cursor.execute("COMMIT")
    finally:
        snap.close()
    version = f"{server_version // 10000}.{server_version % 10000}"
    return {"server_version": version, "tables": counts, "migrations": migrations}


def _dump_sqlite(connection, path, progress):
    connection.ensure_connection()
    progress(_("copying the SQLite database"), force=True)
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target, pages=SQLITE_PAGES_PER_STEP, progress=_sqlite_progress(progress))
    finally:
        target.close()
    with contextlib.closing(sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)) as copy:
        cursor = copy.cursor()
        tables = _sqlite_tables(cursor)
        counts = _count_rows(cursor, tables, _quote_sqlite, progress)
        migrations = _latest_migrations(cursor, tables)
    return {"server_version": sqlite3.sqlite_version, "tables": counts, "migrations": migrations}


def _copy_media(storage, folder, files, progress):
    names = list(_storage_files(storage))
    total_bytes = 0
    progress(_("copying %(n)s media files") % {"n": len(names)}, force=True)
    for number, name in enumerate(names, 1):
        relative = _safe_relative(posixpath.join(MEDIA_DIR, name))
        target = folder.joinpath(*PurePosixPath(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with storage.open(name, "rb") as source, open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        files[relative] = {"sha256": digest.hexdigest(), "size": size}
        total_bytes += size
        progress(
            _("media %(n)s/%(total)s files, %(mb).1f MB")
            % {"n": number, "total": len(names), "mb": total_bytes / 1e6},
            force=number == len(names),
        )
    storage_class = f"{type(storage).__module__}.{type(storage).__qualname__}"
    return {"included": True, "storage": storage_class, "files": len(names), "bytes": total_bytes}


def _storage_files(storage, path=""):
    try:
        directories, names = storage.listdir(path)
    except FileNotFoundError:  # no upload yet: MEDIA_ROOT does not exist
        return
    for name in sorted(names):
        yield posixpath.join(path, name) if path else name
    for directory in sorted(directories):
        yield from _storage_files(storage, posixpath.join(path, directory) if path else directory)


# --- restore ----------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    vendor: str
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    mismatches: dict = field(default_factory=dict)  # table: (rows in the manifest, rows restored)
    pending_migrations: list = field(default_factory=list)
    unknown_migrations: list = field(default_factory=list)


def restore_backup(source, *, database_url=None, media_root=None, progress=None):
    """Restore a backup (folder or .tar) into an empty database and media folder; return a RestoreReport.

    Everything that can refuse does so before anything is written: the manifest, the vendor, every
    checksum, the target's emptiness and the media files already in place.
    """
    progress = progress or Progress()
    with _backup_folder(Path(source)) as folder, _target_database(database_url) as target:
        manifest = read_manifest(folder)
        vendor = manifest["database"]["vendor"]
        if vendor != target.vendor:
            names = {
                "backup": VENDOR_NAMES.get(vendor, vendor),
                "target": VENDOR_NAMES.get(target.vendor, target.vendor),
            }
            raise BackupError(
                _("This backup is of a %(backup)s database and cannot be restored into %(target)s.") % names
            )
        verify_backup(folder, manifest, progress)
        try:
            existing = _existing_tables(target)
        except DatabaseError as error:
            raise BackupError(_("Cannot open the target database: %(error)s") % {"error": error}) from error
        rows = sum(existing.values())
        if rows:
            busy = {table: count for table, count in existing.items() if count}
            sample = ", ".join(f"{table}: {count}" for table, count in sorted(busy.items())[:5])
            message = _(
                "database is not empty: %(rows)s rows in %(tables)s tables; restore needs an empty database"
            )
            raise BackupError(message % {"rows": rows, "tables": len(busy)} + f" ({sample})")
        storage = FileSystemStorage(location=str(media_root)) if media_root else default_storage
        media = _media_plan(folder, manifest, storage)

        database_file = folder / manifest["database"]["file"]
        if vendor == "postgresql":
            _restore_postgresql(target, database_file, manifest, clean=bool(existing), progress=progress)
        else:
            _restore_sqlite(target, database_file, progress)
        media_bytes = _restore_media(storage, media, progress)

        with target.cursor() as cursor:
            present = set(target.introspection.table_names(cursor))
            tables = sorted(manifest["tables"])
            counts = _count_rows(cursor, [t for t in tables if t in present], target.ops.quote_name, progress)
        mismatches = {
            table: (expected, counts.get(table))
            for table, expected in manifest["tables"].items()
            if counts.get(table) != expected
        }
        pending, unknown = _migration_state(target)
    report = RestoreReport(
        vendor=vendor,
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(media),
        media_bytes=media_bytes,
        mismatches=mismatches,
        pending_migrations=pending,
        unknown_migrations=unknown,
    )
    return report


def read_manifest(folder):
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        ok = (
            manifest["application"] == "firegrid"
            and manifest["database"]["file"] in manifest["files"]
            and isinstance(manifest["tables"], dict)
        )
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise BackupError(
            _("%(path)s is not a firegrid backup: manifest.json is missing or unreadable.") % {"path": folder}
        )
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("This backup has format %(found)s; this firegrid reads format %(format)s.")
            % {"found": manifest.get("format"), "format": FORMAT}
        )
    return manifest


def verify_backup(folder, manifest, progress):
    """Every file listed in the manifest is present with its size and sha256; else name the first bad one."""
    entries = manifest["files"]
    progress(_("verifying %(n)s files") % {"n": len(entries)}, force=True)
    for number, (relative, entry) in enumerate(sorted(entries.items()), 1):
        path = folder.joinpath(*PurePosixPath(_safe_relative(relative)).parts)
        if not path.is_file():
            raise BackupError(_("The backup is incomplete: %(file)s is missing.") % {"file": relative})
        if (path.stat().st_size, _sha256(path)) != (entry.get("size"), entry.get("sha256")):
            raise BackupError(
                _("The backup is corrupted: %(file)s does not match its checksum in manifest.json.")
                % {"file": relative}
            )
        progress(_("verified %(n)s/%(total)s files") % {"n": number, "total": len(entries)})


@contextlib.contextmanager
def _backup_folder(source):
    if source.is_dir():
        yield source
        return
    if not (source.is_file() and tarfile.is_tarfile(source)):
        raise BackupError(_("%(path)s is not a firegrid backup (a folder or a .tar).") % {"path": source})
    with tempfile.TemporaryDirectory(prefix="firegrid-restore-") as scratch, tarfile.open(source) as tar:
        tar.extractall(scratch, filter="data")
        entries = list(Path(scratch).iterdir())
        yield entries[0] if len(entries) == 1 and entries[0].is_dir() else Path(scratch)


@contextlib.contextmanager
def _target_database(database_url):
    """The settings' database, or a connection of its own to --database-url (closed afterwards)."""
    if not database_url:
        yield connections[DEFAULT_DB_ALIAS]
        return
    try:
        config = dj_database_url.parse(database_url)
    except ValueError as error:
        raise BackupError(_("--database-url: %(error)s") % {"error": error}) from error
    config = connections.configure_settings({DEFAULT_DB_ALIAS: config})[DEFAULT_DB_ALIAS]
    target = load_backend(config["ENGINE"]).DatabaseWrapper(config, "restore_target")
    try:
        yield target
    finally:
        target.close()


def _existing_tables(target):
    with target.cursor() as cursor:
        tables = [t for t in target.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        return _count_rows(cursor, tables, target.ops.quote_name)


def _media_plan(folder, manifest, storage):
    """(storage name, file in the backup, size) for each media file; refuse a different file in the way."""
    plan = []
    prefix = MEDIA_DIR + "/"
    for relative, entry in sorted(manifest["files"].items()):
        if not relative.startswith(prefix):
            continue
        name = relative[len(prefix) :]
        if storage.exists(name):
            with storage.open(name, "rb") as present:
                digest = hashlib.file_digest(present, "sha256").hexdigest()
            if digest != entry["sha256"]:
                raise BackupError(
                    _("A different file is in the media folder: %(name)s; restore needs an empty one.")
                    % {"name": name}
                )
            continue
        plan.append((name, folder.joinpath(*PurePosixPath(relative).parts), entry["size"]))
    return plan


def _restore_postgresql(target, dump, manifest, *, clean, progress):
    pg_restore = _tool("pg_restore")
    total = len(manifest["tables"])
    progress(_("restoring the database (%(tables)s tables)") % {"tables": total}, force=True)
    done = built = 0

    def on_line(line):
        nonlocal done, built
        if "processing data for table" in line:
            done += 1
            progress(_("restoring table %(done)s/%(total)s") % {"done": done, "total": total})
        elif "creating INDEX" in line or "CONSTRAINT" in line:
            built += 1
            progress(_("building indexes and constraints: %(n)s") % {"n": built})

    # Tables that exist but hold no row (a migrated-then-emptied database) are dropped and recreated.
    extra = ["--clean", "--if-exists"] if clean else []
    _run(
        [pg_restore, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", "--no-password",
         "--verbose", *extra, f"--dbname={target.settings_dict['NAME']}", str(dump)],
        _pg_env(target.settings_dict),
        on_line,
    )  # fmt: skip


def _restore_sqlite(target, database_file, progress):
    progress(_("copying the SQLite database into place"), force=True)
    target.ensure_connection()
    with contextlib.closing(sqlite3.connect(database_file.as_uri() + "?mode=ro", uri=True)) as source:
        source.backup(target.connection, pages=SQLITE_PAGES_PER_STEP, progress=_sqlite_progress(progress))


def _restore_media(storage, plan, progress):
    total_bytes = 0
    progress(_("restoring %(n)s media files") % {"n": len(plan)}, force=True)
    for number, (name, path, size) in enumerate(plan, 1):
        with open(path, "rb") as handle:
            saved = storage.save(name, File(handle, name=posixpath.basename(name)))
        if saved != name:
            raise BackupError(
                _("The media file %(name)s was stored as %(saved)s.") % {"name": name, "saved": saved}
            )
        total_bytes += size
        progress(
            _("media %(n)s/%(total)s files, %(mb).1f MB")
            % {"n": number, "total": len(plan), "mb": total_bytes / 1e6},
            force=number == len(plan),
        )
    return total_bytes


def _migration_state(target):
    """Migrations this code has that the restored database lacks, and the other way round."""
    from django.db.migrations.loader import MigrationLoader

    with target.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = set(cursor.fetchall())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.graph.nodes)
    for key, squashed in loader.replacements.items():
        known.update(squashed.replaces)  # the originals a squashed migration stands for
        if set(squashed.replaces) <= applied:
            applied.add(key)
    pending = sorted(f"{app}.{name}" for app, name in set(loader.graph.nodes) - applied)
    unknown = sorted(f"{app}.{name}" for app, name in applied - known)
    return pending, unknown


# --- helpers ----------------------------------------------------------------------------------------


def _count_rows(cursor, tables, quote, progress=None):
    counts = {}
    for number, table in enumerate(tables, 1):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - quoted table name
        counts[table] = cursor.fetchone()[0]
        if progress:
            progress(_("counted rows of %(n)s/%(total)s tables") % {"n": number, "total": len(tables)})
    return counts


def _latest_migrations(cursor, tables):
    """The last migration applied per app (in the order they were applied)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    latest = {}
    for app, name in cursor.fetchall():
        latest[app] = name
    return dict(sorted(latest.items()))


def _sqlite_tables(cursor):
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
    )
    return sorted(row[0] for row in cursor.fetchall())


def _quote_sqlite(name):
    return '"' + name.replace('"', '""') + '"'


def _sqlite_progress(progress):
    def report(status, remaining, total):
        if total:
            progress(_("database pages %(done)s/%(total)s") % {"done": total - remaining, "total": total})

    return report


def _safe_relative(name):
    """A manifest path must stay inside the backup: relative, no '..', no empty parts."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(part in {"", ".", ".."} for part in path.parts):
        raise BackupError(_("The backup names an unsafe path: %(name)s") % {"name": name})
    return str(path)


def _file_entry(path):
    return {"sha256": _sha256(path), "size": path.stat().st_size}


def _sha256(path):
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _tool(name):
    path = shutil.which(name)
    if not path:
        raise BackupError(
            _("%(tool)s is not installed (Debian: apt-get install postgresql-client-15).") % {"tool": name}
        )
    return path


def _pg_env(settings_dict):
    """libpq's environment for pg_dump and pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(option):
            env["PG" + option.upper()] = str(options[option])
    return env


def _run(args, env, on_line):
    """Run a pg_* tool, hand each line it writes to on_line, and raise with its last lines if it fails."""
    process = subprocess.Popen(  # noqa: S603 - a resolved tool path and our own arguments
        args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, errors="replace",
    )  # fmt: skip
    tail = collections.deque(maxlen=20)
    for line in process.stderr:
        line = line.rstrip()
        tail.append(line)
        on_line(line)
    if process.wait():
        raise BackupError(
            _("%(tool)s failed (exit code %(code)s):")
            % {"tool": Path(args[0]).name, "code": process.returncode}
            + "\n"
            + "\n".join(tail)
        )


def _version():
    try:
        return metadata.version("firegrid")
    except metadata.PackageNotFoundError:
        return "unknown"


def _git_commit():
    git = shutil.which("git")
    if not git or not (settings.REPO_DIR / ".git").exists():
        return None
    try:
        result = subprocess.run(  # noqa: S603 - git from PATH with fixed arguments
            [git, "-C", str(settings.REPO_DIR), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return (result.stdout.strip() or None) if result.returncode == 0 else None
