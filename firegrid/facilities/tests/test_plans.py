"""Annual construction plans with periodic evaluations, and one-town/one-village plans."""

import pytest
from django.core.exceptions import ValidationError

from firegrid.facilities import actions
from firegrid.facilities.models import AncientTownPolicy, ConstructionPlan
from firegrid.facilities.tests.conftest import make_facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return ConstructionPlan.objects.create(
        region=world.street, year=2026, title="年度建设计划", budget_wan=80
    )


def test_evaluations_set_the_progress_and_are_immutable(world, plan):
    actions.evaluate_plan(plan, actor=world.street_officer, progress_pct=30, summary="一季度")
    evaluation = actions.evaluate_plan(plan, actor=world.street_officer, progress_pct=55, summary="二季度")
    plan.refresh_from_db()
    assert plan.progress_pct == 55 and plan.last_evaluated_on is not None
    with pytest.raises(ValidationError):
        evaluation.save()
    with pytest.raises(ValidationError) as exc:
        actions.evaluate_plan(plan, actor=world.street_officer, progress_pct=120, summary="x")
    assert "progress_pct" in exc.value.message_dict


def test_a_plan_belongs_to_a_street(world):
    plan = ConstructionPlan(region=world.grid_a, year=2026, title="x")
    with pytest.raises(ValidationError):
        plan.full_clean()


def test_plan_pages_and_api(world, plan, client, api_client):
    make_facility("规划消火栓", "hydrant", 28.05, 106.05, status="planned", plan=plan)
    client.force_login(world.street_officer)
    page = client.get(f"/facilities/plans/{plan.pk}/").content.decode()
    assert "规划消火栓" in page
    response = client.post(
        f"/facilities/plans/{plan.pk}/evaluate/",
        {"evaluated_on": "2026-06-30", "progress_pct": 40, "summary": "半年评估"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.progress_pct == 40
    bad = client.post(
        f"/facilities/plans/{plan.pk}/evaluate/", {"evaluated_on": "2026-07-01", "progress_pct": 140}
    )
    assert bad.status_code == 400

    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        f"/api/v1/facilities/plans/{plan.pk}/evaluations/",
        {"progress_pct": 60, "summary": "三季度"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert api_client.get(f"/api/v1/facilities/plans/{plan.pk}/").json()["progress_pct"] == 60
    response = api_client.post(
        "/api/v1/facilities/plans/", {"region": "T502", "year": 2026, "title": "越界"}, format="json"
    )
    assert response.status_code == 400  # another street

    for persona, visible in (("street2_officer", False), ("grid_worker_a", False), ("district_admin", True)):
        api_client.force_authenticate(getattr(world, persona))
        assert (api_client.get(f"/api/v1/facilities/plans/{plan.pk}/").status_code == 200) is visible


def test_one_town_plans_only_for_ancient_towns(world, client):
    policy = AncientTownPolicy(region=world.street, year=2026, title="一镇一策", text="措施")
    with pytest.raises(ValidationError):
        policy.full_clean()
    world.street.is_ancient_town = True
    world.street.save()
    policy.full_clean()
    policy.save()
    client.force_login(world.street_officer)
    assert "一镇一策" in client.get("/facilities/policies/").content.decode()
    response = client.post(
        "/facilities/policies/new/",
        {
            "region": world.community2.pk,
            "year": 2026,
            "title": "石佛村一村一策",
            "status": "draft",
            "text": "措施",
        },
    )
    assert response.status_code == 302
    client.force_login(world.street2_officer)
    assert client.get(f"/facilities/policies/{policy.pk}/").status_code == 404
