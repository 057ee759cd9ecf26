from firegrid.org.models.areas import FireManager, ResidentialArea
from firegrid.org.models.people import Qualification, RoleAssignment, User
from firegrid.org.models.regions import Region
from firegrid.org.models.units import OrgMember, OrgUnit

__all__ = [
    "FireManager",
    "OrgMember",
    "OrgUnit",
    "Qualification",
    "Region",
    "ResidentialArea",
    "RoleAssignment",
    "User",
]
