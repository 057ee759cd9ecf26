from django.urls import path

from firegrid.inspections.views import campaigns, draws, inspections, phone_form, plans

# Page URLs under their own namespace: the API router already uses names like "inspection-list".
app_name = "inspections"

urlpatterns = [
    # inspections
    path("inspections/", inspections.InspectionListView.as_view(), name="list"),
    path("inspections/new/", inspections.StartInspectionView.as_view(), name="new"),
    path("places/<int:place_pk>/inspect/", inspections.StartInspectionView.as_view(), name="start"),
    path("inspections/<int:pk>/", inspections.InspectionDetailView.as_view(), name="detail"),
    path("inspections/<int:pk>/photos/<int:answer_pk>/", inspections.InspectionPhotoView.as_view(),
         name="photo"),
    # the phone form
    path("inspections/<int:pk>/form/", phone_form.InspectionFormView.as_view(), name="form"),
    path("inspections/<int:pk>/form/answer/", phone_form.AnswerView.as_view(), name="answer"),
    path("inspections/<int:pk>/form/details/", phone_form.DetailsView.as_view(), name="details"),
    path("inspections/<int:pk>/form/submit/", phone_form.SubmitView.as_view(), name="submit"),
    # plans and coverage
    path("inspections/plans/", plans.PlanListView.as_view(), name="plans"),
    path("inspections/plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan"),
    path("inspections/coverage/", plans.CoverageView.as_view(), name="coverage"),
    # special campaigns
    path("inspections/campaigns/", campaigns.CampaignListView.as_view(), name="campaigns"),
    path("inspections/campaigns/new/", campaigns.CampaignCreateView.as_view(), name="campaign-new"),
    path("inspections/campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign"),
    # 双随机 draws
    path("inspections/draws/", draws.DrawListView.as_view(), name="draws"),
    path("inspections/draws/new/", draws.DrawCreateView.as_view(), name="draw-new"),
    path("inspections/draws/<int:pk>/", draws.DrawDetailView.as_view(), name="draw"),
    path("inspections/draws/<int:pk>/run/", draws.DrawActionView.as_view(action="run"), name="draw-run"),
    path("inspections/draws/<int:pk>/publish/", draws.DrawActionView.as_view(action="publish"),
         name="draw-publish"),
]
