"""Build the synthetic district with bulk inserts, one street at a time so memory stays bounded.

bulk_create skips Model.save(), so this module does by hand what save() would do (region paths
and bounding boxes via geometry.prepare_region) and keeps to the rules RoleAssignment.validate()
enforces (a role at the right level, inside the holder's street, inspectors qualified). It also
skips the audit signals, which is what we want for bulk demo data.
"""

import datetime
import random
from collections import Counter

from django.contrib.auth.hashers import make_password

from firegrid.org.choices import (
    AreaKind,
    MicroStationOwner,
    Position,
    RegionKind,
    RegionLevel,
    TeamType,
    UnitKind,
)
from firegrid.org.demo import DEMO_PASSWORD, DISTRICT_CODE, DISTRICT_NAME, SEED
from firegrid.org.demo import names as N
from firegrid.org.demo.geometry import point_in, prepare_region, rect, tile, tile_rows
from firegrid.org.demo.personas import PERSONA_STREET_CODE
from firegrid.org.demo.staff import StaffMixin
from firegrid.org.models import (
    FireManager,
    OrgUnit,
    Region,
    ResidentialArea,
)

DISTRICT_BOX = (106.40, 28.60, 106.90, 29.20)  # (min_lng, min_lat, max_lng, max_lat)
MICRO_EQUIPMENT = "灭火器20具、消防水带4盘、水枪2支、消防头盔与战斗服6套、破拆工具1套、对讲机4部"


class DistrictBuilder(StaffMixin):
    def __init__(self, scale=1, batch_size=2000, today=None):
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.scale = scale
        self.batch_size = batch_size
        self.today = today or datetime.date.today()
        self.rng = random.Random(SEED)
        self.names = N.NameMaker(self.rng)
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by all generated staff
        self.boxes = {}  # region code → box, for regions built in this run
        self.inserted = Counter()

    # -- helpers ---------------------------------------------------------------------------------

    def insert(self, objs):
        if not objs:
            return objs
        model = type(objs[0])
        model.objects.bulk_create(objs, batch_size=self.batch_size)
        if objs[0].pk is None:
            raise RuntimeError(
                "seed_demo needs a database that returns ids from bulk inserts (PostgreSQL, SQLite)"
            )
        self.inserted[model.__name__] += len(objs)
        return objs

    def days_ago(self, low, high=None):
        return self.today - datetime.timedelta(days=low if high is None else self.rng.randint(low, high))

    def region(self, code, name, level, parent, box, kind="", **extra):
        self.boxes[code] = box
        region = Region(
            code=code, name=name, level=level, kind=kind, parent=parent, boundary=rect(box), **extra
        )
        return prepare_region(region)

    def phone(self):
        return f"023-{self.rng.randint(4840, 4869)}{self.rng.randrange(10**4):04d}"

    def unit(self, kind, name, region, **extra):
        lat, lng = point_in(self.boxes[region.code], self.rng) if region.code in self.boxes else (None, None)
        return OrgUnit(
            kind=kind,
            name=name,
            region=region,
            lat=lat,
            lng=lng,
            phone=self.phone(),
            established_on=self.days_ago(400, 1800),
            **extra,
        )

    def build(self):
        district = self.region(DISTRICT_CODE, DISTRICT_NAME, RegionLevel.DISTRICT, None, DISTRICT_BOX)
        self.insert([district])
        weight = {name: w for name, _kind, w in N.STREETS}
        order = [name for row in N.LAYOUT for name in row]
        box_of = dict(
            zip(order, tile_rows(DISTRICT_BOX, [[weight[n] for n in row] for row in N.LAYOUT]), strict=True)
        )
        streets = [
            self.region(
                f"{DISTRICT_CODE}{i:03d}",
                name,
                RegionLevel.STREET,
                district,
                box_of[name],
                kind=kind,
                is_ancient_town=name in N.ANCIENT_TOWNS,
            )
            for i, (name, kind, _w) in enumerate(N.STREETS, start=1)
        ]
        assert streets[0].code == PERSONA_STREET_CODE
        self.insert(streets)
        self.build_district_units(district)
        population = 0
        for street in streets:
            population += self.build_street(street)
        Region.objects.filter(pk=district.pk).update(population=population)
        self.build_police(streets)
        return self.inserted

    def build_district_units(self, district):
        office = self.unit(
            UnitKind.DISTRICT_OFFICE, "綦江区消防安全委员会办公室", district, address="綦江区古南街道文昌路"
        )
        detachment = self.unit(
            UnitKind.DETACHMENT, "綦江区消防救援支队", district, address="綦江区文龙街道九龙大道"
        )
        departments = [
            self.unit(UnitKind.DEPARTMENT, name, district, sectors=[str(s) for s in sectors])
            for name, sectors in N.DEPARTMENTS
        ]
        self.insert([office, detachment, *departments])
        members = [
            self.member(office, Position.DIRECTOR, "区消安办主任"),
            self.member(office, Position.DEPUTY, "区消安办副主任"),
            *[self.member(office, Position.STAFF, "区消安办工作人员", full_time=True) for _ in range(3)],
            self.member(detachment, Position.DIRECTOR, "支队长", full_time=True),
            self.member(detachment, Position.DEPUTY, "防火监督处处长", full_time=True),
            *[self.member(detachment, Position.OFFICER, "防火监督员", full_time=True) for _ in range(4)],
        ]
        for dept in departments:
            members.append(self.member(dept, Position.LEADER, "分管消防工作领导"))
            members.append(self.member(dept, Position.STAFF, "消防工作联络员"))
        self.insert(members)

    def build_street(self, street):
        """Communities, grids, units, areas and staff of one street; returns its population."""
        communities = self.build_communities(street)
        grids_of = self.build_grids(communities)
        units = self.build_street_units(street, communities, grids_of)
        self.build_areas(street, communities, grids_of)
        self.build_staff(street, communities, grids_of, units)
        population = sum(c.population for c in communities)
        self.boxes = {code: box for code, box in self.boxes.items() if len(code) <= len(street.code)}
        Region.objects.filter(pk=street.pk).update(population=population)
        return population

    def build_communities(self, street):
        rng, is_town = self.rng, street.kind == RegionKind.TOWN
        count = rng.randint(3, 8) * self.scale
        known = list(N.KNOWN_COMMUNITIES.get(street.name, ()))
        taken = set(known)
        specs = []
        for i in range(count):
            if known:
                specs.append((known.pop(0), RegionKind.COMMUNITY, rng.randint(4000, 12000)))
            elif is_town and i == 0:
                specs.append(
                    (f"{N.base_name(street.name)}社区", RegionKind.COMMUNITY, rng.randint(4000, 9000))
                )
            elif is_town:
                specs.append((self.names.village(taken), RegionKind.VILLAGE, rng.randint(1200, 4500)))
            else:
                specs.append((self.names.community(taken), RegionKind.COMMUNITY, rng.randint(3000, 10000)))
        boxes = tile(self.boxes[street.code], [rng.uniform(0.6, 1.4) for _ in specs])
        width = max(3, len(str(count)))
        communities = [
            self.region(
                f"{street.code}{i:0{width}d}",
                name,
                RegionLevel.COMMUNITY,
                street,
                box,
                kind=kind,
                population=population,
            )
            for i, ((name, kind, population), box) in enumerate(zip(specs, boxes, strict=True), start=1)
        ]
        return self.insert(communities)

    def build_grids(self, communities):
        rng = self.rng
        grids_of, grids = {}, []
        for community in communities:
            count = rng.randint(2, 5)
            boxes = tile(self.boxes[community.code], [rng.uniform(0.7, 1.3) for _ in range(count)])
            grids_of[community.code] = [
                self.region(
                    f"{community.code}{j:03d}",
                    f"{community.name}第{N.cn_number(j)}网格",
                    RegionLevel.GRID,
                    community,
                    box,
                    population=community.population // count,
                )
                for j, box in enumerate(boxes, start=1)
            ]
            grids.extend(grids_of[community.code])
        self.insert(grids)
        return grids_of

    def build_street_units(self, street, communities, grids_of):
        rng, name, base = self.rng, street.name, N.base_name(street.name)
        units = {
            "committee": self.unit(
                UnitKind.COMMITTEE, f"{name}消防安全委员会", street, address=f"{name}办公楼"
            ),
            "station": self.unit(
                UnitKind.WORK_STATION, f"{name}消防工作站", street, address=f"{name}{base}路1号"
            ),
        }
        if name not in N.NO_TEAM_TOWNS:
            full_time = name in N.FULL_TIME_TEAMS
            units["team"] = self.unit(
                UnitKind.FIRE_TEAM,
                f"{name}{'政府专职消防队' if full_time else '志愿消防队'}",
                street,
                team_type=TeamType.FULL_TIME if full_time else TeamType.VOLUNTEER,
            )
        groups, micro = {}, []
        for i, community in enumerate(communities):
            last = i == len(communities) - 1
            if not (last and name in N.NO_GROUP_STREETS):
                groups[community.code] = self.unit(
                    UnitKind.COMMUNITY_GROUP, f"{community.name}消防工作小组", community
                )
            if rng.random() < 0.75:
                micro.append(
                    self.unit(
                        UnitKind.MICRO_STATION,
                        f"{community.name}微型消防站",
                        community,
                        owner_kind=MicroStationOwner.COMMUNITY,
                        duty_phone=self.phone(),
                        equipment=MICRO_EQUIPMENT,
                    )
                )
        centre_grids = grids_of[communities[0].code]
        for kind in rng.sample(N.KEY_UNIT_KINDS, rng.randint(1, 3)):
            owner = f"綦江区{base}{kind}"
            micro.append(
                self.unit(
                    UnitKind.MICRO_STATION,
                    f"{owner}微型消防站",
                    rng.choice(centre_grids),
                    owner_kind=MicroStationOwner.KEY_UNIT,
                    owner_name=owner,
                    duty_phone=self.phone(),
                    equipment=MICRO_EQUIPMENT,
                )
            )
        self.insert([*units.values(), *groups.values(), *micro])
        units["groups"] = groups
        return units

    def build_areas(self, street, communities, grids_of):
        rng, names = self.rng, self.names
        taken, areas = set(), []
        for community in communities:
            village = community.kind == RegionKind.VILLAGE
            number = 0
            for grid in grids_of[community.code]:
                for _ in range(rng.randint(1, 3)):
                    lat, lng = point_in(self.boxes[grid.code], rng)
                    if village:
                        number += 1
                        areas.append(
                            ResidentialArea(
                                kind=AreaKind.VILLAGER_GROUP,
                                name=f"{community.name}第{N.cn_number(number)}村民小组",
                                region=grid,
                                address=f"綦江区{street.name}{community.name}",
                                lat=lat,
                                lng=lng,
                                households=rng.randint(30, 160),
                            )
                        )
                        continue
                    old = rng.random() < 0.35
                    built = rng.randint(1982, 1999) if old else rng.randint(2000, 2023)
                    areas.append(
                        ResidentialArea(
                            kind=AreaKind.COMPOUND,
                            name=names.compound(taken, old, N.base_name(street.name)),
                            region=grid,
                            address=f"綦江区{street.name}{community.name}{rng.randint(1, 300)}号",
                            lat=lat,
                            lng=lng,
                            households=rng.randint(40, 300) if old else rng.randint(120, 1600),
                            built_year=built,
                        )
                    )
        self.insert(areas)
        managers, micro = [], []
        gaps = street.name in N.MANAGER_GAP_STREETS
        for index, area in enumerate(areas):
            if not (gaps and index % 17 == 5):
                managers.append(
                    FireManager(
                        area=area,
                        name=names.person(),
                        phone=names.phone(),
                        appointed_on=self.days_ago(30, 1500),
                    )
                )
            if area.kind == AreaKind.COMPOUND and rng.random() < (0.5 if area.built_year >= 2010 else 0.2):
                micro.append(
                    OrgUnit(
                        kind=UnitKind.MICRO_STATION,
                        name=f"{area.name}微型消防站",
                        region=area.region,
                        lat=area.lat,
                        lng=area.lng,
                        owner_kind=MicroStationOwner.COMPOUND,
                        residential_area=area,
                        duty_phone=names.phone(),
                        equipment=MICRO_EQUIPMENT,
                        established_on=self.days_ago(100, 1500),
                    )
                )
        self.insert(managers)
        self.insert(micro)

    def build_police(self, streets):
        by_name = {s.name: s for s in streets}
        stations = [
            self.unit(UnitKind.POLICE_STATION, name, by_name[covered[0]], address=f"綦江区{covered[0]}")
            for name, covered in N.POLICE_STATIONS
        ]
        self.insert(stations)
        through = OrgUnit.covered_regions.through
        self.insert(
            [
                through(orgunit_id=station.pk, region_id=by_name[street].pk)
                for station, (_name, covered) in zip(stations, N.POLICE_STATIONS, strict=True)
                for street in covered
            ]
        )
        members = []
        for station in stations:
            members.append(self.member(station, Position.DIRECTOR, "所长", full_time=True))
            members.extend(
                self.member(station, Position.OFFICER, "消防民警", full_time=True)
                for _ in range(self.rng.randint(1, 2))
            )
        self.insert(members)


def build_district(scale=1, batch_size=2000, today=None):
    """Insert the whole synthetic district (the caller holds the transaction); returns row counts."""
    return DistrictBuilder(scale=scale, batch_size=batch_size, today=today).build()
