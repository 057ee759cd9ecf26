from django.contrib import admin

from firegrid.core.models import AuditEvent


class ScopedAdmin(admin.ModelAdmin):
    """Back-office lists respect the jurisdiction too: staff who are not superusers see their scope."""

    def get_queryset(self, request):
        return self.model.objects.restrict(request.user, "view")


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    list_display = ["at", "action", "content_type", "object_repr", "actor", "source"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["object_repr", "object_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the trail is immutable
