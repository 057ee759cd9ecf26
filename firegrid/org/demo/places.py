"""Places of the demo district (issue 3): a realistic mix of every PlaceKind, graded in bulk.

About PLACES_PER_SCALE places per `--scale` (scale 25 ≈ 1e5), spread over the streets by their
population and over each street's grids by theirs, towns getting more self-built houses and
villager housing, urban streets more shops, high-rises and malls. Residential compounds and
villager housing are the residential areas the base build made, where a grid has one left.

Nothing here calls Place.save(): each place is built unsaved and given by hand what
`actions.save_place()` derives (grid, address key, sector), graded with `actions.apply_grade()`
by the active rule set, then bulk-inserted with one PlaceGradeEvent ("created") each. Points are
drawn inside the grid's box and off its edges, so `Region.objects.locate()` finds that very grid.
Audit signals are skipped, as for the rest of the demo data.
"""

import datetime
import random
import string
from collections import defaultdict

from django.db.models import Count

from firegrid.core.validators import credit_code_check_char
from firegrid.org.choices import AreaKind, RegionKind, RegionLevel
from firegrid.org.demo import DISTRICT_CODE, SEED
from firegrid.org.demo import names as N
from firegrid.org.demo.geometry import point_in
from firegrid.org.demo.personas import PERSONA_STREET_CODE
from firegrid.org.models import Region, ResidentialArea, User
from firegrid.places.actions import apply_grade, next_due
from firegrid.places.choices import KIND_SECTOR, PlaceKind, PlaceStatus, SelfBuiltUse
from firegrid.places.models import GradingRuleSet, Place, PlaceGradeEvent, normalise_address

K = PlaceKind
PLACES_PER_SCALE = 4000
OWNER_USERNAME = "unit_owner"

# kind → (places per 4,000, weight in urban streets, weight in towns)
MIX = {
    K.SHOP: (900, 1.2, 0.8),
    K.RESTAURANT: (520, 1.2, 0.8),
    K.SELF_BUILT_HOUSE: (600, 0.4, 1.8),
    K.RESIDENTIAL_COMPOUND: (260, 1.6, 0.4),
    K.VILLAGER_HOUSING: (170, 0.0, 1.0),
    K.HIGH_RISE_RESIDENTIAL: (130, 1.8, 0.2),
    K.HOTEL: (120, 1.2, 0.8),
    K.BEAUTY_BATH: (126, 1.3, 0.7),
    K.THREE_IN_ONE: (150, 0.8, 1.2),
    K.WORKSHOP: (140, 0.7, 1.3),
    K.CLINIC: (90, 1.0, 1.0),
    K.GROUP_RENTAL: (80, 1.6, 0.4),
    K.TRAINING: (80, 1.4, 0.6),
    K.FACTORY: (80, 0.6, 1.4),
    K.SCHOOL: (60, 1.0, 1.0),
    K.CHILDCARE: (55, 1.2, 0.8),
    K.ENTERTAINMENT: (40, 1.5, 0.5),
    K.INTERNET_CAFE: (40, 1.4, 0.6),
    K.OFFICE: (40, 1.2, 0.8),
    K.FUEL_STATION: (30, 0.8, 1.2),
    K.FLAMMABLE_SHOP: (30, 0.8, 1.2),
    K.CONSTRUCTION_SITE: (30, 1.4, 0.6),
    K.OTHER: (30, 1.0, 1.0),
    K.ELDERLY_CARE: (25, 0.8, 1.2),
    K.HIGH_RISE_PUBLIC: (25, 2.0, 0.0),
    K.LOGISTICS_WAREHOUSE: (25, 1.0, 1.0),
    K.MALL_MARKET: (20, 1.4, 0.6),
    K.RECYCLING_SITE: (20, 0.8, 1.2),
    K.CONVERTED_COMMERCIAL: (15, 1.6, 0.4),
    K.PUBLIC_VENUE: (15, 1.2, 0.8),
    K.RELIC_BUILDING: (12, 0.5, 1.5),
    K.HOSPITAL: (12, 1.4, 0.6),
    K.ESPORTS_HOTEL: (10, 1.8, 0.2),
    K.TRANSPORT_HUB: (10, 0.8, 1.2),
    K.UNDERGROUND_WORKS: (10, 1.8, 0.2),
}
assert set(MIX) == set(PlaceKind), "every kind needs a share of the demo places"
# kinds that stand in residential communities (社区) rather than villages when a street has both
URBAN_KINDS = {
    K.RESIDENTIAL_COMPOUND,
    K.HIGH_RISE_RESIDENTIAL,
    K.HIGH_RISE_PUBLIC,
    K.MALL_MARKET,
    K.ESPORTS_HOTEL,
    K.UNDERGROUND_WORKS,
    K.CONVERTED_COMMERCIAL,
    K.HOSPITAL,
    K.ENTERTAINMENT,
    K.GROUP_RENTAL,
}

# GB 32100 first two characters (registration authority + kind of body) by place kind:
# 91 enterprise, 92 individual business (个体工商户), 93 farmers' cooperative, 11 government
# agency, 12 public institution (事业单位), 52 private non-enterprise unit (民办非企业单位).
CREDIT_PREFIX = {
    K.SHOP: (("92", 8), ("91", 2)),
    K.RESTAURANT: (("92", 7), ("91", 3)),
    K.HOTEL: (("91", 6), ("92", 4)),
    K.ENTERTAINMENT: (("91", 1),),
    K.INTERNET_CAFE: (("91", 1),),
    K.BEAUTY_BATH: (("92", 7), ("91", 3)),
    K.TRAINING: (("52", 5), ("91", 5)),
    K.CLINIC: (("92", 6), ("52", 4)),
    K.WORKSHOP: (("92", 6), ("91", 4)),
    K.FLAMMABLE_SHOP: (("92", 5), ("91", 5)),
    K.THREE_IN_ONE: (("92", 1),),
    K.HIGH_RISE_PUBLIC: (("91", 1),),
    K.MALL_MARKET: (("91", 1),),
    K.CHILDCARE: (("52", 6), ("12", 4)),
    K.ELDERLY_CARE: (("52", 6), ("12", 4)),
    K.HOSPITAL: (("12", 7), ("52", 3)),
    K.SCHOOL: (("12", 9), ("52", 1)),
    K.FUEL_STATION: (("91", 1),),
    K.ESPORTS_HOTEL: (("91", 1),),
    K.LOGISTICS_WAREHOUSE: (("91", 1),),
    K.CONSTRUCTION_SITE: (("91", 1),),
    K.RECYCLING_SITE: (("92", 6), ("91", 4)),
    K.UNDERGROUND_WORKS: (("91", 6), ("12", 4)),
    K.CONVERTED_COMMERCIAL: (("91", 1),),
    K.FACTORY: (("91", 9), ("93", 1)),
    K.PUBLIC_VENUE: (("12", 1),),
    K.TRANSPORT_HUB: (("91", 1),),
    K.OFFICE: (("11", 7), ("12", 3)),
    K.RELIC_BUILDING: (("12", 1),),
}
# how often a place of the kind is an enterprise with a credit code (the rest: none on file)
CREDIT_SHARE = {K.SHOP: 0.85, K.RESTAURANT: 0.9, K.THREE_IN_ONE: 0.6, K.RECYCLING_SITE: 0.7, K.WORKSHOP: 0.8}

BRANDS = [
    "佳佳", "惠民", "万家", "兴隆", "鑫源", "顺发", "福满", "百姓", "好又多", "金鼎", "宏远", "聚福",
    "永盛", "隆鑫", "天天", "渝南", "綦河", "通达", "恒信", "华美", "新世纪", "乐家", "红星", "利民",
    "盛源", "汇丰", "双福", "金桥", "明珠", "东方",
]  # fmt: skip
GOODS = [
    "五金", "副食", "日杂", "服装", "鞋业", "手机", "家电", "建材", "烟酒", "水果", "母婴", "文具", "粮油",
    "茶叶", "鲜花", "眼镜", "家具", "灯饰", "电动车", "药房", "床上用品", "农资",
]  # fmt: skip
DISHES = [
    "火锅", "小面", "串串香", "江湖菜", "豆花饭", "烤鱼", "中餐馆", "羊肉汤锅", "冷锅鱼", "家常菜馆",
    "面馆", "烧烤", "酸菜鱼", "蹄花汤", "抄手",
]  # fmt: skip
ROAD_SUFFIXES = ["路", "路", "街", "大道", "巷", "支路"]
INDUSTRIES = ["机械", "齿轮", "铝业", "建材", "食品", "服饰", "陶瓷", "电子", "汽配", "包装", "木业", "印务"]
COMMITMENT = (
    "本单位承诺：落实消防安全主体责任，每日防火巡查，保持疏散通道、安全出口畅通，"
    "消防设施完好有效，员工会报警、会扑救初起火灾、会组织疏散。"
)


def _pick(rng, weighted):
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def org_code_check(first8):
    """GB 11714 check character of an organisation code's first 8 characters."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    value = sum(int(c, 36) * w for c, w in zip(first8, weights, strict=True))
    check = 11 - value % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


class PlaceBuilder:
    def __init__(self, scale=1, batch_size=2000, today=None, ruleset=None):
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.scale = scale
        self.batch_size = batch_size
        self.today = today or datetime.date.today()
        self.ruleset = ruleset
        self.rng = random.Random(SEED + 3)  # a stream of its own: the base build stays as it was
        self.names = N.NameMaker(self.rng)
        self.credit_codes = set()
        self.inserted = 0
        self.events = 0

    # -- the district as the base build left it ---------------------------------------------------

    def load(self):
        self.streets = list(Region.objects.filter(level=RegionLevel.STREET).order_by("code"))
        communities = {
            c.pk: c
            for c in Region.objects.filter(level=RegionLevel.COMMUNITY).only(
                "id", "name", "kind", "parent_id"
            )
        }
        self.grids_of = defaultdict(list)  # street id → grids, each with .community set
        grids = Region.objects.filter(level=RegionLevel.GRID).order_by("path")
        for grid in grids.only("id", "code", "name", "path", "parent_id", "population", *BOX_FIELDS):
            grid.community = communities[grid.parent_id]
            self.grids_of[grid.community.parent_id].append(grid)
        self.areas_of = defaultdict(list)  # (grid id, area kind) → residential areas not yet used
        for area in ResidentialArea.objects.order_by("-id"):  # popped from the end: oldest first
            self.areas_of[(area.region_id, area.kind)].append(area)

    # -- how many of what, where ------------------------------------------------------------------

    def plan(self):
        """Street id → list of kinds, every kind at least once, about PLACES_PER_SCALE × scale."""
        rng = self.rng
        by_street = defaultdict(list)
        streets = [s for s in self.streets if self.grids_of[s.pk]]
        for kind, (per_4000, urban, town) in MIX.items():
            count = max(1, round(per_4000 * PLACES_PER_SCALE * self.scale / 4000))
            weights = [(s.population or 1) * (town if s.kind == RegionKind.TOWN else urban) for s in streets]
            if not any(weights):
                weights = [s.population or 1 for s in streets]
            for street in rng.choices(streets, weights=weights, k=count):
                by_street[street.pk].append(kind)
        for kinds in by_street.values():
            rng.shuffle(kinds)
        return by_street

    def grid_for(self, street, kind):
        grids = self.grids_of[street.pk]
        if kind == K.VILLAGER_HOUSING:
            preferred = [g for g in grids if g.community.kind == RegionKind.VILLAGE]
        elif kind in URBAN_KINDS:
            preferred = [g for g in grids if g.community.kind == RegionKind.COMMUNITY]
        else:
            preferred = grids
        grids = preferred or grids
        return self.rng.choices(grids, weights=[g.population or 1 for g in grids])[0]

    # -- the build --------------------------------------------------------------------------------

    def build(self):
        self.load()
        owner = User.objects.filter(username=OWNER_USERNAME).first()
        for street, kinds in sorted(self.plan().items()):
            street = next(s for s in self.streets if s.pk == street)
            self.roads = self.make_roads(street)
            places = [self.place(street, kind, self.grid_for(street, kind)) for kind in kinds]
            if street.code == PERSONA_STREET_CODE:
                places.extend(self.owner_places(street, owner))
            self.insert(places)
        return self.inserted

    def insert(self, places):
        events = []
        for place in places:
            place.address_key = normalise_address(place.address)
            place.sector = KIND_SECTOR.get(place.kind, "")
            if self.ruleset is not None:
                _old, new = apply_grade(place, self.ruleset)
                events.append(
                    PlaceGradeEvent(place=place, cause="created", ruleset=self.ruleset, old={}, new=new)
                )
            else:
                place.next_inspection_due = next_due(place)
        Place.objects.bulk_create(places, batch_size=self.batch_size)
        PlaceGradeEvent.objects.bulk_create(events, batch_size=self.batch_size)
        self.inserted += len(places)
        self.events += len(events)

    def owner_places(self, street, owner):
        """The unit owner's own places, in the first grid of the personas' street (linked later)."""
        grid = self.grids_of[street.pk][0]
        places = [
            self.place(street, K.SHOP, grid),
            self.place(street, K.RESTAURANT, grid),
            self.place(street, K.SELF_BUILT_HOUSE, grid, uses=[SelfBuiltUse.HOMESTAY], occupants=12),
        ]
        name = owner.full_name if owner else "黄明"
        phone = owner.phone if owner and owner.phone else "13908270009"
        for place, title in zip(places, ["黄明副食店", "黄记豆花饭", "黄明民宿"], strict=True):
            place.name = title.replace("黄明", name)
            place.responsible_person = name
            place.responsible_phone = phone
            place.status = PlaceStatus.ACTIVE
        return places

    # -- one place --------------------------------------------------------------------------------

    def make_roads(self, street):
        rng, base = self.rng, N.base_name(street.name)
        roads = {f"{base}路", f"{base}大道", f"{base}老街"}
        while len(roads) < 12:
            roads.add(self.names.place_stem() + rng.choice(ROAD_SUFFIXES))
        return sorted(roads)

    def address(self, street, grid):
        rng = self.rng
        if grid.community.kind == RegionKind.VILLAGE:
            return f"綦江区{street.name}{grid.community.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
        return f"綦江区{street.name}{rng.choice(self.roads)}{rng.randint(1, 399)}号"

    def brand(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return rng.choice(BRANDS)
        if roll < 0.75:
            return self.names.place_stem()
        return rng.choice(N.SURNAMES) + "记"

    def credit_code(self, kind):
        prefixes = CREDIT_PREFIX.get(kind)
        if not prefixes or self.rng.random() > CREDIT_SHARE.get(kind, 0.97):
            return ""
        while True:
            body = "".join(self.rng.choice(string.digits) for _ in range(8))
            first17 = _pick(self.rng, prefixes) + DISTRICT_CODE + body + org_code_check(body)
            code = first17 + credit_code_check_char(first17)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def place(self, street, kind, grid, uses=None, occupants=None):
        rng, names = self.rng, self.names
        lat, lng = point_in((grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat), rng)
        place = Place(
            kind=kind,
            region=grid,
            lat=lat,
            lng=lng,
            address=self.address(street, grid),
            credit_code=self.credit_code(kind),
            responsible_person=names.person(),
            responsible_phone=names.phone(),
            status=PlaceStatus.CLOSED if rng.random() < 0.03 else PlaceStatus.ACTIVE,
        )
        if rng.random() < 0.7:
            place.manager_name, place.manager_phone = names.person(), names.phone()
        else:  # a small place: the responsible person manages it too
            place.manager_name, place.manager_phone = place.responsible_person, place.responsible_phone
        if rng.random() < 0.62:
            place.last_inspected_on = self.today - datetime.timedelta(days=rng.randint(3, 540))
        getattr(self, f"kind_{str(kind)}", self.kind_default)(place, street, grid)
        if uses is not None:
            place.self_built_uses, place.occupants = [str(u) for u in uses], occupants
        if rng.random() < 0.3:
            place.public_commitment = COMMITMENT
        return place

    # Each kind_* sets the name and the attributes the grading rules read.

    def kind_default(self, place, street, grid):
        place.name = f"{self.brand()}{self.rng.choice(['停车场', '农机仓库', '充电站', '汽车美容店'])}"
        place.building_area = self.area(80, 1500)

    def area(self, low, high, digits=0):
        return round(self.rng.uniform(low, high), digits)

    def floors(self, place, low, high, storey=3.2):
        place.floors_above = self.rng.randint(low, high)
        place.height_m = round(place.floors_above * storey + self.rng.uniform(0.3, 1.5), 1)

    def kind_shop(self, place, street, grid):
        rng = self.rng
        goods = rng.choice(GOODS)
        place.name = rng.choice(
            [
                f"{self.brand()}{goods}店",
                f"{self.brand()}超市",
                f"{self.brand()}便利店",
                f"{self.brand()}{goods}门市",
            ]
        )
        place.building_area = self.area(15, 450) if rng.random() < 0.92 else self.area(300, 1200)
        place.staff_count = rng.randint(1, 8)
        place.floors_above = rng.choice([1, 1, 1, 2])

    def kind_restaurant(self, place, street, grid):
        rng = self.rng
        dish = rng.choice(DISHES)
        place.name = rng.choice(
            [f"{self.brand()}{dish}", f"{rng.choice(N.SURNAMES)}记{dish}", f"{self.brand()}酒楼"]
        )
        place.building_area = self.area(30, 900)
        place.staff_count = rng.randint(2, 35)
        place.floors_above = rng.choice([1, 1, 2, 3])

    def kind_hotel(self, place, street, grid):
        rng = self.rng
        place.name = (
            f"{self.brand()}{rng.choice(['宾馆', '大酒店', '商务酒店', '快捷酒店', '旅馆', '招待所'])}"
        )
        place.rooms = rng.randint(5, 60) if rng.random() < 0.8 else rng.randint(40, 120)
        place.beds = round(place.rooms * rng.uniform(1.2, 1.9))
        place.building_area = round(place.rooms * rng.uniform(28, 45))
        self.floors(place, 2, 6 if place.rooms < 50 else 16)
        place.staff_count = max(2, place.rooms // 4)

    def kind_entertainment(self, place, street, grid):
        place.name = f"{self.brand()}{self.rng.choice(['KTV', '量贩式KTV', '歌舞厅', '娱乐会所', '酒吧'])}"
        place.building_area = self.area(80, 1500)
        place.staff_count = self.rng.randint(4, 40)

    def kind_internet_cafe(self, place, street, grid):
        place.name = f"{self.brand()}{self.rng.choice(['网吧', '网咖', '电竞馆'])}"
        place.building_area = self.area(80, 600)
        place.staff_count = self.rng.randint(2, 8)

    def kind_beauty_bath(self, place, street, grid):
        kind = self.rng.choice(["美容美发", "足浴", "洗浴中心", "美甲店", "养生馆", "理发店"])
        place.name = f"{self.brand()}{kind}"
        place.building_area = self.area(20, 500 if kind == "洗浴中心" else 250)
        place.staff_count = self.rng.randint(1, 20)

    def kind_training(self, place, street, grid):
        kind = self.rng.choice(
            ["教育培训学校", "艺术培训中心", "职业技能培训学校", "舞蹈培训", "书法培训", "托管中心"]
        )
        place.name = f"{self.brand()}{kind}"
        place.building_area = self.area(60, 900)
        place.staff_count = self.rng.randint(2, 30)

    def kind_clinic(self, place, street, grid):
        rng = self.rng
        if grid.community.kind == RegionKind.VILLAGE:
            place.name = f"{grid.community.name}卫生室"
        else:
            place.name = rng.choice(
                [f"{rng.choice(N.SURNAMES)}氏诊所", f"{self.brand()}口腔诊所", f"{self.brand()}中医诊所"]
            )
        place.building_area = self.area(30, 300)
        place.beds = rng.randint(0, 8)

    def kind_workshop(self, place, street, grid):
        kind = self.rng.choice(
            ["木材加工厂", "汽修厂", "面条加工坊", "家具加工厂", "服装加工作坊", "印刷厂", "豆腐坊"]
        )
        place.name = f"{self.brand()}{kind}"
        place.building_area = self.area(50, 1200)
        place.staff_count = self.rng.randint(2, 60) if self.rng.random() < 0.95 else self.rng.randint(80, 150)

    def kind_flammable_shop(self, place, street, grid):
        kind = self.rng.choice(["烟花爆竹经营部", "液化气供应站", "油漆门市", "化工门市", "酒精批发部"])
        place.name = f"{self.brand()}{kind}"
        place.building_area = self.area(20, 250)
        place.staff_count = self.rng.randint(1, 6)

    def kind_three_in_one(self, place, street, grid):
        rng = self.rng
        place.name = rng.choice(
            [f"{self.brand()}{rng.choice(GOODS)}店", f"{rng.choice(N.SURNAMES)}记{rng.choice(DISHES)}"]
        )
        place.building_area = self.area(40, 300)
        place.occupants = rng.randint(2, 12)
        place.staff_count = rng.randint(1, 8)
        place.floors_above = rng.randint(1, 3)

    def kind_group_rental(self, place, street, grid):
        rng = self.rng
        place.name = f"{place.address.removeprefix('綦江区' + street.name)}{rng.randint(1, 6)}单元群租房"
        place.building_area = self.area(80, 300)
        place.occupants = rng.randint(8, 40)
        place.floors_above = rng.randint(5, 18)

    def kind_self_built_house(self, place, street, grid):
        rng = self.rng
        owner = self.names.person()
        roll = rng.random()
        if roll < 0.5:
            uses, place.occupants = [SelfBuiltUse.OWN_USE], rng.randint(2, 8)
            place.name = f"{owner}自建房"
        else:
            use = rng.choice(
                [SelfBuiltUse.HOMESTAY, SelfBuiltUse.RENTAL, SelfBuiltUse.BUSINESS, SelfBuiltUse.TRAINING]
            )
            uses = [use] + ([SelfBuiltUse.OWN_USE] if rng.random() < 0.4 else [])
            place.occupants = rng.randint(5, 30)
            place.name = {
                SelfBuiltUse.HOMESTAY: f"{self.brand()}{rng.choice(['民宿', '农家乐', '客栈'])}",
                SelfBuiltUse.RENTAL: f"{owner}自建房（出租）",
                SelfBuiltUse.BUSINESS: f"{owner}自建房（{rng.choice(GOODS)}经营）",
                SelfBuiltUse.TRAINING: f"{self.brand()}培训点（自建房）",
            }[use]
            if use == SelfBuiltUse.HOMESTAY:
                place.rooms = rng.randint(3, 15)
        place.self_built_uses = [str(u) for u in uses]
        place.responsible_person = owner
        self.floors(place, 2, 6, storey=3.0)
        place.building_area = round(place.floors_above * rng.uniform(60, 160))
        place.built_year = rng.randint(1985, 2022)

    def _from_area(self, place, grid, area_kind):
        areas = self.areas_of.get((grid.pk, area_kind))
        if not areas:
            return None
        area = areas.pop()
        place.residential_area = area
        place.name, place.lat, place.lng = area.name, area.lat, area.lng
        place.built_year, place.households = area.built_year, area.households
        return area

    def kind_residential_compound(self, place, street, grid):
        rng = self.rng
        if self._from_area(place, grid, AreaKind.COMPOUND) is None:
            old = rng.random() < 0.35
            place.name = self.names.compound(set(), old, N.base_name(street.name))
            place.built_year = rng.randint(1985, 1999) if old else rng.randint(2000, 2020)
            place.households = rng.randint(40, 300) if old else rng.randint(120, 1600)
        if place.built_year < 2000:
            self.floors(place, 4, 7, storey=2.9)
        else:
            self.floors(place, 6, 33, storey=3.0)
        place.building_area = round(place.households * rng.uniform(80, 120))
        place.manager_name = f"{place.name}物业服务中心"
        place.manager_phone = self.names.phone()

    def kind_villager_housing(self, place, street, grid):
        rng = self.rng
        if self._from_area(place, grid, AreaKind.VILLAGER_GROUP) is None:
            place.name = f"{grid.community.name}{self.names.place_stem()}聚居点"
            place.households = rng.randint(20, 120)
        place.built_year = rng.randint(1985, 2020)
        place.floors_above = rng.randint(1, 4)

    def kind_high_rise_residential(self, place, street, grid):
        rng = self.rng
        stem = self.names.compound(set(), False, N.base_name(street.name))
        place.name = f"{stem}{rng.randint(1, 20)}栋"
        self.floors(place, 9, 32, storey=3.0)
        if place.height_m <= 27:
            place.height_m = round(rng.uniform(27.5, 32), 1)
        place.built_year = rng.randint(2000, 2022)
        place.households = place.floors_above * rng.randint(4, 8)
        place.has_fire_control_room = rng.random() < 0.5

    def kind_high_rise_public(self, place, street, grid):
        place.name = (
            f"{self.brand()}{self.rng.choice(['大厦', '国际', '商务中心', '金融中心', '广场写字楼'])}"
        )
        self.floors(place, 8, 26, storey=3.6)
        place.building_area = round(place.floors_above * self.rng.uniform(800, 2000))
        place.has_fire_control_room = True
        place.staff_count = self.rng.randint(50, 800)

    def kind_mall_market(self, place, street, grid):
        rng = self.rng
        place.name = rng.choice(
            [
                f"{self.brand()}农贸市场",
                f"{self.brand()}商场",
                f"{self.brand()}购物广场",
                f"{N.base_name(street.name)}商贸城",
            ]
        )
        # around the seeds' thresholds: 1000 m² above ground, 500 m² underground
        place.area_above_ground = self.area(400, 2000) if rng.random() < 0.6 else self.area(2000, 30000)
        place.area_underground = 0.0 if rng.random() < 0.5 else self.area(200, 1500)
        place.building_area = place.area_above_ground + place.area_underground
        place.floors_below = 1 if place.area_underground else 0
        self.floors(place, 1, 8, storey=4.5)
        place.has_fire_control_room = place.building_area > 5000
        place.staff_count = rng.randint(10, 400)

    def kind_relic_building(self, place, street, grid):
        rng = self.rng
        place.name = rng.choice(
            [
                f"{rng.choice(N.SURNAMES)}氏宗祠",
                f"{self.names.place_stem()}寺",
                "王爷庙",
                f"{rng.choice(N.SURNAMES)}家大院",
                f"{N.base_name(street.name)}老街{rng.randint(1, 90)}号木结构民居",
                f"{self.names.place_stem()}会馆",
            ]
        )
        place.building_area = self.area(100, 2500)
        place.built_year = rng.randint(1600, 1940)

    def kind_childcare(self, place, street, grid):
        place.name = f"{self.brand()}{self.rng.choice(['幼儿园', '幼儿园', '托育中心', '双语幼儿园'])}"
        place.children = self.rng.randint(20, 320)
        place.staff_count = max(3, place.children // 8)
        place.building_area = round(place.children * self.rng.uniform(8, 14))

    def kind_elderly_care(self, place, street, grid):
        rng = self.rng
        place.name = rng.choice(
            [
                f"{N.base_name(street.name)}敬老院",
                f"{self.brand()}养老院",
                f"{self.brand()}老年公寓",
                f"{self.brand()}康养中心",
            ]
        )
        place.beds = rng.randint(10, 300)
        place.staff_count = max(3, place.beds // 6)
        place.building_area = round(place.beds * rng.uniform(25, 40))

    def kind_hospital(self, place, street, grid):
        rng = self.rng
        place.name = rng.choice(
            [
                f"綦江区{self.brand()}医院",
                f"{N.base_name(street.name)}中心卫生院",
                f"{self.brand()}中医院",
                f"{self.brand()}骨科医院",
            ]
        )
        place.beds = rng.randint(20, 800)
        place.staff_count = place.beds + rng.randint(10, 200)
        self.floors(place, 3, 18, storey=3.6)
        place.building_area = round(place.beds * rng.uniform(60, 90))
        place.has_fire_control_room = place.height_m > 24

    def kind_school(self, place, street, grid):
        rng = self.rng
        base = N.base_name(street.name)
        place.name = rng.choice(
            [
                f"綦江区{base}中学",
                f"{base}中心小学",
                f"{self.brand()}小学",
                f"綦江区{self.brand()}职业中学",
                f"{grid.community.name}小学",
            ]
        )
        place.boarding_beds = 0 if rng.random() < 0.5 else rng.randint(40, 1500)
        place.staff_count = rng.randint(15, 200)
        place.building_area = self.area(2000, 30000)
        self.floors(place, 3, 6, storey=3.6)

    def kind_fuel_station(self, place, street, grid):
        brand = self.rng.choice(["中国石化", "中国石化", "中国石油", "延长壳牌"])
        place.name = f"{brand}{self.names.place_stem()}{self.rng.choice(['加油站', '加油站', '加油加气站'])}"
        place.building_area = self.area(200, 2000)
        place.staff_count = self.rng.randint(4, 20)

    def kind_esports_hotel(self, place, street, grid):
        place.name = f"{self.brand()}电竞酒店"
        place.rooms = self.rng.randint(8, 45)
        place.beds = place.rooms * 2
        self.floors(place, 2, 8)

    def kind_logistics_warehouse(self, place, street, grid):
        place.name = (
            f"{self.brand()}{self.rng.choice(['物流园仓库', '仓储中心', '快递分拣中心', '冷链仓库'])}"
        )
        place.building_area = self.area(1000, 20000)
        place.staff_count = self.rng.randint(5, 150)

    def kind_construction_site(self, place, street, grid):
        place.name = f"{self.names.compound(set(), False, N.base_name(street.name))}项目施工现场"
        place.building_area = self.area(3000, 80000)
        place.staff_count = self.rng.randint(20, 300)

    def kind_recycling_site(self, place, street, grid):
        place.name = f"{self.brand()}{self.rng.choice(['废品回收站', '再生资源回收点', '废旧物资回收站'])}"
        place.building_area = self.area(100, 3000)

    def kind_underground_works(self, place, street, grid):
        place.name = f"{self.brand()}{self.rng.choice(['地下停车场', '人防工程', '地下商业街'])}"
        place.area_underground = self.area(300, 8000)
        place.building_area = place.area_underground
        place.floors_below = self.rng.randint(1, 3)

    def kind_converted_commercial(self, place, street, grid):
        kind = self.rng.choice(["文创园（原厂房改建）", "家具城（原仓库改建）", "建材市场（原厂房改建）"])
        place.name = f"{self.brand()}{kind}"
        place.building_area = self.area(500, 8000)
        place.area_underground = 0.0 if self.rng.random() < 0.7 else self.area(300, 2000)
        place.staff_count = self.rng.randint(10, 150)
        self.floors(place, 1, 8, storey=4.5)

    def kind_factory(self, place, street, grid):
        place.name = f"重庆{self.brand()}{self.rng.choice(INDUSTRIES)}有限公司"
        place.staff_count = (
            self.rng.randint(10, 120) if self.rng.random() < 0.7 else self.rng.randint(100, 600)
        )
        place.building_area = self.area(800, 30000)

    def kind_public_venue(self, place, street, grid):
        base = N.base_name(street.name)
        place.name = self.rng.choice(
            [f"{base}文化服务中心", f"{self.brand()}体育馆", f"{base}农家书屋", f"{self.brand()}展览馆"]
        )
        place.building_area = self.area(300, 15000)
        self.floors(place, 1, 6, storey=4.2)

    def kind_transport_hub(self, place, street, grid):
        base = N.base_name(street.name)
        place.name = self.rng.choice([f"{base}汽车站", f"{base}客运站", f"{self.names.place_stem()}客运码头"])
        place.building_area = self.area(150, 5000)

    def kind_office(self, place, street, grid):
        base = N.base_name(street.name)
        place.name = self.rng.choice(
            [
                f"{base}便民服务中心",
                f"{base}财政所",
                f"{base}供电所",
                f"綦江区{self.brand()}税务分局",
                f"{grid.community.name}居委会",
            ]
        )
        place.building_area = self.area(300, 10000)
        self.floors(place, 2, 16, storey=3.5)


BOX_FIELDS = ("min_lat", "min_lng", "max_lat", "max_lng")


def ensure_owner_places(street_code=PERSONA_STREET_CODE):
    """The unit_owner persona owns its places in the personas' street (by its phone); idempotent."""
    owner = User.objects.filter(username=OWNER_USERNAME).first()
    if owner is None or owner.owned_places.exists():
        return 0
    street = Region.objects.get(code=street_code)
    places = Place.objects.filter(region__path__startswith=street.path)
    mine = list(places.filter(responsible_phone=owner.phone).order_by("pk")[:3]) if owner.phone else []
    mine = mine or list(places.order_by("pk")[:3])
    owner.owned_places.add(*mine)
    return len(mine)


def seed_places(scale=1, batch_size=2000, today=None):
    """Insert the demo places unless the district has places already; returns a summary line."""
    if Place.objects.exists():
        ensure_owner_places()
        return f"Places: {Place.objects.count()} already there: skipping the places build."
    builder = PlaceBuilder(scale=scale, batch_size=batch_size, today=today, ruleset=GradingRuleSet.active())
    builder.build()
    ensure_owner_places()
    kinds = Place.objects.values("kind").annotate(n=Count("pk")).count()
    key_units = Place.objects.filter(is_key_unit=True).count()
    return (
        f"Places: {builder.inserted} of {kinds} kinds ({key_units} key units), {builder.events} grade events."
    )
