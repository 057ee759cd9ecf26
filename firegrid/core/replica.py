"""Send the read-only report and dashboard pages' queries to the read replica (DATABASE_REPLICA_URL).

The middleware is installed only when a replica is configured. A GET or HEAD whose URL name is in
REPLICA_URL_NAMES runs inside `reading_from_replica()`: its reads go to the replica, while anything
it writes (a session touch, an audit row) still goes to the primary through the router.
"""

from django.conf import settings
from django.urls import Resolver404, resolve

from firegrid.core.db_router import reading_from_replica


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.names = frozenset(settings.REPLICA_URL_NAMES)

    def __call__(self, request):
        if request.method in {"GET", "HEAD"} and self._named(request.path_info) in self.names:
            # who is asking is read from the primary: a session made a moment ago may not have
            # reached the replica yet
            user = getattr(request, "user", None)
            if user is not None:
                user.is_authenticated  # noqa: B018 - loads the lazy user now
            with reading_from_replica():
                return self.get_response(request)
        return self.get_response(request)

    @staticmethod
    def _named(path):
        try:
            return resolve(path).url_name
        except Resolver404:
            return None
