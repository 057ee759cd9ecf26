"""The public fire-literacy survey: anyone answers (no login), rate-limited; results by area."""

import pytest
from django.core.cache import cache

from firegrid.outreach import survey
from firegrid.outreach.models import SurveyResponse

RIGHT = {q.code: q.answer for q in survey.QUESTIONS}


def wrong(n):
    answers = dict(RIGHT)
    for q in survey.QUESTIONS[:n]:
        answers[q.code] = next(k for k, _label in q.options if k != q.answer)
    return answers


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_anyone_answers_and_bad_sheets_are_refused(world, client, settings):
    settings.PUBLIC_SURVEYS_PER_HOUR = 2
    assert client.get("/survey/").status_code == 200
    response = client.post("/survey/", {"region": world.community.pk} | wrong(2))
    assert response.status_code == 200 and b"6" in response.content
    response = client.post("/survey/", {"region": world.grid_a.pk} | RIGHT)  # a grid is not an area choice
    assert response.status_code == 400
    response = client.post("/survey/", {"region": world.street.pk} | {"call": "119"})
    assert response.status_code == 400
    assert SurveyResponse.objects.count() == 1
    response = client.post("/survey/", {"region": world.street2.pk} | RIGHT)
    assert response.status_code == 200
    response = client.post("/survey/", {"region": world.street2.pk} | RIGHT)
    assert response.status_code == 429
    assert SurveyResponse.objects.count() == 2
    stored = SurveyResponse.objects.get(region=world.community)
    assert stored.score == len(survey.QUESTIONS) - 2 and "REMOTE_ADDR" not in str(stored.answers)


def _answer(region, answers):
    score = sum(answers[q.code] == q.answer for q in survey.QUESTIONS)
    SurveyResponse.objects.create(
        region=region, version=survey.VERSION, answers=answers, score=score, max_score=len(survey.QUESTIONS)
    )


def test_results_by_area(world, client, api_client):
    w = world
    for _i in range(3):
        _answer(w.community, RIGHT)
    for _i in range(2):
        _answer(w.community2, wrong(4))
    _answer(w.street2, wrong(8))
    rows = {r.region.code: r for r in survey.results_by_area(SurveyResponse.objects.all())}
    assert rows["T501"].responses == 5 and rows["T501"].mean_pct == 80.0
    assert rows["T501"].correct_pct["call"] == 60.0 and rows["T501"].correct_pct["alarm"] == 100.0
    assert rows["T502"].mean_pct == 0.0
    # a street officer sees their street, by community
    api_client.force_authenticate(w.street_officer)
    data = api_client.get("/api/v1/outreach/survey-results/").json()
    assert [a["code"] for a in data["areas"]] == ["T501"] and data["total"] == 5
    data = api_client.get("/api/v1/outreach/survey-results/", {"street": "T501"}).json()
    assert {a["code"]: a["responses"] for a in data["areas"]} == {"T50101": 3, "T50102": 2}
    assert api_client.get("/api/v1/outreach/survey-results/", {"street": "T502"}).status_code == 400
    api_client.force_authenticate(w.police_officer)
    assert api_client.get("/api/v1/outreach/survey-results/").json()["total"] == 0
    client.force_login(w.district_admin)
    page = client.get("/outreach/survey/results/").content.decode()
    assert 'data-area="T501"' in page and 'data-area="T502"' in page
    # published: only areas with enough answers
    client.logout()
    page = client.get("/survey/results/").content.decode()
    assert 'data-area="T501"' in page and 'data-area="T502"' not in page
