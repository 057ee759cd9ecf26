import datetime

import pytest
from django.core.exceptions import ValidationError

from firegrid.inspections import actions
from firegrid.inspections.campaign_actions import launch_campaign, progress
from firegrid.inspections.models import Campaign, ChecklistVersion
from firegrid.inspections.tests.test_inspection_flow import GENERAL, MALL

TODAY = datetime.date.today()


@pytest.fixture
def lists(world):
    ChecklistVersion.objects.create(
        code="t-general", version="1", effective_from="2020-01-01", document=GENERAL
    )
    ChecklistVersion.objects.create(code="t-mall", version="1", effective_from="2020-01-01", document=MALL)


def launch(world, **overrides):
    params = {
        "name": "商场市场除险清患",
        "kind": "high_rise",
        "region": world.district,
        "filters": {"kind": ["mall_market", "shop"]},
        "checklists": ["t-mall"],
        "starts_on": TODAY,
        "deadline": TODAY + datetime.timedelta(days=30),
        "actor": world.district_admin,
    } | overrides
    return launch_campaign(**params)


def test_campaign_targets_checklists_and_progress_per_street(world, lists):
    campaign = launch(world)
    assert set(campaign.targets.values_list("place_id", flat=True)) == {
        world.shop_a.pk,
        world.mall_a.pk,
        world.shop_s2.pk,
    }
    inspection = actions.start_inspection(
        world.shop_a, "campaign", [world.street_officer], actor=world.street_officer, campaign=campaign
    )
    assert set(inspection.checklists.values_list("code", flat=True)) == {"general", "t-general", "t-mall"}
    actions.submit_inspection(inspection, actor=world.street_officer)
    rows = {r["street"]: r for r in progress(campaign)}
    assert (rows[world.street.code]["places"], rows[world.street.code]["inspected"]) == (2, 1)
    assert rows[world.street2.code]["inspected"] == 0 and not rows[world.street2.code]["late"]
    late = progress(campaign, on=TODAY + datetime.timedelta(days=31))
    assert all(r["late"] for r in late)


def test_campaign_rules(world, lists):
    campaign = launch(world)
    with pytest.raises(ValidationError) as excinfo:
        actions.start_inspection(
            world.school_a, "campaign", [world.street_officer], actor=world.street_officer, campaign=campaign
        )
    assert "campaign" in excinfo.value.message_dict  # not a target
    with pytest.raises(ValidationError):
        actions.start_inspection(world.shop_a, "campaign", [world.street_officer], actor=world.street_officer)
    with pytest.raises(ValidationError) as excinfo:
        launch(world, checklists=["nope"])
    assert "checklists" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        launch(world, deadline=TODAY - datetime.timedelta(days=1))
    assert "deadline" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        launch(world, actor=world.street_officer)  # the district is not theirs
    assert "region" in excinfo.value.message_dict


def test_campaigns_are_scoped(world, lists):
    street_campaign = launch(world, region=world.street, actor=world.street_officer)
    assert Campaign.objects.restrict(world.street_officer).filter(pk=street_campaign.pk).exists()
    assert not Campaign.objects.restrict(world.street2_officer).filter(pk=street_campaign.pk).exists()
    assert (
        Campaign.objects.restrict(world.grid_worker_a).filter(pk=street_campaign.pk).exists()
    )  # targets in A
    assert not Campaign.objects.restrict(world.grid_worker_b).filter(pk=street_campaign.pk).exists()
