import datetime

import pytest

from firegrid.outreach.models import Household


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def make_household(grid, name, helper=None, **extra):
    household = Household(
        grid=grid,
        name=name,
        address=f"{name}家",
        phone="13900000000",
        elderly_alone=True,
        helper=helper,
        consent_by=name,
        consent_relation="self",
        consent_on=datetime.date.today() - datetime.timedelta(days=10),
        consent_scope=["register", "visits", "devices", "monitoring"],
        **extra,
    )
    household.full_clean()
    household.save()
    return household


@pytest.fixture
def homes(world):
    """A household in grid A (helped by grid worker A), one in grid B, one in the other street."""
    w = world
    w.home_a = make_household(w.grid_a, "王奶奶", helper=w.grid_worker_a)
    w.home_b = make_household(w.grid_b, "李爷爷", helper=w.grid_worker_b)
    w.home_s2 = make_household(w.grid_s2, "赵婆婆", helper=w.street2_officer)
    return w
