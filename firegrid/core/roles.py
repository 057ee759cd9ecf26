"""The roles of MISSION.md, and what each may see and change."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District admin (fire safety committee office)")
    DETACHMENT_OFFICER = "detachment_officer", _("Fire rescue detachment officer")
    STREET_OFFICER = "street_officer", _("Street/town fire officer")
    COMMUNITY_MEMBER = "community_member", _("Community/village fire group member")
    GRID_WORKER = "grid_worker", _("Grid worker")
    POLICE_OFFICER = "police_officer", _("Police station fire officer")
    DEPT_STAFF = "dept_staff", _("Industry department staff")
    UNIT_OWNER = "unit_owner", _("Unit owner/manager")
    INSPECTOR = "inspector", _("Enforcement inspector")


# The region level each role is anchored to; None means the role is anchored to an org unit.
ROLE_REGION_LEVEL = {
    Role.DISTRICT_ADMIN: "district",
    Role.DETACHMENT_OFFICER: "district",
    Role.STREET_OFFICER: "street",
    Role.COMMUNITY_MEMBER: "community",
    Role.GRID_WORKER: "grid",
    Role.INSPECTOR: None,  # any level: the region they may inspect in
}
ROLE_UNIT_KIND = {
    Role.POLICE_OFFICER: "police_station",
    Role.DEPT_STAFF: "department",
}
DISTRICT_WIDE = {Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER}
# Who may change organisation data (regions, units, staff) inside their scope.
ORG_WRITERS = frozenset({Role.DISTRICT_ADMIN, Role.STREET_OFFICER})
