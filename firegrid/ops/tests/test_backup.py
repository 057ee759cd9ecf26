"""Backup → restore into a fresh database and media folder brings back every row and file; a restore
refuses a non-empty target, a corrupted backup and a backup of the other database vendor, writing nothing.

The dump must see committed rows (pg_dump reads from its own connection), hence transactional tests.
"""

import hashlib
import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation
from PIL import Image

from firegrid.hazards import reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import Attachment, HazardCategory
from firegrid.ops.backup import create_backup

pytestmark = pytest.mark.django_db(transaction=True)


def png(name="photo.png", size=(40, 30), colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def sha256_tree(root):
    root = Path(root)
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def row_counts_here():
    """Row counts of every table in the live (test) database, read through Django's connection."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


class Target:
    """A fresh empty database of the test's own vendor, read with the plain driver (not Django)."""

    def __init__(self, tmp_path):
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            s = connection.settings_dict
            self.name = f"{s['NAME']}_restore"
            self.params = {
                "host": s["HOST"] or "127.0.0.1",
                "port": s["PORT"] or 5432,
                "user": s["USER"],
                "password": s["PASSWORD"],
            }
            with closing(psycopg.connect(dbname=s["NAME"], autocommit=True, **self.params)) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = (
                f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'])}@{self.params['host']}:"
                f"{self.params['port']}/{self.name}"
            )

    def query(self, sql):
        if self.vendor == "sqlite":
            with closing(sqlite3.connect(self.path)) as db:
                return db.execute(sql).fetchall()
        with closing(psycopg.connect(dbname=self.name, **self.params)) as db:
            return db.execute(sql).fetchall()

    def execute(self, sql):
        if self.vendor == "sqlite":
            with closing(sqlite3.connect(self.path)) as db:
                db.execute(sql)
                db.commit()
        else:
            with closing(psycopg.connect(dbname=self.name, autocommit=True, **self.params)) as db:
                db.execute(sql)

    def tables(self):
        if self.vendor == "sqlite":
            if not self.path.exists():
                return []
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return sorted(row[0] for row in self.query(sql))

    def row_counts(self):
        return {table: self.query(f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in self.tables()}

    def drop(self):
        if self.vendor == "postgresql":
            s = connection.settings_dict
            with closing(psycopg.connect(dbname=s["NAME"], autocommit=True, **self.params)) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    target = Target(tmp_path)
    yield target
    target.drop()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def backup(world, media, tmp_path):
    """A backup of the world plus a publicly reported hazard case with a photo."""
    case = reports.report(
        description="安全出口被杂物堵塞",
        category=HazardCategory.objects.get(code="evacuation"),
        place=world.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
        photos=[png()],
    )
    assert case.attachments.count() == 1
    stderr = io.StringIO()
    out = io.StringIO()
    with translation.override("en"):
        call_command("backup", output=str(tmp_path / "backups"), stdout=out, stderr=stderr)
    path = Path(out.getvalue().strip())
    assert path.is_dir() and path.parent == tmp_path / "backups"
    assert "media 1/1 files" in stderr.getvalue()  # progress goes to stderr
    return path


def restore(path, target, media_root):
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "restore",
            str(path),
            database_url=target.url,
            media_root=str(media_root),
            stdout=out,
            stderr=io.StringIO(),
        )
    return out.getvalue()


def test_backup_then_restore_into_a_fresh_database_brings_back_every_row_and_file(
    backup, target, media, tmp_path
):
    source_counts = row_counts_here()
    source_files = sha256_tree(media)
    manifest = json.loads((backup / "manifest.json").read_text())

    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"] == source_counts
    assert manifest["migrations"]["hazards"] and manifest["migrations"]["org"]
    assert manifest["firegrid_version"]
    photo = Attachment.objects.get().file.name
    assert manifest["files"][f"media/{photo}"]["sha256"] == source_files[photo]
    assert set(manifest["files"]) == {manifest["database"]["file"]} | {f"media/{n}" for n in source_files}

    restored_media = tmp_path / "restored-media"
    output = restore(backup, target, restored_media)

    assert "Row counts match the manifest for every table." in output
    restored_counts = target.row_counts()
    assert restored_counts == source_counts
    assert restored_counts["hazards_hazardcase"] == 1 and restored_counts["org_user"] >= 9
    assert target.query("SELECT description FROM hazards_hazardcase") == [("安全出口被杂物堵塞",)]
    assert sha256_tree(restored_media) == source_files
    [(restored_photo,)] = target.query("SELECT file FROM hazards_attachment")
    assert (restored_media / restored_photo).is_file()


def test_a_tar_backup_restores_into_a_database_whose_tables_are_empty(world, media, target, tmp_path):
    """A target with tables but not one row (migrated, then emptied) is empty enough: PostgreSQL drops and
    recreates the tables the dump holds (pg_restore --clean), SQLite's backup API replaces the whole file."""
    folder = tmp_path / "backups"
    (folder / "firegrid-20250101T023000Z").mkdir(parents=True)  # older backups, a folder and a .tar
    (folder / "firegrid-20250102T023000Z.tar").write_bytes(b"")
    (folder / "firegrid-notes").mkdir()  # not a backup's name: never deleted
    out = io.StringIO()
    call_command("backup", output=str(folder), tar=True, keep=2, stdout=out, stderr=io.StringIO())
    path = Path(out.getvalue().strip())
    assert path.suffix == ".tar" and path.is_file()
    # no work folder left behind; --keep 2 deleted the oldest backup and nothing else
    kept = {"firegrid-20250102T023000Z.tar", "firegrid-notes", path.name}
    assert {p.name for p in folder.iterdir()} == kept
    target.execute("CREATE TABLE hazards_hazardcategory (id integer)")  # same name, other shape, no row

    restore(path, target, tmp_path / "restored-media")

    restored = target.row_counts()
    assert restored == row_counts_here()
    assert restored["hazards_hazardcategory"] > 0 and restored["org_region"] > 0


def test_rows_written_while_the_backup_runs_are_in_both_the_dump_and_the_counts_or_in_neither(
    media, target, tmp_path
):
    """The manifest describes exactly what the dump holds: a row committed after the row counts were
    taken but before the dump is written is left out of both on PostgreSQL (one exported snapshot);
    on SQLite the rows are counted in the copy itself."""
    before = Group.objects.count()

    def progress(message, force=False):
        if "dumping the database" in message or "copying the SQLite database" in message:
            Group.objects.create(name=f"written meanwhile {Group.objects.count()}")  # committed at once

    path = create_backup(tmp_path / "backups", progress=progress)
    manifest = json.loads((path / "manifest.json").read_text())
    assert Group.objects.count() == before + 1
    if connection.vendor == "postgresql":
        assert manifest["tables"]["auth_group"] == before
    else:
        assert manifest["tables"]["auth_group"] == before + 1

    output = restore(path, target, tmp_path / "restored-media")
    assert "Row counts match the manifest for every table." in output
    assert target.row_counts()["auth_group"] == manifest["tables"]["auth_group"]


def test_restore_into_a_non_empty_database_is_refused_and_writes_nothing(backup, target, tmp_path):
    target.execute("CREATE TABLE notes (id integer)")
    target.execute("INSERT INTO notes VALUES (1)")
    restored_media = tmp_path / "restored-media"

    with pytest.raises(
        CommandError, match=r"database is not empty: 1 rows in 1 tables; restore needs an empty"
    ):
        restore(backup, target, restored_media)

    assert target.tables() == ["notes"]
    assert target.row_counts() == {"notes": 1}
    assert not restored_media.exists()


def test_a_corrupted_backup_is_refused_naming_the_file(backup, target, tmp_path):
    manifest = json.loads((backup / "manifest.json").read_text())
    photo = next(name for name in manifest["files"] if name.startswith("media/"))
    restored_media = tmp_path / "restored-media"

    damaged = backup / photo
    original = damaged.read_bytes()
    damaged.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # one bit flipped, same size
    with pytest.raises(CommandError, match=rf"The backup is corrupted: {photo} does not match its checksum"):
        restore(backup, target, restored_media)
    damaged.write_bytes(original)

    database = backup / manifest["database"]["file"]
    database.write_bytes(database.read_bytes()[:-10])
    with pytest.raises(CommandError, match=rf"corrupted: {manifest['database']['file']} does not match"):
        restore(backup, target, restored_media)

    database.unlink()
    with pytest.raises(CommandError, match=rf"incomplete: {manifest['database']['file']} is missing"):
        restore(backup, target, restored_media)

    assert target.tables() == []
    assert not restored_media.exists()


def test_a_backup_of_the_other_vendor_or_an_unreachable_database_is_refused(backup, tmp_path):
    if connection.vendor == "sqlite":
        other, url = "PostgreSQL", "postgres://firegrid:firegrid@127.0.0.1:5432/firegrid_backup_never_created"
        unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.sqlite3'}"
    else:
        other, url = "SQLite", f"sqlite:///{tmp_path / 'never-created.sqlite3'}"
        unreachable = "postgres://firegrid:firegrid@127.0.0.1:5432/firegrid_backup_never_created"
    mine = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    media_root = str(tmp_path / "m")

    with (
        pytest.raises(
            CommandError, match=rf"backup is of a {mine} database and cannot be restored into {other}"
        ),
        translation.override("en"),
    ):
        call_command("restore", str(backup), database_url=url, media_root=media_root)
    with pytest.raises(CommandError, match=r"Cannot open the target database"), translation.override("en"):
        call_command("restore", str(backup), database_url=unreachable, media_root=media_root)

    assert not (tmp_path / "never-created.sqlite3").exists()
    assert not (tmp_path / "m").exists()
