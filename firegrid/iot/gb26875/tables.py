"""The code tables of GB/T 26875.3-2011 §8 (type flags, system and component types, analogue types,
status and operation bits), each entry with an English label and the standard's own Chinese term.

Checked against a transcription of the standard's text and against the published open-source codecs
(shootingfans/codec_gb26875_3_2011 in Go, ActorLancer/GB-T-26875.3.2011-rs in Rust); the sample
frames of the standard's annex-style examples decode with these tables (tests/test_gb26875_codec.py).
"""

from django.utils.translation import gettext_lazy as _

# Control unit command byte (表2)
COMMANDS = {
    1: (_("control"), "控制命令"),
    2: (_("send data"), "发送数据"),
    3: (_("confirm"), "确认"),
    4: (_("request"), "请求"),
    5: (_("answer"), "应答"),
    6: (_("deny"), "否认"),
}

# Type flag of the application data unit (表3); direction "up" (device → centre) or "down"
TYPE_FLAGS = {
    1: (_("building fire system status"), "上传建筑消防设施系统状态", "up"),
    2: (_("component run status"), "上传建筑消防设施部件运行状态", "up"),
    3: (_("component analogue values"), "上传建筑消防设施部件模拟量值", "up"),
    4: (_("fire system operation records"), "上传建筑消防设施操作信息", "up"),
    5: (_("fire system software version"), "上传建筑消防设施软件版本", "up"),
    6: (_("fire system configuration"), "上传建筑消防设施系统配置情况", "up"),
    7: (_("component configuration"), "上传建筑消防设施部件配置情况", "up"),
    8: (_("fire system time"), "上传建筑消防设施系统时间", "up"),
    21: (_("transmission device run status"), "上传用户信息传输装置运行状态", "up"),
    24: (_("transmission device operation records"), "上传用户信息传输装置操作信息", "up"),
    25: (_("transmission device software version"), "上传用户信息传输装置软件版本", "up"),
    26: (_("transmission device configuration"), "上传用户信息传输装置配置情况", "up"),
    28: (_("transmission device time"), "上传用户信息传输装置系统时间", "up"),
    61: (_("read fire system status"), "读建筑消防设施系统状态", "down"),
    62: (_("read component run status"), "读建筑消防设施部件运行状态", "down"),
    63: (_("read component analogue values"), "读建筑消防设施部件模拟量值", "down"),
    64: (_("read fire system operation records"), "读建筑消防设施操作信息", "down"),
    65: (_("read fire system software version"), "读建筑消防设施软件版本", "down"),
    66: (_("read fire system configuration"), "读建筑消防设施系统配置情况", "down"),
    67: (_("read component configuration"), "读建筑消防设施部件配置情况", "down"),
    68: (_("read fire system time"), "读建筑消防设施系统时间", "down"),
    81: (_("read transmission device run status"), "读用户信息传输装置运行状态", "down"),
    84: (_("read transmission device operation records"), "读用户信息传输装置操作信息记录", "down"),
    85: (_("read transmission device software version"), "读用户信息传输装置软件版本", "down"),
    86: (_("read transmission device configuration"), "读用户信息传输装置配置情况", "down"),
    88: (_("read transmission device time"), "读用户信息传输装置系统时间", "down"),
    89: (_("initialise transmission device"), "初始化用户信息传输装置", "down"),
    90: (_("synchronise transmission device clock"), "同步用户信息传输装置时钟", "down"),
    91: (_("inspection (on-duty check)"), "查岗命令", "down"),
}
USER_TYPES = range(128, 255)  # 128–254: defined by the user (vendor); 255 is not assigned

SYSTEM_TYPES = {
    0: (_("general"), "通用"),
    1: (_("fire alarm system"), "火灾报警系统"),
    10: (_("fire linkage controller"), "消防联动控制器"),
    11: (_("hydrant system"), "消火栓系统"),
    12: (_("automatic sprinkler system"), "自动喷水灭火系统"),
    13: (_("gas extinguishing system"), "气体灭火系统"),
    14: (_("water spray system (pump start)"), "水喷雾灭火系统（泵启动方式）"),
    15: (_("water spray system (pressure vessel start)"), "水喷雾灭火系统（压力容器启动方式）"),
    16: (_("foam extinguishing system"), "泡沫灭火系统"),
    17: (_("dry powder extinguishing system"), "干粉灭火系统"),
    18: (_("smoke control and exhaust system"), "防烟排烟系统"),
    19: (_("fire doors and shutters"), "防火门及卷帘系统"),
    20: (_("fire lift"), "消防电梯"),
    21: (_("emergency broadcast"), "消防应急广播"),
    22: (_("emergency lighting and evacuation signs"), "消防应急照明和疏散指示系统"),
    23: (_("fire power supply"), "消防电源"),
    24: (_("fire telephone"), "消防电话"),
}

COMPONENT_TYPES = {
    0: (_("general"), "通用"),
    1: (_("fire alarm control panel"), "火灾报警控制器"),
    10: (_("combustible gas detector"), "可燃气体探测器"),
    11: (_("point combustible gas detector"), "点型可燃气体探测器"),
    12: (_("stand-alone combustible gas detector"), "独立式可燃气体探测器"),
    13: (_("line combustible gas detector"), "线型可燃气体探测器"),
    16: (_("electrical fire monitoring alarm"), "电气火灾监控报警器"),
    17: (_("residual current electrical fire detector"), "剩余电流式电气火灾监控探测器"),
    18: (_("temperature electrical fire detector"), "测温式电气火灾监控探测器"),
    21: (_("detection loop"), "探测回路"),
    22: (_("fire display panel"), "火灾显示盘"),
    23: (_("manual call point"), "手动火灾报警按钮"),
    24: (_("hydrant button"), "消火栓按钮"),
    25: (_("fire detector"), "火灾探测器"),
    30: (_("heat detector"), "感温火灾探测器"),
    31: (_("point heat detector"), "点型感温火灾探测器"),
    32: (_("point heat detector (S)"), "点型感温火灾探测器（S型）"),
    33: (_("point heat detector (R)"), "点型感温火灾探测器（R型）"),
    34: (_("line heat detector"), "线型感温火灾探测器"),
    35: (_("line heat detector (S)"), "线型感温火灾探测器（S型）"),
    36: (_("line heat detector (R)"), "线型感温火灾探测器（R型）"),
    37: (_("optical fibre heat detector"), "光纤感温火灾探测器"),
    40: (_("smoke detector"), "感烟火灾探测器"),
    41: (_("point ionisation smoke detector"), "点型离子感烟火灾探测器"),
    42: (_("point photoelectric smoke detector"), "点型光电感烟火灾探测器"),
    43: (_("line beam smoke detector"), "线型光束感烟火灾探测器"),
    44: (_("aspirating smoke detector"), "吸气式感烟火灾探测器"),
    50: (_("multi-sensor detector"), "复合式火灾探测器"),
    51: (_("smoke and heat detector"), "复合式感烟感温火灾探测器"),
    52: (_("flame and heat detector"), "复合式感光感温火灾探测器"),
    53: (_("flame and smoke detector"), "复合式感光感烟火灾探测器"),
    61: (_("ultraviolet flame detector"), "紫外火焰探测器"),
    62: (_("infrared flame detector"), "红外火焰探测器"),
    69: (_("flame detector"), "感光火灾探测器"),
    74: (_("gas detector"), "气体探测器"),
    78: (_("video fire detector"), "图像摄像方式火灾探测器"),
    79: (_("acoustic fire detector"), "感声火灾探测器"),
    81: (_("gas extinguishing controller"), "气体灭火控制器"),
    82: (_("fire electrical control device"), "消防电气控制装置"),
    83: (_("fire control room graphic display"), "消防控制室图形显示装置"),
    84: (_("module"), "模块"),
    85: (_("input module"), "输入模块"),
    86: (_("output module"), "输出模块"),
    87: (_("input/output module"), "输入/输出模块"),
    88: (_("relay module"), "中继模块"),
    91: (_("fire pump"), "消防水泵"),
    92: (_("fire water tank"), "消防水箱"),
    95: (_("sprinkler pump"), "喷淋泵"),
    96: (_("water flow indicator"), "水流指示器"),
    97: (_("signal valve"), "信号阀"),
    98: (_("alarm valve"), "报警阀"),
    99: (_("pressure switch"), "压力开关"),
    101: (_("valve actuator"), "阀驱动装置"),
    102: (_("fire door"), "防火门"),
    103: (_("fire damper"), "防火阀"),
    104: (_("ventilation and air conditioning"), "通风空调"),
    105: (_("foam pump"), "泡沫液泵"),
    106: (_("pipe network solenoid valve"), "管网电磁阀"),
    111: (_("smoke exhaust fan"), "防烟排烟风机"),
    113: (_("smoke exhaust fire damper"), "排烟防火阀"),
    114: (_("normally closed air supply outlet"), "常闭送风口"),
    115: (_("smoke exhaust outlet"), "排烟口"),
    116: (_("electric smoke barrier"), "电控挡烟垂壁"),
    117: (_("fire shutter controller"), "防火卷帘控制器"),
    118: (_("fire door monitor"), "防火门监控器"),
    121: (_("alarm device"), "警报装置"),
}

# Analogue types (表…, 8.2.1.3): key (our value name), scale of one unit of the 2-byte signed value
ANALOGUE_TYPES = {
    1: ("event_count", 1, _("event count"), "事件计数"),
    2: ("height_m", 0.01, _("height (m)"), "高度"),
    3: ("temperature_c", 0.1, _("temperature (°C)"), "温度"),
    4: ("pressure_mpa", 0.1, _("pressure (MPa)"), "压力"),
    5: ("pressure_kpa", 0.1, _("pressure (kPa)"), "压力"),
    6: ("gas_lel_pct", 0.1, _("gas concentration (%LEL)"), "气体浓度"),
    7: ("time_s", 1, _("time (s)"), "时间"),
    8: ("voltage_v", 0.1, _("voltage (V)"), "电压"),
    9: ("current_a", 0.1, _("current (A)"), "电流"),
    10: ("flow_lps", 0.1, _("flow (L/s)"), "流量"),
    11: ("air_volume_m3min", 0.1, _("air volume (m³/min)"), "风量"),
    12: ("wind_speed_ms", 1, _("wind speed (m/s)"), "风速"),
}

# Bits: (bit, name when set, English label, standard term). Bit 0 of the status words means
# "normal" when 1 and "test" when 0, but many devices in the field leave it 0 in normal running
# (the standard's own sample frames do), so it is shown and never changes what an event means.
SYSTEM_STATUS_BITS = (
    (1, "fire", _("fire alarm"), "火警"),
    (2, "fault", _("fault"), "故障"),
    (3, "shielded", _("shielded"), "屏蔽"),
    (4, "supervisory", _("supervisory"), "监管"),
    (5, "started", _("started"), "启动"),
    (6, "feedback", _("feedback"), "反馈"),
    (7, "delayed", _("delay"), "延时"),
    (8, "main_power_fault", _("main power fault"), "主电故障"),
    (9, "backup_power_fault", _("backup power fault"), "备电故障"),
    (10, "bus_fault", _("bus fault"), "总线故障"),
    (11, "manual_mode", _("manual mode"), "手动状态"),
    (12, "config_changed", _("configuration changed"), "配置改变"),
    (13, "reset", _("reset"), "复位"),
)
COMPONENT_STATUS_BITS = (
    (1, "fire", _("fire alarm"), "火警"),
    (2, "fault", _("fault"), "故障"),
    (3, "shielded", _("shielded"), "屏蔽"),
    (4, "supervisory", _("supervisory"), "监管"),
    (5, "started", _("started"), "启动"),
    (6, "feedback", _("feedback"), "反馈"),
    (7, "delayed", _("delay"), "延时"),
    (8, "power_fault", _("power fault"), "电源故障"),
)
SYSTEM_OPERATION_BITS = (
    (0, "reset", _("reset"), "复位"),
    (1, "silenced", _("silenced"), "消音"),
    (2, "manual_alarm", _("manual alarm"), "手动报警"),
    (3, "alarm_cleared", _("alarm cleared"), "警情消除"),
    (4, "self_check", _("self check"), "自检"),
    (5, "confirmed", _("confirmed"), "确认"),
    (6, "test", _("test"), "测试"),
)
DEVICE_STATUS_BITS = (
    (1, "fire", _("fire alarm"), "火警"),
    (2, "fault", _("fault"), "故障"),
    (3, "main_power_fault", _("main power fault"), "主电故障"),
    (4, "backup_power_fault", _("backup power fault"), "备电故障"),
    (5, "channel_fault", _("channel to the centre faulty"), "与监控中心通信信道故障"),
    (6, "line_fault", _("monitoring line fault"), "监测连接线路故障"),
)
DEVICE_OPERATION_BITS = (
    (0, "reset", _("reset"), "复位"),
    (1, "silenced", _("silenced"), "消音"),
    (2, "manual_alarm", _("manual alarm"), "手动报警"),
    (3, "alarm_cleared", _("alarm cleared"), "警情消除"),
    (4, "self_check", _("self check"), "自检"),
    (5, "inspection_answered", _("inspection answered"), "查岗应答"),
    (6, "test", _("test"), "测试"),
)
FAULT_FLAGS = frozenset(
    {
        "fault",
        "main_power_fault",
        "backup_power_fault",
        "bus_fault",
        "power_fault",
        "channel_fault",
        "line_fault",
    }
)
FLAG_LABELS = {
    name: (label, term)
    for table in (
        SYSTEM_STATUS_BITS,
        COMPONENT_STATUS_BITS,
        SYSTEM_OPERATION_BITS,
        DEVICE_STATUS_BITS,
        DEVICE_OPERATION_BITS,
    )
    for _bit, name, label, term in table
}


def flags(value, table):
    return [name for bit, name, _label, _term in table if value >> bit & 1]


def label(table, code):
    entry = table.get(code)
    if entry is None:
        return _("user defined") if code >= 128 else _("reserved")
    return entry[0]
