from django.conf import settings

from firegrid.core.scoping import user_scope


def firegrid(request):
    scope = user_scope(getattr(request, "user", None))
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "user_roles": sorted(scope.roles),
    }
