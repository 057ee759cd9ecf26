"""Fire incidents against targets ("high-rise fires and deaths down 5% year on year"), and the fire
history the annual assessment reads."""

import datetime
from decimal import Decimal

from django.utils import timezone

from firegrid.dashboard.assessment import assess, fire_records
from firegrid.places.models import Place
from firegrid.tasks import actions, incidents
from firegrid.tasks.models import FireIncident, IncidentTarget


def fire(world, year, month, *, place=None, deaths=0, high_rise=True, **extra):
    incident = FireIncident(
        occurred_at=timezone.make_aware(datetime.datetime(year, month, 10, 20)),
        place=place or world.mall_a,
        cause="electrical",
        deaths=deaths,
        loss_yuan=Decimal("12000.50"),
        high_rise=high_rise,
        **extra,
    )
    return actions.save_incident(incident, actor=world.district_admin)


def test_high_rise_fires_and_deaths_down_5_percent_against_actuals(world, client):
    w = world
    year = timezone.localdate().year
    last = year - 1
    for month, deaths in ((2, 1), (4, 0), (6, 1), (8, 0)):
        fire(w, last, month, deaths=deaths)
    fire(w, last, 9, high_rise=False, deaths=3, place=w.shop_a)  # not high-rise: not in the target
    fire(w, year, 1, deaths=1)
    fire(w, year, 1, high_rise=False, place=w.shop_s2)
    fires = IncidentTarget.objects.create(
        region=w.district,
        year=year,
        metric="high_rise_fires",
        change_pct=Decimal("-5"),
        title="高层建筑火灾起数同比下降5%",
    )
    deaths = IncidentTarget.objects.create(
        region=w.district, year=year, metric="high_rise_deaths", change_pct=Decimal("-5")
    )
    p = incidents.progress(fires)
    assert (p.baseline, p.limit, p.actual) == (Decimal(4), Decimal("3.80"), Decimal(1))
    assert p.met and p.status == "on_track" and p.change_pct == Decimal("-75.0")
    p = incidents.progress(deaths)
    assert (p.baseline, p.limit, p.actual, p.met) == (Decimal(2), Decimal("1.90"), Decimal(1), True)
    # a fixed baseline replaces last year's actual; a year that ended above its limit is missed
    old = IncidentTarget.objects.create(
        region=w.district, year=last, metric="high_rise_deaths", change_pct=Decimal("-5"), baseline=Decimal(1)
    )
    p = incidents.progress(old)
    assert (p.baseline, p.limit, p.actual, p.met, p.status) == (
        Decimal(1),
        Decimal("0.95"),
        Decimal(2),
        False,
        "missed",
    )
    # a street's target counts the street's fires only
    street = IncidentTarget.objects.create(
        region=w.street2, year=year, metric="fires", change_pct=Decimal("-5")
    )
    assert incidents.progress(street).actual == Decimal(1)
    client.force_login(w.district_admin)
    page = client.get(f"/tasks/incidents/?year={year}").content.decode()
    assert "高层建筑火灾起数同比下降5%" in page and "3.8" in page and "On track so far" in page


def test_a_fire_at_a_place_takes_its_grid_sector_and_high_rise_flag(world, api_client):
    w = world
    Place.objects.filter(pk=w.school_a.pk).update(flags="|high_rise|")
    api_client.force_authenticate(w.street_officer)
    response = api_client.post(
        "/api/v1/tasks/incidents/",
        {
            "occurred_at": "2026-01-05T10:00:00+08:00",
            "place": w.school_a.pk,
            "cause": "e_bike",
            "injuries": 2,
            "loss_yuan": "8000",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    incident = FireIncident.objects.get()
    assert incident.region == w.grid_a and incident.sector == "education" and incident.high_rise
    assert incident.recorded_by == w.street_officer
    # by coordinates alone, the grid is found
    response = api_client.post(
        "/api/v1/tasks/incidents/",
        {"occurred_at": "2026-01-06T10:00:00+08:00", "lat": 28.05, "lng": 106.15, "cause": "cooking"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["region"] == w.grid_b.code


def test_the_annual_assessment_shows_the_fire_history(world, client):
    w = world
    year = timezone.localdate().year
    fire(w, year, 1, deaths=1)
    fire(w, year, 1, place=w.shop_s2)
    available, rows = fire_records(w.street_officer, w.street, year)
    assert available and len(rows) == 1
    assert rows[0]["place"] == w.mall_a.name and rows[0]["deaths"] == 1 and rows[0]["loss_yuan"] == 12000.5
    report = assess(w.district_admin, w.district, year)
    assert report["fires"]["available"] and len(report["fires"]["rows"]) == 2
    client.force_login(w.street_officer)
    for kind in ("pdf", "xlsx"):
        response = client.get(f"/reports/assessment/{year}.{kind}")
        assert response.status_code == 200, kind


def test_the_page_form_records_a_fire_by_place_code(world, client):
    w = world
    client.force_login(w.street_officer)
    form = {
        "occurred_at": "2026-01-05T10:00",
        "cause": "electrical",
        "deaths": "0",
        "injuries": "1",
        "loss_yuan": "3000",
    }
    response = client.post("/tasks/incidents/new/", form | {"place_code": w.shop_s2.code})
    assert response.status_code == 200 and "No place with code" in response.content.decode()
    assert not FireIncident.objects.exists()
    response = client.post("/tasks/incidents/new/", form | {"place_code": w.shop_a.code.lower()})
    assert response.status_code == 302
    incident = FireIncident.objects.get()
    assert incident.place == w.shop_a and incident.region == w.grid_a and incident.injuries == 1
    assert client.get(f"/tasks/incidents/{incident.pk}/edit/").status_code == 200
