"""Staff of the demo district: users with qualifications and role assignments, unit members.

Bulk-inserted, so this keeps by hand to what RoleAssignment.validate() enforces: each role at the
region level it needs, inside the holder's street, and inspectors only with a valid qualification.
"""

import datetime

from firegrid.core.roles import Role
from firegrid.org.choices import Position, QualificationKind, RegionKind, TeamType
from firegrid.org.demo import names as N
from firegrid.org.demo.personas import PERSONA_STREET_CODE
from firegrid.org.models import OrgMember, Qualification, RoleAssignment, User

ISSUER = "綦江区消防安全委员会办公室"


class StaffMixin:
    """Needs from the builder: rng, names, today, password, days_ago() and insert()."""

    def member(self, unit, position, title="", user=None, full_time=False):
        return OrgMember(
            unit=unit,
            user=user,
            name=user.full_name if user else self.names.person(),
            position=position,
            title=title,
            phone=user.phone if user else self.names.phone(),
            full_time=full_time,
            since=self.days_ago(60, 1800),
        )

    def user(self, username, org_unit):
        return User(
            username=username,
            password=self.password,
            full_name=self.names.person(),
            phone=self.names.phone(),
            org_unit=org_unit,
        )

    def qualification(self, user, kind, expired=False):
        passed = self.days_ago(1300, 1700) if expired else self.days_ago(90, 900)
        hours = self.rng.choice([24, 32, 40, 56, 72])
        prefix = "QJXF" if kind == QualificationKind.ENFORCEMENT else "QJPX"
        record = (
            "消防法律法规、火灾隐患判定、执法程序与文书"
            if kind == QualificationKind.ENFORCEMENT
            else "消防安全常识、初起火灾扑救、疏散逃生与宣传"
        )
        return Qualification(
            user=user,
            kind=kind,
            certificate_no=f"{prefix}-{passed.year}-{self.rng.randrange(10**5):05d}",
            training_record=f"{record}（{hours}学时）",
            training_hours=hours,
            passed_on=passed,
            expires_on=passed + datetime.timedelta(days=3 * 365),
            issued_by=ISSUER,
        )

    def assignment(self, user, role, region, starts_on=None):
        return RoleAssignment(
            user=user, role=role, region=region, starts_on=starts_on or self.days_ago(30, 900)
        )

    # -- the build -------------------------------------------------------------------------------

    def build_staff(self, street, communities, grids_of, units):
        """Users (officers, group staff, grid workers) with qualifications and role assignments,
        and the members of the street's units."""
        rng, name = self.rng, street.name
        station, groups = units["station"], units["groups"]
        officers = 3 if name in N.THREE_OFFICERS else 1 if name in N.ONE_OFFICER_TOWNS else 2
        # In the personas' street, street_officer is the last officer, community_member the second
        # group staff of the first community and grid_worker_a/b the workers of its first two grids.
        persona_community, persona_grids = None, ()
        if street.code == PERSONA_STREET_CODE:
            officers -= 1
            persona_community = communities[0].code
            persona_grids = {grid.code for grid in grids_of[persona_community][:2]}
        officer_users = [self.user(f"officer_{street.code}_{i}", station) for i in range(1, officers + 1)]
        group_users = {}  # community code → users
        for community in communities:
            group = groups.get(community.code)
            if group is None or (name in N.EMPTY_GROUP_STREETS and community is communities[-1]):
                continue
            count = 1 if community.code == persona_community else rng.randint(1, 2)
            group_users[community.code] = [
                self.user(f"group_{community.code}_{i}", group) for i in range(1, count + 1)
            ]
        grid_users = []
        for community in communities:
            employer = groups.get(community.code, station)
            grid_users.extend(
                (grid, self.user(f"grid_{grid.code}", employer))
                for grid in grids_of[community.code]
                if grid.code not in persona_grids
            )
        self.insert(
            [
                *officer_users,
                *(u for users in group_users.values() for u in users),
                *(u for _grid, u in grid_users),
            ]
        )

        quals, roles = [], []
        for i, user in enumerate(officer_users, start=1):
            qual = self.qualification(
                user, QualificationKind.ENFORCEMENT, expired=N.EXPIRED_OFFICER.get(name) == i
            )
            quals.append(qual)
            roles.append(self.assignment(user, Role.STREET_OFFICER, street))
            if qual.expires_on >= self.today:
                roles.append(
                    self.assignment(user, Role.INSPECTOR, street, qual.passed_on + datetime.timedelta(days=1))
                )
        community_by_code = {c.code: c for c in communities}
        for code, users in group_users.items():
            for user in users:
                roles.append(self.assignment(user, Role.COMMUNITY_MEMBER, community_by_code[code]))
                if rng.random() < 0.6:
                    quals.append(
                        self.qualification(user, QualificationKind.TRAINING, expired=rng.random() < 0.1)
                    )
        for grid, user in grid_users:
            roles.append(self.assignment(user, Role.GRID_WORKER, grid))
            if rng.random() < 0.4:
                quals.append(self.qualification(user, QualificationKind.TRAINING))
        self.insert(quals)
        self.insert(roles)

        town = street.kind == RegionKind.TOWN
        members = [
            self.member(units["committee"], Position.DIRECTOR, "党委书记" if town else "党工委书记"),
            *[
                self.member(units["committee"], Position.DEPUTY, title)
                for title in (["镇长", "副镇长"] if town else ["办事处主任", "副主任"])[: rng.randint(1, 2)]
            ],
            *[
                self.member(units["committee"], Position.MEMBER, title)
                for title in rng.sample(N.COMMITTEE_MEMBER_TITLES, rng.randint(3, 5))
            ],
            *[
                self.member(station, Position.OFFICER, "消防专管员", user=user, full_time=True)
                for user in officer_users
            ],
        ]
        team = units.get("team")
        if team is not None:
            full_time = team.team_type == TeamType.FULL_TIME
            members.append(self.member(team, Position.LEADER, "队长", full_time=full_time))
            members.extend(
                self.member(team, Position.FIREFIGHTER, "队员", full_time=full_time)
                for _ in range(rng.randint(8, 15) if full_time else rng.randint(10, 20))
            )
        for code, group in groups.items():
            if code not in group_users:
                continue  # a group on paper only: no leader, no staff
            village = community_by_code[code].kind == RegionKind.VILLAGE
            members.append(self.member(group, Position.LEADER, "村委会主任" if village else "居委会主任"))
            members.extend(
                self.member(group, Position.STAFF, "消防工作专（兼）职人员", user=user)
                for user in group_users[code]
            )
        self.insert(members)
