from firegrid.tasks.models.duties import Duty, Responsibility
from firegrid.tasks.models.incidents import FireIncident, IncidentTarget
from firegrid.tasks.models.oversight import Supervision
from firegrid.tasks.models.reference import ScoreScheme, TaskCatalogue
from firegrid.tasks.models.tasks import Evidence, KeyTask, Milestone, ProgressReport, TaskReminder, TaskReview

__all__ = [
    "Duty",
    "Evidence",
    "FireIncident",
    "IncidentTarget",
    "KeyTask",
    "Milestone",
    "ProgressReport",
    "Responsibility",
    "ScoreScheme",
    "Supervision",
    "TaskCatalogue",
    "TaskReminder",
    "TaskReview",
]
