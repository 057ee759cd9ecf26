"""Who may see a reporter's identity ("吹哨人" protection): the street and district staff who
handle reports and may need to call back. Grid workers, police, departments and above all the
unit owner of the place never see it; the public timeline never shows it."""

from firegrid.core.roles import Role
from firegrid.core.scoping import user_scope

REPORTER_VISIBLE_ROLES = frozenset({Role.STREET_OFFICER, Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER})
REPORTER_FIELDS = ("reporter", "reporter_name", "reporter_phone", "reporter_email")


def may_see_reporter(user, case=None):
    """Whether `user` may see who reported; `case` must already be in the user's scope."""
    scope = user_scope(user)
    if scope.superuser:
        return True
    if case is None:
        return bool(scope.roles & REPORTER_VISIBLE_ROLES)
    from firegrid.hazards.actions import acting_roles

    return bool(acting_roles(case, user) & REPORTER_VISIBLE_ROLES)
