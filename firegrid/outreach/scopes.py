"""Who sees and changes what in outreach.

Training, volunteers and publicity are organisational records: seen by the staff of the region they
belong to (its subtree) and the district-wide roles; written by the district admin, the detachment
(the fire rescue agency trains), street officers and community fire groups. Police stations and
inspectors get no outreach scope from their area grants (their grants match no row); department
staff and unit owners see only what names them (a training they attended, their certificate).

Vulnerable households are personal data and follow a narrower rule (CARE_SCOPE): a household, its
visits and its devices are seen only by the people who care for it —
  * its one-to-one helper (wherever they work),
  * the grid workers of its grid, the community fire group of its community and the street officer
    of its street (region grants whose subtree holds the household's grid).
Nobody else: not the district admin or the detachment (they get counts per street, never names),
not police stations, industry departments, inspectors or unit owners. A Django superuser (the
back office) is the only exception, as everywhere in firegrid.
"""

from django.db.models import Q

from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import ScopeRules

NOTHING = Q(pk__in=[])
OUTREACH_WRITERS = frozenset(
    {Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER, Role.STREET_OFFICER, Role.COMMUNITY_MEMBER}
)
# area grants of these roles reach no outreach row
NO_AREA_SCOPE = {Role.POLICE_OFFICER: NOTHING, Role.INSPECTOR: NOTHING}
CARE_ROLES = frozenset({Role.STREET_OFFICER, Role.COMMUNITY_MEMBER, Role.GRID_WORKER})
NOT_CARERS = {role: NOTHING for role in Role if role not in CARE_ROLES}


def org_scope(region, owner=None, write_roles=OUTREACH_WRITERS):
    return ScopeRules(
        region=region,
        owner=owner,
        write_roles=frozenset(write_roles),
        district_wide_view=frozenset(DISTRICT_WIDE),
        role_filters=NO_AREA_SCOPE,
    )


def care_scope(grid, helper):
    return ScopeRules(
        region=grid,
        owner=helper,
        write_roles=CARE_ROLES,
        district_wide_view=frozenset(),
        role_filters=NOT_CARERS,
    )
