"""Names and fixed facts of the synthetic Qijiang district: streets and towns, departments,
police stations, deliberate compliance gaps, and generators for plausible Chinese names."""

from firegrid.org.choices import Sector

# (name, kind, relative area weight); codes follow this order: 500110001, 500110002, …
STREETS = [
    ("古南街道", "street", 0.55),
    ("文龙街道", "street", 0.6),
    ("三江街道", "street", 0.8),
    ("通惠街道", "street", 0.8),
    ("新盛街道", "street", 0.9),
    ("东溪镇", "town", 1.3),
    ("打通镇", "town", 1.2),
    ("赶水镇", "town", 1.3),
    ("石壕镇", "town", 1.1),
    ("永新镇", "town", 1.2),
    ("三角镇", "town", 1.0),
    ("隆盛镇", "town", 1.0),
    ("郭扶镇", "town", 1.1),
    ("篆塘镇", "town", 0.9),
    ("丁山镇", "town", 1.0),
    ("安稳镇", "town", 1.2),
    ("扶欢镇", "town", 1.0),
    ("永城镇", "town", 1.0),
    ("中峰镇", "town", 0.9),
    ("石角镇", "town", 1.0),
    ("横山镇", "town", 1.0),
]
# Map layout, north to south, west to east (roughly where they lie in the real district).
LAYOUT = [
    ["石角镇", "永新镇", "三江街道", "三角镇", "隆盛镇"],
    ["郭扶镇", "篆塘镇", "通惠街道", "文龙街道", "横山镇"],
    ["丁山镇", "新盛街道", "古南街道", "永城镇", "中峰镇"],
    ["安稳镇", "东溪镇", "扶欢镇"],
    ["赶水镇", "石壕镇", "打通镇"],
]
ANCIENT_TOWNS = {"东溪镇", "中峰镇", "郭扶镇"}
FULL_TIME_TEAMS = {"东溪镇", "赶水镇", "石壕镇", "打通镇", "三角镇", "安稳镇", "永新镇"}

# Deliberate gaps for the compliance view; 古南街道 (the personas' street) stays fully compliant.
ONE_OFFICER_TOWNS = {"横山镇", "扶欢镇"}
NO_TEAM_TOWNS = {"石角镇"}
EXPIRED_OFFICER = {"隆盛镇": 2, "三江街道": 3}  # street → which officer's qualification has expired
THREE_OFFICERS = {"古南街道", "三江街道", "文龙街道", "东溪镇"}
NO_GROUP_STREETS = {"永城镇", "丁山镇", "安稳镇"}  # the last community/village of each has no group
EMPTY_GROUP_STREETS = {"篆塘镇"}  # one group with no staff
MANAGER_GAP_STREETS = {"文龙街道", "赶水镇", "东溪镇", "通惠街道"}  # some areas lack a fire manager
FULLY_COMPLIANT = "古南街道"

# Police stations and the streets each covers (the first is where it sits).
POLICE_STATIONS = [
    ("古南派出所", ["古南街道"]),
    ("文龙派出所", ["文龙街道"]),
    ("三江派出所", ["三江街道", "石角镇"]),
    ("通惠派出所", ["通惠街道"]),
    ("新盛派出所", ["新盛街道", "丁山镇"]),
    ("东溪派出所", ["东溪镇"]),
    ("打通派出所", ["打通镇"]),
    ("赶水派出所", ["赶水镇"]),
    ("石壕派出所", ["石壕镇"]),
    ("永新派出所", ["永新镇", "篆塘镇"]),
    ("三角派出所", ["三角镇"]),
    ("隆盛派出所", ["隆盛镇", "横山镇"]),
    ("郭扶派出所", ["郭扶镇"]),
    ("安稳派出所", ["安稳镇", "扶欢镇"]),
    ("永城派出所", ["永城镇", "中峰镇"]),
]

DEPARTMENTS = [
    ("区教委", [Sector.EDUCATION]),
    ("区民政局", [Sector.CIVIL_AFFAIRS]),
    ("区商务委", [Sector.COMMERCE]),
    ("区文化旅游委", [Sector.CULTURE_TOURISM]),
    ("区卫生健康委", [Sector.HEALTH]),
    ("区住房城乡建设委", [Sector.HOUSING]),
    ("区市场监管局", [Sector.MARKET_REGULATION]),
    ("区应急局", [Sector.EMERGENCY]),
    ("区交通局", [Sector.TRANSPORT]),
    ("区林业局", [Sector.FORESTRY]),
    ("区农业农村委", [Sector.AGRICULTURE]),
    ("区水利局", [Sector.WATER]),
    ("区规划自然资源局", [Sector.PLANNING]),
    ("区经济信息委", [Sector.ECONOMY]),
    ("区民族宗教委", [Sector.RELIGION]),
]

# The first communities of the urban streets carry names close to the real ones.
KNOWN_COMMUNITIES = {
    "古南街道": ["桥河社区", "沱湾社区", "九龙社区", "陵园社区", "北街社区", "新街社区", "营盘山社区"],
    "文龙街道": ["文龙社区", "沙溪社区", "上书院社区", "下书院社区", "大坝社区", "明月社区"],
    "三江街道": ["三江社区", "东林社区", "新华社区", "中山社区", "双溪社区"],
    "通惠街道": ["通惠社区", "金鹅社区", "双龙社区", "平等社区", "东升社区"],
    "新盛街道": ["新盛社区", "石林社区", "长田社区", "鹿鸣社区"],
}

_FIRST = "青红石龙凤金银花桃松柏竹梅兰新太永长福安平和双白黄马鹤云清大小上下东西南北古高丰盐茶柳杨"
_SECOND = "山河溪坝岭湾林田桥塘坪沟岩坡园峰台庙池江滩院堡场寨坳垭冲"
_COMPOUND_STEMS = [
    "滨江",
    "锦华",
    "阳光",
    "翠湖",
    "南州",
    "桂花",
    "幸福",
    "和平",
    "东方",
    "金桥",
    "银河",
    "锦绣",
    "丽景",
    "书香",
    "学府",
    "江岸",
    "滨河",
    "文华",
    "康居",
    "怡景",
    "紫荆",
    "新城",
    "世纪",
    "万兴",
    "古剑",
    "綦河",
    "龙腾",
    "凤凰",
    "月亮湾",
    "御景",
    "天元",
    "嘉禾",
    "鑫源",
    "华府",
    "清溪",
    "南湖",
    "恒升",
    "瑞丰",
]
_COMPOUND_SUFFIXES = ["小区", "花园", "苑", "家园", "名都", "华庭", "雅居", "公寓", "佳园", "城"]
_OLD_EMPLOYERS = [
    "齿轮厂",
    "粮站",
    "供销社",
    "电厂",
    "铁矿",
    "化肥厂",
    "水泥厂",
    "农机站",
    "卫生院",
    "税务所",
    "邮电局",
    "运输公司",
    "食品站",
    "木材公司",
    "中学",
    "煤矿",
    "缫丝厂",
    "陶瓷厂",
]
_OLD_SUFFIXES = ["家属院", "宿舍", "生活区"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃戴"
)
_GIVEN_MALE = "伟强磊军洋勇杰涛明超刚建国成文斌辉鹏飞海波林宇浩志华平东峰俊德"
_GIVEN_FEMALE = "芳娜敏静丽艳娟秀霞桂英玉兰萍红琳燕雪梅婷慧莉琴倩玲丹晓"
_NUMERALS = "零一二三四五六七八九"

KEY_UNIT_KINDS = ["中心卫生院", "中学", "中心小学", "敬老院", "农贸市场", "加油站", "客运站", "商贸城"]
COMMITTEE_MEMBER_TITLES = [
    "党政办主任",
    "应急办主任",
    "平安建设办主任",
    "经发办主任",
    "社会事务办主任",
    "规划建设管理办主任",
    "综合执法大队队长",
    "社区发展办主任",
]


def base_name(street_name):
    """古南街道 → 古南, 东溪镇 → 东溪."""
    return street_name.removesuffix("街道").removesuffix("镇")


def cn_number(n):
    """1 → 一, 12 → 十二, 20 → 二十, 105 → 105 (grids rarely pass a hundred)."""
    if n < 10:
        return _NUMERALS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")
    return str(n)


class NameMaker:
    """Plausible names from a seeded random generator, unique within a street where it matters."""

    def __init__(self, rng):
        self.rng = rng

    def unique(self, taken, make):
        for _ in range(50):
            name = make()
            if name not in taken:
                taken.add(name)
                return name
        name = f"{make()}{len(taken)}"
        taken.add(name)
        return name

    def place_stem(self):
        first = self.rng.choice(_FIRST)
        second = self.rng.choice(_SECOND)
        return first + second

    def community(self, taken):
        return self.unique(taken, lambda: self.place_stem() + "社区")

    def village(self, taken):
        return self.unique(taken, lambda: self.place_stem() + "村")

    def compound(self, taken, old, town):
        rng = self.rng
        if old:
            return self.unique(taken, lambda: town + rng.choice(_OLD_EMPLOYERS) + rng.choice(_OLD_SUFFIXES))
        return self.unique(taken, lambda: rng.choice(_COMPOUND_STEMS) + rng.choice(_COMPOUND_SUFFIXES))

    def person(self):
        rng = self.rng
        pool = _GIVEN_MALE if rng.random() < 0.55 else _GIVEN_FEMALE
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES) + given

    def phone(self):
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
