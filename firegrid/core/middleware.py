from django.conf import settings

from firegrid.core import audit


class AuditActorMiddleware:
    """Makes the signed-in user the actor of audit events written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "admin" if request.path.startswith("/admin/") else "page"
        audit.set_actor(getattr(request, "user", None), source)
        try:
            return self.get_response(request)
        finally:
            audit.set_actor(None, "system")


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY as the Permissions-Policy header (camera and location for this
    site only, no microphone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
