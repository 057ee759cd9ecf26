"""The public report form: what anyone may send, checked here for shape; `reports.report` checks the rest."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from firegrid.hazards.models import HazardCategory
from firegrid.hazards.reports import MAX_DESCRIPTION
from firegrid.places.models import CODE_ALPHABET, Place

PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,24}$")
HONEYPOT = "website"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Any number of files (the count, size and content are checked by `hazards.uploads`)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


def public_categories(place=None):
    """Active categories offered to the public; those suggested for the place's kind first."""
    categories = list(HazardCategory.objects.filter(is_active=True, public=True))
    if place is not None:
        categories.sort(key=lambda c: place.kind not in (c.place_kinds or []))  # stable: keeps `order`
    return categories


def place_for_code(code):
    """The place with this (public) code, or None."""
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    if not code or len(code) > 16 or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return Place.objects.select_related("region").filter(code=code).first()


class PublicReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What kind of hazard?"), widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("What did you see?"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Where exactly, what is wrong, since when. This description is published on the tracking page."
        ),
        error_messages={"required": _("Describe the hazard.")},
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),  # camera or gallery (a geotagged photo)
    )
    place = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    anonymous = forms.BooleanField(label=_("Report anonymously"), required=False)
    reporter_name = forms.CharField(
        label=_("Your name"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    reporter_phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    reporter_email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    # a field people never see: bots that fill every input give themselves away
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, place=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.place_obj = place
        self.categories = public_categories(place)
        self.suggested = {
            c.code for c in self.categories if place is not None and place.kind in (c.place_kinds or [])
        }
        self.fields["category"].choices = [(c.code, c.name) for c in self.categories]
        self.fields["category"].error_messages["invalid_choice"] = _("Choose a hazard category.")
        self.fields["category"].error_messages["required"] = _("Choose a hazard category.")
        if place is not None:
            self.fields["place"].initial = place.code
            for name in ("lat", "lng", "address"):
                self.fields[name].widget = forms.HiddenInput()

    def category_options(self):
        """(category, checked, suggested) for the radio list, with each category's description."""
        current = self["category"].value()
        return [(c, c.code == current, c.code in self.suggested) for c in self.categories]

    @property
    def is_bot(self):
        return bool((self.data.get(HONEYPOT) or "").strip())

    def clean_category(self):
        code = self.cleaned_data["category"]
        return next(c for c in self.categories if c.code == code)

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise forms.ValidationError(_("Describe the hazard."))
        return description

    def clean_reporter_phone(self):
        phone = self.cleaned_data["reporter_phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(_("Enter a phone number (digits only)."))
        return phone

    def clean(self):
        data = super().clean()
        lat, lng = data.get("lat"), data.get("lng")
        if self.place_obj is None and (lat is None) != (lng is None) and "lat" not in self.errors:
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        contact = any(data.get(name) for name in ("reporter_name", "reporter_phone", "reporter_email"))
        if data.get("anonymous") or not contact:
            data["anonymous"] = True
            data["reporter_name"] = data["reporter_phone"] = data["reporter_email"] = ""
        return data

    def report_kwargs(self):
        """Keyword arguments for `reports.report` from the cleaned data."""
        data = self.cleaned_data
        kwargs = {
            "description": data["description"],
            "category": data["category"],
            "photos": data.get("photos") or [],
            "anonymous": data["anonymous"],
            "reporter_name": data["reporter_name"].strip(),
            "reporter_phone": data["reporter_phone"],
            "reporter_email": data["reporter_email"],
        }
        if self.place_obj is not None:
            kwargs["place"] = self.place_obj
        else:
            kwargs.update(lat=data.get("lat"), lng=data.get("lng"), address=data.get("address", "").strip())
        return kwargs

    def location_errors(self):
        return [*self.errors.get("lat", []), *self.errors.get("lng", [])]


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return clean_tracking_code(self.cleaned_data["code"])


def clean_tracking_code(code):
    return (code or "").strip().upper().replace(" ", "").replace("-", "")
