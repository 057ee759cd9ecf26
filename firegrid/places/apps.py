from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "firegrid.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self):
        from firegrid.places import cache, streets
        from firegrid.places.models import Place

        # Bookkeeping, not business logic (which stays in actions.py): a region moved under another
        # street carries its places' street along (places.streets) ...
        post_save.connect(
            streets.region_saved, sender="org.Region", dispatch_uid="places-street-follows-region"
        )
        # ... and any write to a place, its owners or a region (a list row shows the region's code
        # and name) makes the cached list pages stale (places.cache). Bulk writes bump it themselves.
        for name, signal in (("save", post_save), ("delete", post_delete)):
            for sender in (Place, "org.Region"):
                signal.connect(
                    cache.bump_version, sender=sender, dispatch_uid=f"places-cache-{name}-{sender}"
                )
        m2m_changed.connect(
            cache.bump_version, sender=Place.owners.through, dispatch_uid="places-cache-owners"
        )
