"""The landing page of a signed-in user, and the public page of a fire manager."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from firegrid.org.models import FireManager, OrgUnit, Region, ResidentialArea, User


@login_required
def home(request):
    """The user's scope (roles and where they apply) and the way into each register."""
    user = request.user
    assignments = [a for a in user.role_assignments.select_related("region", "unit") if a.is_current()]
    counts = [
        (url_name, model._meta.verbose_name_plural, model.objects.restrict(user).count())
        for url_name, model in [("region-list", Region), ("unit-list", OrgUnit), ("staff-list", User),
                                ("area-list", ResidentialArea)]
    ]
    streets = Region.objects.restrict(user).streets()
    return render(request, "org/home.html", {
        "assignments": assignments,
        "counts": counts,
        "streets": streets[:20],
        "unit": user.org_unit,
    })


def portal_manager(request, token):
    """Public page behind the QR code of a display card: name, area and phone, nothing else."""
    manager = get_object_or_404(FireManager.objects.select_related("area"), public_token=token)
    return render(request, "org/portal_manager.html", {
        "name": manager.name,
        "area_name": manager.area.name,
        "phone": manager.phone,
    })
