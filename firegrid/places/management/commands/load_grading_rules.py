from django.core.management.base import BaseCommand, CommandError

from firegrid.places.actions import DEFAULT_RULES, activate_ruleset, new_ruleset_version, read_rules_file
from firegrid.places.models import GradingRuleSet


class Command(BaseCommand):
    help = "Load a grading rule-set file as a new version and regrade every place (shows progress)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_RULES))
        parser.add_argument("--no-activate", action="store_true")

    def handle(self, path, no_activate, **options):
        document = read_rules_file(path)
        existing = GradingRuleSet.objects.filter(version=document.get("version")).first()

        def progress(done, total):
            self.stdout.write(f"\rregraded {done}/{total}", ending="")

        if existing:
            if existing.is_active or no_activate:
                self.stdout.write(f"{existing} is already loaded.")
                return
            changed = activate_ruleset(existing, progress=progress)
        else:
            from django.core.exceptions import ValidationError

            try:
                ruleset, changed = new_ruleset_version(document, activate=not no_activate, progress=progress)
            except ValidationError as exc:
                raise CommandError("; ".join(f"{k}: {v}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"\n{changed} place grade(s) changed.")
