from django.urls import path

from firegrid.outreach.views import publicity

# the public fire-literacy survey: no login
urlpatterns = [
    path("survey/", publicity.public_survey, name="portal-survey"),
    path("survey/results/", publicity.public_results, name="portal-survey-results"),
]
