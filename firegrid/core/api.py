"""Base API pieces: the scoped viewset, history, and errors that always name the field."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.views import exception_handler as drf_exception_handler

from firegrid.core import audit
from firegrid.core.models import AuditEvent


def _as_drf_error(exc):
    if hasattr(exc, "message_dict"):
        return ValidationError(exc.message_dict)
    return ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    """Model-layer ValidationErrors and constraint violations become 400s, never 500s."""
    if isinstance(exc, DjangoValidationError):
        exc = _as_drf_error(exc)
    elif isinstance(exc, IntegrityError):
        exc = ValidationError({"non_field_errors": [str(exc).splitlines()[0]]})
    return drf_exception_handler(exc, context)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "action", "actor", "source", "object_repr", "changes"]


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Every list and detail goes through Model.objects.restrict(user, action) once, here.

    Objects outside the user's jurisdiction do not exist for them: 404, not 403.
    """

    queryset_select_related = ()
    queryset_prefetch_related = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        audit.set_actor(request.user, "api")  # token auth happens here, after the middleware

    def get_queryset(self):
        model = self.serializer_class.Meta.model
        restrict_action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        qs = model.objects.restrict(self.request.user, restrict_action)
        if self.queryset_select_related:
            qs = qs.select_related(*self.queryset_select_related)
        if self.queryset_prefetch_related:
            qs = qs.prefetch_related(*self.queryset_prefetch_related)
        return qs

    def get_object(self):
        try:
            return super().get_object()
        except (ValueError, TypeError, DjangoValidationError):
            raise Http404 from None

    def perform_destroy(self, instance):
        from django.db.models import ProtectedError

        try:
            instance.delete()
        except ProtectedError as exc:
            raise ValidationError({"non_field_errors": [str(exc.args[0])]}) from None

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """The audit trail of this object: who changed what, when."""
        obj = self.get_object()
        page = self.paginate_queryset(audit.history_for(obj))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


class FullCleanSerializerMixin:
    """Runs Model.clean() through the serializer so model rules answer 400 with field names."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        instance = self.instance or model()
        skip = m2m | set(getattr(self, "full_clean_skip", ()))
        for name, value in attrs.items():
            if name not in skip:
                setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from None
        return attrs


class _ScopedRelatedMixin:
    """A related field whose choices are the objects the requesting user may write to."""

    def __init__(self, *args, scope_action="change", **kwargs):
        self.scope_action = scope_action
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.queryset.model.objects.restrict(user, self.scope_action)


class ScopedSlugRelatedField(_ScopedRelatedMixin, serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": "No {slug_name} {value} in your jurisdiction.",
        "invalid": "Invalid value.",
    }


class ScopedPrimaryKeyRelatedField(_ScopedRelatedMixin, serializers.PrimaryKeyRelatedField):
    default_error_messages = {"does_not_exist": 'No object with id "{pk_value}" in your jurisdiction.'}


class CappedCountPagination(LimitOffsetPagination):
    """Offset pages whose total is counted only up to a cap (`count_capped` says when it was hit):
    an exact COUNT(*) over a million rows costs far more than the page itself."""

    count_cap = 10_000

    def get_count(self, queryset):
        counted = queryset[: self.count_cap + 1].count()
        self.count_capped = counted > self.count_cap
        return min(counted, self.count_cap)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.count_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema
