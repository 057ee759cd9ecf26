from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from firegrid.hazards.choices import Channel
from firegrid.hazards.models import Open311Client


class Command(BaseCommand):
    help = "Register a system allowed to post Open311 service requests and print its api_key (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="who the key is for, e.g. the 12345 hotline platform")
        parser.add_argument(
            "--channel",
            default=Channel.OPEN311,
            choices=Channel.values,
            help="channel recorded on the cases this client posts (default: open311)",
        )

    def handle(self, *args, name, channel, **options):
        name = name.strip()
        if not name:
            raise CommandError(_("Give the client a name."))
        client, key = Open311Client.issue(name[:100], channel=channel)
        self.stdout.write(
            _("Open311 client %(name)s created (channel %(channel)s).")
            % {"name": client.name, "channel": channel}
        )
        self.stdout.write(_("Its api_key, shown only this once (only a hash is stored):"))
        self.stdout.write(key)
