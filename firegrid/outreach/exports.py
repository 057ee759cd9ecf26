"""What each outreach list exports as xlsx: the rows the user may see (restrict()), filtered like the
list, with Chinese column titles (the ledgers are Chinese documents whatever the page language)."""

from dataclasses import dataclass

from firegrid.outreach import forms
from firegrid.outreach.models import (
    Attendance,
    Certificate,
    HomeDevice,
    HomeVisit,
    Household,
    LearningRecord,
    PublicityActivity,
    TrainingSession,
    Volunteer,
    VolunteerHours,
)


@dataclass(frozen=True)
class Dataset:
    model: type
    title: str
    columns: tuple  # (header, width, accessor)
    filterset: type | None = None
    related: tuple = ()


def _get(obj, path):
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
        if callable(obj):
            obj = obj()
    return obj


DATASETS = {
    "sessions": Dataset(
        TrainingSession,
        "培训场次",
        (
            ("日期", 12, "held_on"),
            ("主题", 30, "topic"),
            ("对象类别", 18, "get_audience_display"),
            ("方式", 10, "get_mode_display"),
            ("学时", 8, "hours"),
            ("授课人", 14, "trainer"),
            ("主办", 18, "organiser"),
            ("区域", 14, "region.name"),
            ("地点", 20, "location"),
        ),
        forms.SessionFilter,
        ("region",),
    ),
    "attendance": Dataset(
        Attendance,
        "参训人员",
        (
            ("日期", 12, "session.held_on"),
            ("培训主题", 30, "session.topic"),
            ("姓名", 12, "name"),
            ("对象类别", 18, "get_group_display"),
            ("单位或场所", 20, "organisation"),
            ("结果", 10, "get_result_display"),
            ("成绩", 8, "score"),
        ),
        None,
        ("session",),
    ),
    "certificates": Dataset(
        Certificate,
        "培训合格证",
        (
            ("证书编号", 20, "number"),
            ("姓名", 12, "attendance.name"),
            ("对象类别", 18, "attendance.get_group_display"),
            ("培训主题", 30, "attendance.session.topic"),
            ("发证日期", 12, "issued_on"),
            ("有效期至", 12, "expires_on"),
            ("发证单位", 18, "issued_by"),
            ("有效", 8, "is_valid"),
            ("撤销日期", 12, "revoked_on"),
        ),
        forms.CertificateFilter,
        ("attendance__session",),
    ),
    "learning": Dataset(
        LearningRecord,
        "线上学习记录",
        (
            ("学习平台", 18, "platform"),
            ("记录编号", 14, "external_id"),
            ("姓名", 12, "name"),
            ("对象类别", 18, "get_group_display"),
            ("区域", 14, "region.name"),
            ("课程", 30, "course"),
            ("学时", 8, "hours"),
            ("完成日期", 12, "completed_on"),
            ("成绩", 8, "score"),
        ),
        None,
        ("region",),
    ),
    "households": Dataset(
        Household,
        "特殊群体家庭",
        (
            ("网格", 14, "grid.name"),
            ("户主/主要居住人", 14, "name"),
            ("地址", 30, "address"),
            ("电话", 14, "phone"),
            ("独居老人", 8, "elderly_alone"),
            ("留守儿童", 8, "left_behind_child"),
            ("残疾人", 8, "disability"),
            ("居住人数", 8, "residents"),
            ("监护人/亲属", 12, "guardian_name"),
            ("监护人电话", 14, "guardian_phone"),
            ("一对一帮扶人", 12, "helper"),
            ("同意人", 12, "consent_by"),
            ("同意日期", 12, "consent_on"),
            ("同意范围", 30, "consent_scope"),
            ("最近走访", 12, "last_visited_on"),
            ("在册", 6, "is_active"),
        ),
        forms.HouseholdFilter,
        ("grid", "helper"),
    ),
    "visits": Dataset(
        HomeVisit,
        "敲门行动走访记录",
        (
            ("走访日期", 12, "visited_on"),
            ("家庭", 14, "household.name"),
            ("网格", 14, "household.grid.name"),
            ("走访人", 12, "visitor"),
            ("结果", 14, "get_outcome_display"),
            ("有烟感", 8, "get_alarms_present_display"),
            ("烟感完好", 10, "get_alarms_working_display"),
            ("本次安装烟感", 10, "alarms_installed"),
            ("发现隐患", 30, "hazard_labels"),
            ("转介", 20, "referral_labels"),
            ("需回访", 8, "follow_up_needed"),
            ("回访期限", 12, "follow_up_by"),
        ),
        None,
        ("household__grid", "visitor"),
    ),
    "devices": Dataset(
        HomeDevice,
        "特殊群体家庭技防设施",
        (
            ("家庭", 14, "household.name"),
            ("网格", 14, "household.grid.name"),
            ("设施", 18, "get_kind_display"),
            ("安装日期", 12, "installed_on"),
            ("安装单位", 16, "installed_by"),
            ("资金来源", 16, "funded_by"),
            ("型号", 14, "model"),
            ("物联设备编号", 18, "iot_device.ident"),
            ("拆除日期", 12, "removed_on"),
        ),
        None,
        ("household__grid", "iot_device"),
    ),
    "volunteers": Dataset(
        Volunteer,
        "消防志愿者",
        (
            ("姓名", 12, "name"),
            ("电话", 14, "phone"),
            ("区域", 14, "region.name"),
            ("队伍", 18, "team"),
            ("特长", 20, "skills"),
            ("加入日期", 12, "joined_on"),
            ("在册", 6, "is_active"),
        ),
        forms.VolunteerFilter,
        ("region", "team"),
    ),
    "hours": Dataset(
        VolunteerHours,
        "志愿服务时长",
        (
            ("日期", 12, "activity.held_on"),
            ("活动", 30, "activity.title"),
            ("类型", 14, "activity.get_kind_display"),
            ("志愿者", 12, "volunteer.name"),
            ("时长", 8, "hours"),
        ),
        None,
        ("activity", "volunteer"),
    ),
    "publicity": Dataset(
        PublicityActivity,
        "消防宣传活动",
        (
            ("日期", 12, "held_on"),
            ("名称", 30, "title"),
            ("类型", 18, "get_kind_display"),
            ("五进", 14, "get_target_display"),
            ("阵地", 18, "site"),
            ("区域", 14, "region.name"),
            ("主办", 16, "organiser"),
            ("覆盖人数", 10, "reach"),
        ),
        forms.PublicityFilter,
        ("region", "site"),
    ),
}


def export_rows(dataset, queryset):
    for obj in queryset.select_related(*dataset.related).iterator(chunk_size=2000):
        yield [_get(obj, accessor) for _header, _width, accessor in dataset.columns]


def export_queryset(name, user, params):
    """(dataset, queryset, errors) of a named export for the user."""
    dataset = DATASETS[name]
    queryset = dataset.model.objects.restrict(user)
    if dataset.filterset is not None:
        filterset = dataset.filterset(params, queryset=queryset)
        if not filterset.is_valid():
            return dataset, None, filterset.errors
        queryset = filterset.qs
    return dataset, queryset, None
