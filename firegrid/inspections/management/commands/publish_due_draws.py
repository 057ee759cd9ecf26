from django.core.management.base import BaseCommand

from firegrid.inspections.draw_actions import publish_due_draws


class Command(BaseCommand):
    help = "Publish the results of draws whose publication deadline (DRAW_PUBLISH_WORKING_DAYS) has come."

    def handle(self, **options):
        published = publish_due_draws()
        self.stdout.write(
            f"{len(published)} draw(s) published: {', '.join(d.title for d in published) or '-'}"
        )
