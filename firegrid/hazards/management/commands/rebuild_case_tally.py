from django.core.management.base import BaseCommand

from firegrid.hazards.tally import rebuild


class Command(BaseCommand):
    help = (
        "Count every hazard case again into the command view's case tally (hazards.tally), after writes "
        "that bypass the case transitions: imports, COPY, update() of counted fields, a region moved."
    )

    def handle(self, *args, **options):
        counts, open_counts, closed_counts = rebuild()
        self.stdout.write(
            f"case_tally={counts} open_case_tally={open_counts} closed_case_tally={closed_counts}"
        )
