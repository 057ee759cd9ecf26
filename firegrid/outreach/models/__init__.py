from firegrid.outreach.models.households import HomeDevice, HomeVisit, Household
from firegrid.outreach.models.publicity import PublicityActivity, PublicitySite, SurveyResponse
from firegrid.outreach.models.training import Attendance, Certificate, LearningRecord, TrainingSession
from firegrid.outreach.models.volunteers import (
    BestVolunteerSelection,
    SelectionEntry,
    Volunteer,
    VolunteerActivity,
    VolunteerHours,
)

__all__ = [
    "Attendance",
    "BestVolunteerSelection",
    "Certificate",
    "HomeDevice",
    "HomeVisit",
    "Household",
    "LearningRecord",
    "PublicityActivity",
    "PublicitySite",
    "SelectionEntry",
    "SurveyResponse",
    "TrainingSession",
    "Volunteer",
    "VolunteerActivity",
    "VolunteerHours",
]
