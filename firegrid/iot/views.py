"""Staff pages of the IoT app: the live view (active alarms and devices, refreshed by htmx every
few seconds), alarm pages with their steps, the device list, a device with its recent history, and
registering a device (its key is shown once)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.core.scoping import user_scope
from firegrid.hazards.models import STAFF_ROLES
from firegrid.iot import actions, history
from firegrid.iot.api.views import kind_first
from firegrid.iot.choices import AlarmKind, DeviceKind, DeviceStatus
from firegrid.iot.forms import ClearForm, DeviceForm, HistoryForm, NoteForm
from firegrid.iot.models import ACTIVE_STATUSES, Alarm, Device

LIVE_ALARMS = 100
LIVE_DEVICES = 50
KEY_SESSION = "iot_device_key"


def may_open_case(user):
    scope = user_scope(user)
    return scope.superuser or bool(scope.roles & STAFF_ROLES)


def actionable(user, alarms):
    """Ids of the alarms this user may acknowledge, clear or open a case from."""
    ids = [a.pk for a in alarms]
    if not ids:
        return set()
    return set(Alarm.objects.restrict(user, "change").filter(pk__in=ids).values_list("pk", flat=True))


def live_alarms_context(user):
    scoped_alarms = Alarm.objects.restrict(user, "view").filter(status__in=ACTIVE_STATUSES)
    by_kind = dict(scoped_alarms.order_by().values_list("kind").annotate(n=Count("id")))
    alarms = list(kind_first(scoped_alarms.select_related("device", "place", "case"))[:LIVE_ALARMS])
    return {
        "alarms": alarms,
        "alarm_counts": [(kind, by_kind.get(kind.value, 0)) for kind in AlarmKind],
        "alarm_total": sum(by_kind.values()),
        "actionable": actionable(user, alarms),
        "can_open_case": may_open_case(user),
    }


def live_devices_context(user):
    devices = Device.objects.restrict(user, "view").filter(is_active=True)
    counts = devices.order_by().aggregate(
        **{status.value: Count("id", filter=Q(status=status.value)) for status in DeviceStatus}
    )
    # the ones that need attention first: offline, never heard from, then online
    attention = Case(
        When(status=DeviceStatus.OFFLINE, then=Value(0)),
        When(status=DeviceStatus.UNKNOWN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = list(
        devices.select_related("place")
        .annotate(attention=attention)
        .order_by("attention", "ident")[:LIVE_DEVICES]
    )
    return {
        "devices": rows,
        "device_counts": [(status, counts[status.value]) for status in DeviceStatus],
        "device_total": sum(counts.values()),
    }


class LiveView(LoginRequiredMixin, generic.TemplateView):
    template_name = "iot/live.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**kwargs) | live_alarms_context(user) | live_devices_context(user)


class PartMixin(LoginRequiredMixin):
    """A part fetched by htmx: once the session has expired, send the whole page to the login form
    instead of swapping the login page into the part."""

    def handle_no_permission(self):
        if getattr(self.request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{reverse('login')}?next={reverse('iot:live')}"
            return response
        return super().handle_no_permission()


class LiveAlarmsPart(PartMixin, generic.TemplateView):
    """The alarm part of the live view, fetched by htmx every few seconds."""

    template_name = "iot/partials/live_alarms.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | live_alarms_context(self.request.user)


class LiveDevicesPart(PartMixin, generic.TemplateView):
    template_name = "iot/partials/live_devices.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | live_devices_context(self.request.user)


# ---- alarms ----


class AlarmDetailView(scoped.ScopedDetailView):
    model = Alarm
    template_name = "iot/alarm_detail.html"
    context_object_name = "alarm"

    def get_queryset(self):
        return super().get_queryset().select_related("device", "place", "region", "case")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alarm, user = self.object, self.request.user
        may_act = scoped.in_scope(user, alarm, "change")
        return context | {
            "events": alarm.events.select_related("actor"),
            "may_act": may_act,
            "can_open_case": may_act and may_open_case(user) and not alarm.case_id,
            "note_form": NoteForm(),
            "clear_form": kwargs.get("clear_form") or ClearForm(),
        }


ALARM_STEPS = {
    "acknowledge": (actions.acknowledge, NoteForm, _("Alarm acknowledged.")),
    "clear": (actions.clear, ClearForm, _("Alarm cleared.")),
    "open-case": (actions.open_case, NoteForm, None),
}


class AlarmStepView(LoginRequiredMixin, View):
    """POST one step on an alarm; back to where the button was (the live view or the alarm page)."""

    def post(self, request, pk, step):
        if step not in ALARM_STEPS:
            raise Http404
        alarm = get_object_or_404(Alarm.objects.restrict(request.user, "change"), pk=pk)
        fn, form_class, done = ALARM_STEPS[step]
        if step == "open-case" and not may_open_case(request.user):
            raise Http404
        form = form_class(request.POST)
        back = self.back(request, alarm)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return HttpResponseRedirect(reverse("iot:alarm", args=[alarm.pk]))
        try:
            result = fn(alarm, actor=request.user, note=form.cleaned_data.get("note", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(back)
        if step == "open-case":
            messages.success(request, _("Hazard case %(code)s.") % {"code": result.tracking_code})
        else:
            messages.success(request, done)
        return HttpResponseRedirect(back)

    def back(self, request, alarm):
        target = request.POST.get("next") or ""
        if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            return target
        return reverse("iot:alarm", args=[alarm.pk])


# ---- devices ----


class DeviceListView(scoped.ScopedListView):
    model = Device
    template_name = "iot/device_list.html"
    context_object_name = "devices"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().select_related("place", "region").order_by("ident")
        params = self.request.GET
        if params.get("kind") in DeviceKind.values:
            qs = qs.filter(kind=params["kind"])
        if params.get("status") in DeviceStatus.values:
            qs = qs.filter(status=params["status"])
        if params.get("q"):
            q = params["q"][:60]
            qs = qs.filter(Q(ident__icontains=q) | Q(name__icontains=q) | Q(location__icontains=q))
        return qs

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs) | {
            "kinds": DeviceKind.choices,
            "statuses": DeviceStatus.choices,
            "filter_query": query.urlencode(),
        }


class DeviceDetailView(scoped.ScopedDetailView):
    model = Device
    template_name = "iot/device_detail.html"
    context_object_name = "device"

    def get_queryset(self):
        return super().get_queryset().select_related("place", "region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.object
        metrics = history.recent_metrics(device)
        form = HistoryForm(self.request.GET or None, metrics=metrics)
        metric, bucket = (metrics[0] if metrics else None), "1h"
        if form.is_bound and form.is_valid():
            metric, bucket = form.cleaned_data["metric"], form.cleaned_data["bucket"]
        buckets = history.downsample(device, metric, bucket)[-48:] if metric else []
        new_key = None
        stored = self.request.session.get(KEY_SESSION)
        if stored and stored.get("pk") == device.pk:
            new_key = self.request.session.pop(KEY_SESSION)["key"]  # shown once
        values = [(k, v) for k, v in (device.last_values or {}).items() if not k.startswith("_")]
        return context | {
            "values": sorted(values),
            "values_at": (device.last_values or {}).get("_ts"),
            "history_form": form,
            "metric": metric,
            "bucket": bucket,
            "buckets": list(reversed(buckets)),
            "alarms": device.alarms.order_by("-last_at")[:20],
            "new_key": new_key,
        }


class DeviceCreateView(scoped.ScopedCreateView):
    model = Device
    form_class = DeviceForm
    template_name = "iot/device_form.html"

    def form_valid(self, form):
        device = form.instance
        try:
            with transaction.atomic():
                key = actions.save_device(device)
                if not scoped.in_scope(self.request.user, device, "change"):
                    raise ValidationError(_("That would place the device outside your jurisdiction."))
        except ValidationError as exc:
            device.pk = None
            put_errors(form, exc)
            return self.form_invalid(form)
        self.request.session[KEY_SESSION] = {"pk": device.pk, "key": key}
        messages.success(self.request, _("Device registered. Copy its key now: it is shown only once."))
        return HttpResponseRedirect(reverse("iot:device", args=[device.pk]))


def put_errors(form, exc):
    """The service's errors onto the form's fields (the place goes where its code is typed)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    names = {"place": "place_code", "region": "place_code"}
    for key, errors in exc.message_dict.items():
        field = names.get(key, key)
        form.add_error(field if field in form.fields else None, errors)


class RotateKeyView(LoginRequiredMixin, View):
    def post(self, request, pk):
        device = get_object_or_404(Device.objects.restrict(request.user, "change"), pk=pk)
        key = actions.save_device(device, new_key=True)
        request.session[KEY_SESSION] = {"pk": device.pk, "key": key}
        messages.success(request, _("New key issued; the old one no longer works. Copy it now."))
        return HttpResponseRedirect(reverse("iot:device", args=[device.pk]))
