"""Page forms of the IoT app: registering a device, the notes of alarm steps, the history picker."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from firegrid.iot.history import BUCKETS
from firegrid.iot.models import Device
from firegrid.places.models import Place


def normalise_code(value):
    return (value or "").upper().replace(" ", "").replace("-", "")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DeviceForm(forms.ModelForm):
    """A device bound to a place (by the code on its sign) or to a point; the rest follows from it."""

    place_code = forms.CharField(
        label=_("Place code"),
        required=False,
        max_length=20,
        help_text=_("The code on the place's sign; or leave it empty and give the location."),
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)

    class Meta:
        model = Device
        fields = ["ident", "name", "kind", "location", "heartbeat_seconds", "installed_on"]
        widgets = {"installed_on": DateInput()}
        help_texts = {
            "ident": _("As configured on the device or gateway: letters, digits, - and _."),
            "heartbeat_seconds": _("0: the usual interval for this kind of device."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["heartbeat_seconds"].required = False
        self.fields["place_code"].widget.attrs.update({"autocapitalize": "characters", "autocomplete": "off"})
        for name in ("lat", "lng"):
            self.fields[name].widget.attrs.update({"step": "any", "inputmode": "decimal"})
        if self.instance.pk and self.instance.place_id:
            self.initial.setdefault("place_code", self.instance.place.code)

    def clean_place_code(self):
        code = normalise_code(self.cleaned_data.get("place_code"))
        if not code:
            return None
        place = Place.objects.restrict(self.user).filter(code=code).first()
        if place is None:
            raise ValidationError(_("No place with this code in your jurisdiction."))
        return place

    def clean_heartbeat_seconds(self):
        return self.cleaned_data.get("heartbeat_seconds") or 0

    def clean(self):
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        elif data.get("place_code") is None and lat is None and "place_code" not in self.errors:
            self.add_error("place_code", _("Give the place code or the location."))
        return data

    def _post_clean(self):
        # save_device derives the grid and checks the whole device; the form checks its own fields only
        self.instance.place = self.cleaned_data.get("place_code")
        self.instance.lat = self.cleaned_data.get("lat")
        self.instance.lng = self.cleaned_data.get("lng")
        forms.models.construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        try:
            self.instance.validate_unique()
        except ValidationError as exc:
            self._update_errors(exc)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClearForm(forms.Form):
    note = forms.CharField(
        label=_("What was found on site"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class HistoryForm(forms.Form):
    metric = forms.ChoiceField(label=_("Value"), choices=())
    bucket = forms.ChoiceField(
        label=_("Per"),
        choices=[("5m", _("5 minutes")), ("1h", _("hour")), ("1d", _("day"))],
        initial="1h",
        required=False,
    )

    def __init__(self, *args, metrics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(m, m) for m in metrics]

    def clean_bucket(self):
        return self.cleaned_data.get("bucket") if self.cleaned_data.get("bucket") in BUCKETS else "1h"
