"""`firegrid restore`: bring a backup back into an empty database and media folder."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from firegrid.ops.backup import BackupError, Progress, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `firegrid backup` (a folder or a .tar) into an empty database: every "
        "checksum is verified first, then row counts per table are compared with the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup folder or .tar file.")
        parser.add_argument(
            "--database-url",
            default="",
            help="Restore into this database instead of the configured one (postgres://… or sqlite:///…).",
        )
        parser.add_argument(
            "--media-root", default="", help="Restore the uploaded files here instead of MEDIA_ROOT."
        )

    def handle(self, *args, backup, database_url, media_root, **options):
        try:
            report = restore_backup(
                backup, database_url=database_url, media_root=media_root, progress=Progress(self.stderr)
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Restored %(rows)s rows in %(tables)s tables and %(files)s media files (%(mb).1f MB).")
            % {
                "rows": report.rows,
                "tables": report.tables,
                "files": report.media_files,
                "mb": report.media_bytes / 1e6,
            }
        )
        if report.unknown_migrations:
            self.stdout.write(
                _("The backup has migrations this release does not know (a newer firegrid?): %(names)s")
                % {"names": ", ".join(report.unknown_migrations)}
            )
        if report.pending_migrations:
            self.stdout.write(
                _("%(n)s migrations of this release are not applied yet: run `firegrid migrate`.")
                % {"n": len(report.pending_migrations)}
            )
        if report.mismatches:
            lines = [
                f"  {table}: {expected} → {found if found is not None else '-'}"
                for table, (expected, found) in sorted(report.mismatches.items())
            ]
            raise CommandError(
                _("Row counts differ from the manifest in %(n)s tables (manifest → restored):")
                % {"n": len(report.mismatches)}
                + "\n"
                + "\n".join(lines)
            )
        self.stdout.write(_("Row counts match the manifest for every table."))
