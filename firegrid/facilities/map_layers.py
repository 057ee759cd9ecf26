"""The facilities' layers on the command view's map (firegrid.dashboard.map_layers).

The dashboard registers a "facilities" layer against `facility-geojson`; it is registered again
here with the status colours and labels this app knows, plus the water-coverage gaps layer.
"""

from django.utils.translation import gettext_lazy as _

from firegrid.facilities.choices import MAP_COLOURS, FacilityKind, FacilityStatus

try:
    from firegrid.dashboard.map_layers import Layer, register
except ImportError:  # the dashboard's registry is not there: the GeoJSON endpoints still are
    Layer = register = None


def _choices(choices):
    return dict(choices.choices)


if register is not None:
    register(
        Layer(
            "facilities",
            _("Public fire facilities"),
            "facility-geojson",
            style={"colour_by": "status", "colours": dict(MAP_COLOURS), "fallback": "#0277bd", "radius": 6},
            popup=(
                ("code", _("Code")),
                ("kind", _("Kind")),
                ("status", _("Status")),
                ("last_checked_on", _("Last checked")),
            ),
            value_labels={"kind": _choices(FacilityKind), "status": _choices(FacilityStatus)},
            default_on=False,
        )
    )
    register(
        Layer(
            "water_gaps",
            _("Places without a working water source nearby"),
            "facility-coverage-geojson",
            style={"colour_by": "kind", "colours": {"place": "#d84315"}, "fallback": "#d84315", "radius": 5},
            popup=(("code", _("Code")), ("grid", _("Grid"))),
            params={"what": "places"},
            default_on=False,
        )
    )
