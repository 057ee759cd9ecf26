import datetime
import json
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError

from firegrid.core.roles import Role
from firegrid.inspections import actions, drawing
from firegrid.inspections.draw_actions import announce_draw, publish_draw, run_draw
from firegrid.inspections.models import ChecklistVersion
from firegrid.inspections.tests.test_inspection_flow import GENERAL
from firegrid.org.models import RoleAssignment
from firegrid.org.testing import make_place, make_user


@pytest.fixture
def pool(world):
    """Six qualified inspectors of 古南街道 and a dozen places in grid A."""
    inspectors = [
        make_user(
            f"inspector{i}", org_unit=world.station, roles=[(Role.INSPECTOR, world.street)], qualified=True
        )
        for i in range(6)
    ]
    places = [make_place(f"店铺{i}", "shop", 28.01 + i * 0.005, 106.01, building_area=50) for i in range(12)]
    return inspectors, places


def announce(world, **params):
    return announce_draw(
        title="2026年第4季度双随机抽查",
        region=world.street,
        actor=world.street_officer,
        params={"filters": {"kind": ["shop"]}, **params},
    )


def test_draw_is_reproducible_by_the_standalone_script(world, pool, tmp_path):
    draw = run_draw(announce(world, sample_size=5), actor=world.street_officer)
    assert draw.assignments.count() == 5
    for assignment in draw.assignments.all():
        assert assignment.inspectors.count() == 2
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(draw.record, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, drawing.__file__, str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "MATCH" in done.stdout, done.stdout + done.stderr


def test_the_seed_is_fixed_before_the_draw_and_parameters_cannot_change(world, pool):
    draw = announce(world, sample_size=3)
    assert draw.seed and draw.status == "announced" and not draw.record
    with pytest.raises(ValidationError) as excinfo:
        run_draw(draw, actor=world.street_officer, params={"filters": {"kind": ["shop"]}, "sample_size": 4})
    assert "params" in excinfo.value.message_dict
    run_draw(draw, actor=world.street_officer, params={"filters": {"kind": ["shop"]}, "sample_size": 3})
    with pytest.raises(ValidationError):
        run_draw(draw, actor=world.street_officer)
    with pytest.raises(ValidationError) as excinfo:
        announce_draw(
            title="again",
            region=world.street,
            actor=world.street_officer,
            seed=draw.seed,
            params={"filters": {}, "sample_size": 1},
        )
    assert "seed" in excinfo.value.message_dict


def test_a_draw_larger_than_its_pool_is_an_error(world, pool):
    with pytest.raises(ValidationError) as excinfo:
        run_draw(announce(world, sample_size=500), actor=world.street_officer)
    assert "sample_size" in excinfo.value.message_dict


def test_avoidance_rules(world, pool):
    inspectors, places = pool
    own_grid_worker = inspectors[0]
    RoleAssignment.objects.create(user=own_grid_worker, role=Role.GRID_WORKER, region=world.grid_a)
    owner = inspectors[1]
    places[0].owners.add(owner)
    ChecklistVersion.objects.create(
        code="t-general", version="1", effective_from="2020-01-01", document=GENERAL
    )
    last = actions.start_inspection(places[1], "supervisory", [inspectors[2]], actor=world.street_officer)
    actions.submit_inspection(last, actor=inspectors[2])
    draw = run_draw(announce(world, ratio=1.0), actor=world.street_officer)
    teams = {a.place_id: set(a.inspectors.values_list("pk", flat=True)) for a in draw.assignments.all()}
    for place in places:
        if place.pk in teams:
            assert own_grid_worker.pk not in teams[place.pk]  # never the place's own grid worker
    assert owner.pk not in teams[places[0].pk]
    assert inspectors[2].pk not in teams[places[1].pk]  # not the inspector of its last inspection


def test_bad_parameters_name_the_field(world, pool):
    with pytest.raises(ValidationError) as excinfo:
        announce(world, sample_size=0)
    assert "sample_size" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        announce_draw(
            title="x",
            region=world.street,
            actor=world.street_officer,
            params={"filters": {"risk_level": ["purple"]}, "sample_size": 1},
        )
    assert "filters" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        announce_draw(title="x", region=world.street2, actor=world.street_officer, params={"sample_size": 1})
    assert "region" in excinfo.value.message_dict


def test_publishing_and_linking_the_inspection(world, pool):
    draw = run_draw(announce(world, sample_size=1), actor=world.street_officer)
    assignment = draw.assignments.get()
    team = list(assignment.inspectors.all())
    ChecklistVersion.objects.create(
        code="t-general", version="1", effective_from="2020-01-01", document=GENERAL
    )
    inspection = actions.start_inspection(assignment.place, "supervisory", team, actor=world.street_officer)
    actions.submit_inspection(inspection, actor=team[0])
    assignment.refresh_from_db()
    assert assignment.inspection == inspection
    assert draw.publish_by > draw.drawn_at.date()
    assert publish_draw(draw, actor=world.street_officer).status == "published"


def test_results_are_published_by_the_deadline(world, pool):
    from django.core.management import call_command

    from firegrid.inspections.draw_actions import publish_due_draws

    draw = run_draw(announce(world, sample_size=1), actor=world.street_officer)
    assert publish_due_draws(on=draw.publish_by - datetime.timedelta(days=1)) == []
    assert [d.pk for d in publish_due_draws(on=draw.publish_by)] == [draw.pk]
    draw.refresh_from_db()
    assert draw.status == "published" and draw.published_at is not None
    call_command("publish_due_draws")  # nothing left to publish; runs cleanly
