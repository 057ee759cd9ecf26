"""`firegrid backup`: a consistent database dump, every uploaded file and a manifest with checksums."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from firegrid.ops.backup import BackupError, Progress, create_backup, prune_backups


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format on PostgreSQL, the online-backup API on SQLite) and "
        "the uploaded files into a folder named by the time, with manifest.json; prints its path."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(settings.VAR_DIR / "backups"),
            help="Folder that receives the backup (default: var/backups).",
        )
        parser.add_argument("--tar", action="store_true", help="Write one .tar file instead of a folder.")
        parser.add_argument(
            "--no-media", action="store_true", help="Leave the uploaded files out (e.g. S3 with versioning)."
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="After a successful backup delete all but the newest N in --output (default 0: keep all).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, output, tar, no_media, keep, database, **options):
        if keep < 0:
            raise CommandError(_("--keep must be 0 (keep all) or more."))
        try:
            path = create_backup(
                output, using=database, media=not no_media, as_tar=tar, progress=Progress(self.stderr)
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(path))
        if keep:
            for old in prune_backups(output, keep):
                self.stderr.write(_("deleted the old backup %(path)s") % {"path": old})
