"""The public fire-literacy survey (全民消防素质摸底调查, seed 000 §17): questions as data, the check of
an answer sheet, and results by area. Anonymous: an area, an optional age band, the answers."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firegrid.org.choices import RegionLevel
from firegrid.outreach.choices import AgeBand

VERSION = "2026.1"
# published results leave out areas with fewer answers than this (nobody is singled out)
PUBLIC_MIN_RESPONSES = 5


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    options: tuple
    answer: str


QUESTIONS = (
    Question(
        "call",
        gettext_lazy("Which number do you call to report a fire?"),
        (("110", "110"), ("119", "119"), ("120", "120"), ("12345", "12345")),
        "119",
    ),
    Question(
        "smoke",
        gettext_lazy("How do you get out through smoke?"),
        (
            ("run_upright", gettext_lazy("Run upright as fast as possible")),
            ("low_cover", gettext_lazy("Keep low, cover nose and mouth with a wet cloth")),
            ("lift", gettext_lazy("Take the lift")),
        ),
        "low_cover",
    ),
    Question(
        "oil_pan",
        gettext_lazy("Oil in a pan catches fire. What do you do?"),
        (
            ("water", gettext_lazy("Pour water on it")),
            ("lid", gettext_lazy("Turn off the heat and cover it with the lid")),
            ("carry", gettext_lazy("Carry the pan outside")),
        ),
        "lid",
    ),
    Question(
        "e_bike",
        gettext_lazy("Where may an e-bike battery be charged?"),
        (
            ("home", gettext_lazy("At home overnight")),
            ("stairwell", gettext_lazy("In the stairwell")),
            ("station", gettext_lazy("At a charging station outside the building")),
        ),
        "station",
    ),
    Question(
        "gas",
        gettext_lazy("You smell gas at home. What do you do first?"),
        (
            ("light", gettext_lazy("Switch on the light to look")),
            ("valve", gettext_lazy("Close the valve and open the windows, no switches or flames")),
            ("phone", gettext_lazy("Call from inside the kitchen")),
        ),
        "valve",
    ),
    Question(
        "extinguisher",
        gettext_lazy("Using a dry-powder extinguisher, you aim at…"),
        (
            ("flames", gettext_lazy("the top of the flames")),
            ("base", gettext_lazy("the base of the fire")),
            ("smoke", gettext_lazy("the smoke")),
        ),
        "base",
    ),
    Question(
        "exit",
        gettext_lazy("Evacuation routes and exits in a building may be…"),
        (
            ("locked", gettext_lazy("locked at night for security")),
            ("storage", gettext_lazy("used for storage if space is short")),
            ("clear", gettext_lazy("kept clear and unlocked at all times")),
        ),
        "clear",
    ),
    Question(
        "alarm",
        gettext_lazy("How often should a home smoke alarm be tested?"),
        (
            ("monthly", gettext_lazy("Every month")),
            ("never", gettext_lazy("Never, it tests itself")),
            ("ten_years", gettext_lazy("Every ten years")),
        ),
        "monthly",
    ),
)
QUESTION_BY_CODE = {q.code: q for q in QUESTIONS}


def check_answers(data):
    """(answers, score) from {code: key}; every question answered with one of its options."""
    errors = {}
    answers = {}
    for question in QUESTIONS:
        value = (data.get(question.code) or "").strip()
        if value not in {k for k, _label in question.options}:
            errors[question.code] = _("Choose an answer.")
        else:
            answers[question.code] = value
    if errors:
        raise ValidationError(errors)
    score = sum(answers[q.code] == q.answer for q in QUESTIONS)
    return answers, score


def check_area(region):
    if region is None or region.level not in (RegionLevel.STREET, RegionLevel.COMMUNITY):
        raise ValidationError({"region": _("Choose your street/town or community/village.")})


def check_age(age_band):
    if age_band and age_band not in AgeBand.values:
        raise ValidationError({"age_band": _("Choose an age band.")})


@dataclass
class AreaResult:
    region: object
    responses: int = 0
    mean_pct: float = 0.0
    correct_pct: dict = field(default_factory=dict)  # question code -> % answered correctly


def results_by_area(responses, *, level=RegionLevel.STREET, regions=None):
    """Responses grouped by the street (or community) they fall in: count, mean score, % correct
    per question. `responses` is a SurveyResponse queryset already restricted to the viewer."""
    from firegrid.org.models import Region

    depth = 2 if level == RegionLevel.STREET else 3
    areas = {r.path: r for r in (regions if regions is not None else Region.objects.filter(level=level))}
    results = {}
    rows = responses.values("region__path", "answers", "score", "max_score")
    for row in rows.iterator(chunk_size=2000):
        parts = [p for p in row["region__path"].split("/") if p]
        if len(parts) < depth:
            continue
        area = areas.get("/" + "/".join(parts[:depth]) + "/")
        if area is None:
            continue
        result = results.setdefault(area.path, AreaResult(area, correct_pct={q.code: 0 for q in QUESTIONS}))
        result.responses += 1
        result.mean_pct += 100.0 * row["score"] / (row["max_score"] or 1)
        for q in QUESTIONS:
            if (row["answers"] or {}).get(q.code) == q.answer:
                result.correct_pct[q.code] += 1
    for result in results.values():
        n = result.responses
        result.mean_pct = round(result.mean_pct / n, 1)
        result.correct_pct = {code: round(100.0 * c / n, 1) for code, c in result.correct_pct.items()}
    return sorted(results.values(), key=lambda r: r.region.path)


def overall(responses):
    agg = responses.aggregate(n=Count("id"), mean=Avg("score"))
    return agg["n"], (round(100.0 * agg["mean"] / len(QUESTIONS), 1) if agg["mean"] is not None else None)
