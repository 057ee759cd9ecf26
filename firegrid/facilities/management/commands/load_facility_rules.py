"""`firegrid load_facility_rules [file]`: store a facility rule document as a new active version."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from firegrid.facilities import actions, rules


class Command(BaseCommand):
    help = "Load a facility rule set (JSON, default the shipped file) as the active version."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(rules.DEFAULT_RULES))

    def handle(self, *args, file, **options):
        try:
            ruleset = actions.new_ruleset_version(rules.read_rules_file(file))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Facility rules {ruleset.version} active.")
