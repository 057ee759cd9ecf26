from django.urls import path

from firegrid.outreach.views import common, households, publicity, training, volunteers

app_name = "outreach"

urlpatterns = [
    path("outreach/", common.home, name="home"),
    path("outreach/export/<slug:name>.xlsx", common.export, name="export"),
    # training
    path("outreach/training/", training.SessionListView.as_view(), name="sessions"),
    path("outreach/training/new/", training.SessionCreateView.as_view(), name="session-new"),
    path("outreach/training/<int:pk>/", training.SessionDetailView.as_view(), name="session"),
    path("outreach/training/<int:pk>/edit/", training.SessionUpdateView.as_view(), name="session-edit"),
    path("outreach/training/<int:pk>/attend/", training.AttendanceAddView.as_view(), name="attend"),
    path(
        "outreach/attendance/<int:pk>/certificate/", training.CertificateIssueView.as_view(), name="certify"
    ),
    path("outreach/certificates/", training.CertificateListView.as_view(), name="certificates"),
    path("outreach/certificates/<int:pk>/revoke/", training.CertificateRevokeView.as_view(), name="revoke"),
    path("outreach/key-groups/", training.key_groups, name="key-groups"),
    path("outreach/learning/", training.LearningListView.as_view(), name="learning"),
    path("outreach/learning/import/", training.LearningImportView.as_view(), name="learning-import"),
    path("outreach/learning/template.xlsx", training.learning_template, name="learning-template"),
    # households and visits
    path("outreach/households/", households.HouseholdListView.as_view(), name="households"),
    path("outreach/households/new/", households.HouseholdCreateView.as_view(), name="household-new"),
    path("outreach/households/<int:pk>/", households.HouseholdDetailView.as_view(), name="household"),
    path(
        "outreach/households/<int:pk>/edit/", households.HouseholdUpdateView.as_view(), name="household-edit"
    ),
    path(
        "outreach/households/<int:pk>/history/",
        households.HouseholdHistoryView.as_view(),
        name="household-history",
    ),
    path("outreach/households/<int:pk>/devices/new/", households.DeviceAddView.as_view(), name="device-new"),
    path("outreach/visits/", households.VisitListView.as_view(), name="visits"),
    path("outreach/visits/new/", households.VisitCreateView.as_view(), name="visit-new"),
    path("outreach/visits/<int:pk>/", households.VisitDetailView.as_view(), name="visit"),
    # volunteers
    path("outreach/volunteers/", volunteers.VolunteerListView.as_view(), name="volunteers"),
    path("outreach/volunteers/new/", volunteers.VolunteerCreateView.as_view(), name="volunteer-new"),
    path("outreach/volunteers/<int:pk>/", volunteers.VolunteerDetailView.as_view(), name="volunteer"),
    path(
        "outreach/volunteers/<int:pk>/edit/", volunteers.VolunteerUpdateView.as_view(), name="volunteer-edit"
    ),
    path("outreach/activities/", volunteers.ActivityListView.as_view(), name="activities"),
    path("outreach/activities/new/", volunteers.ActivityCreateView.as_view(), name="activity-new"),
    path("outreach/activities/<int:pk>/", volunteers.ActivityDetailView.as_view(), name="activity"),
    path("outreach/activities/<int:pk>/hours/", volunteers.HoursAddView.as_view(), name="hours-add"),
    path("outreach/best-volunteers/", volunteers.SelectionListView.as_view(), name="selections"),
    path("outreach/best-volunteers/<int:pk>/", volunteers.SelectionDetailView.as_view(), name="selection"),
    # publicity and survey results
    path("outreach/publicity/", publicity.PublicityListView.as_view(), name="publicity"),
    path("outreach/publicity/new/", publicity.PublicityCreateView.as_view(), name="publicity-new"),
    path("outreach/publicity/sites/new/", publicity.SiteCreateView.as_view(), name="site-new"),
    path("outreach/survey/results/", publicity.survey_results, name="survey-results"),
]
