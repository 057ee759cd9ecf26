"""The ledger's columns and sheet layout, shared by the template, the import and the export.

Row 1 holds the Chinese column titles, row 2 the field keys (English), data starts on row 3.
"""

from dataclasses import dataclass

from openpyxl.styles import Font, PatternFill

from firegrid.places.choices import SelfBuiltUse

EXAMPLE_MARK = "【示例】"  # rows whose name starts with this are the template's example, skipped
DATA_SHEET = "场所台账"
NOTES_SHEET = "填写说明"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str  # the Place field
    zh: str
    en: str
    type: str = "text"  # text, number, integer, kind, uses, bool
    required: bool = False
    width: int = 14
    note: str = ""  # bilingual note for the notes sheet and the header comment

    @property
    def title(self):
        """How errors name the column: '经度 lng'."""
        return f"{self.zh} {self.key}"


COLUMNS = [
    Column("name", "名称", "Name", required=True, width=24),
    Column(
        "kind",
        "类型",
        "Kind",
        "kind",
        required=True,
        width=26,
        note="选择下拉项，或填类型代码（见下表）。 Pick from the list, or type a kind code (table below).",
    ),
    Column(
        "address",
        "地址",
        "Address",
        required=True,
        width=32,
        note="用于查重：去掉空格、标点，全角数字视同半角。 Used to find duplicates, ignoring spaces, "
        "punctuation and full-width digits.",
    ),
    Column(
        "lat",
        "纬度",
        "Latitude",
        "number",
        required=True,
        width=12,
        note="十进制度，如 29.0283。所在网格由坐标自动确定。 Decimal degrees; the grid is derived.",
    ),
    Column("lng", "经度", "Longitude", "number", required=True, width=12, note="十进制度，如 106.6512。"),
    Column(
        "credit_code",
        "统一社会信用代码",
        "Unified social credit code",
        width=22,
        note="18位，按 GB 32100 校验；无则留空。 18 characters, check digit per GB 32100; blank if none.",
    ),
    Column("responsible_person", "消防安全责任人", "Responsible person"),
    Column("responsible_phone", "责任人电话", "Responsible person's phone"),
    Column("manager_name", "消防安全管理人", "Manager"),
    Column("manager_phone", "管理人电话", "Manager's phone"),
    Column("building_area", "建筑面积(㎡)", "Building area (m²)", "number", note="不能为负。 Not negative."),
    Column("area_above_ground", "地上面积(㎡)", "Area above ground (m²)", "number"),
    Column("area_underground", "地下面积(㎡)", "Area underground (m²)", "number"),
    Column("height_m", "建筑高度(m)", "Height (m)", "number"),
    Column("floors_above", "地上层数", "Floors above ground", "integer"),
    Column("floors_below", "地下层数", "Floors below ground", "integer"),
    Column("built_year", "建成年份", "Year built", "integer", note="如 1998。 E.g. 1998."),
    Column("beds", "床位数", "Beds", "integer"),
    Column("rooms", "客房数", "Guest rooms", "integer"),
    Column("children", "在园(托)儿童数", "Children enrolled", "integer"),
    Column("boarding_beds", "寄宿床位数", "Boarding beds", "integer"),
    Column("staff_count", "从业人员数", "Workers", "integer"),
    Column(
        "occupants",
        "居住/工作/培训人数",
        "People staying, working or training",
        "integer",
        width=18,
        note="自建房同时居住、工作或培训的最多人数。 For self-built houses: the most people at once.",
    ),
    Column(
        "self_built_uses",
        "自建房用途",
        "Self-built house uses",
        "uses",
        width=18,
        note="仅自建房填写；多个用逗号分隔。 Self-built houses only; codes separated by commas: "
        + ", ".join(SelfBuiltUse.values),
    ),
    Column("households", "户数", "Households", "integer"),
    Column(
        "has_fire_control_room", "消防控制室", "Fire control room", "bool", width=10, note="是/否。 Yes/no."
    ),
    Column(
        "public_commitment",
        "消防安全承诺",
        "Public fire safety commitment",
        width=40,
        note="将在场所码公开页显示。 Shown on the place's public code page.",
    ),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = [c.key for c in COLUMNS if c.required]
AREA_FIELDS = {"building_area", "area_above_ground", "area_underground", "height_m"}
TEXT_FORMAT_FIELDS = {"credit_code", "responsible_phone", "manager_phone"}
# the model's derived fields whose errors belong to a column the user typed
DERIVED_FIELD_COLUMN = {"address_key": "address", "sector": "kind", "region": "lat"}

# export only: read-only columns after the editable ones (import ignores them)
EXPORT_EXTRA = [
    ("code", "场所码", "Place code", 15),
    ("region_code", "网格编码", "Grid code", 14),
    ("region_name", "所属网格", "Grid", 16),
    ("status", "状态", "Status", 10),
    ("risk_level", "风险等级", "Risk level", 14),
    ("authority", "监管主体", "Supervising authority", 16),
    ("is_key_unit", "重点单位", "Key fire safety unit", 10),
    ("flags", "标记", "Flags", 24),
    ("inspections_per_year", "年检查次数", "Inspections per year", 10),
    ("last_inspected_on", "最近检查日期", "Last inspected on", 13),
    ("next_inspection_due", "下次检查到期", "Next inspection due", 13),
]

# the look of the two header rows, the same in the template and the export
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E1")
HEADER_FILL = PatternFill("solid", fgColor="EEF0F3")
KEY_FONT = Font(color="6B7280", size=9)
