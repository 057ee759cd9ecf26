#!/usr/bin/env python
"""Benchmark of issue 5: the hazard case list, detail and timeline API over ~1e6 cases on
PostgreSQL, served by gunicorn, loaded by wrk with 100 connections, beside a bare JSON endpoint of
the same server measured in the same run.

    .venv/bin/python bench/bench_hazards.py                # seed ~7 min + measure ~12 min on 2 cores
    .venv/bin/python bench/bench_hazards.py --reuse        # keep the seeded scratch database
    .venv/bin/python bench/bench_hazards.py --reuse --no-load   # one-client figures and EXPLAIN only

Needs PostgreSQL (DATABASE_URL's server; default postgres://firegrid:firegrid@127.0.0.1:5432),
`wrk` (apt-get install wrk) and gunicorn (requirements.txt). It DROPS and recreates the scratch
database (--db, default firegrid_bench_hz; never "firegrid"), migrates it, runs
`seed_demo --scale 25` (~1e5 places), then writes --cases hazard cases (default 1,000,000) with
2–8 timeline events each straight into the tables with COPY (not through hazards.actions: far too
slow for 1e6; the rows are what those functions would write), runs VACUUM ANALYZE, starts
gunicorn on 127.0.0.1, gets tokens from POST /api/v1/auth/token/, measures each endpoint as
district_admin, street_officer and grid_worker_a (one client, then wrk for a fixed time), stops
gunicorn, prints a table, and then looks at the SQL of each endpoint in process (query count,
slowest query; EXPLAIN ANALYZE of queries slower than --explain-ms). Loopback only; every load
run is bounded by --duration. It prints figures and asserts nothing about speed.

Helpers (database, gunicorn, wrk, idle wait) are bench_places.py's, imported.
"""

# ruff: noqa: S608 - SQL names only this file's table constants; values go as parameters
import argparse
import datetime
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_places as bp  # noqa: E402 - the sibling benchmark's helpers

PYTHON = bp.PYTHON
PERSONAS = ["district_admin", "street_officer", "grid_worker_a"]
SEARCH = "飞线充电"  # a phrase of one e-bike description template: ~4 % of cases
CASE_TABLE = "hazards_hazardcase"
EVENT_TABLE = "hazards_hazardevent"
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

# ---- synthetic cases -------------------------------------------------------------------------

CATEGORY_WEIGHTS = {
    "e_bike": 18,
    "evacuation": 15,
    "fire_facilities": 15,
    "electrical": 12,
    "fire_lane": 8,
    "open_flame": 7,
    "management": 6,
    "living_in_workplace": 5,
    "separation": 4,
    "windows": 4,
    "other": 4,
    "public_water": 2,
}
DESCRIPTIONS = {
    "e_bike": [
        "楼道内停放电动自行车{n}辆，堵塞疏散通道",
        "电动自行车在室内飞线充电，存在火灾风险",
        "一楼门厅电动车违规充电，插线板私拉乱接",
        "电动自行车停放于楼梯间，电池入户充电",
    ],
    "evacuation": [
        "安全出口上锁，营业期间无法开启",
        "疏散通道堆放杂物约{n}平方米",
        "疏散指示标志损坏{n}处，应急照明不亮",
        "常闭式防火门被木楔固定处于常开状态",
    ],
    "fire_facilities": [
        "灭火器过期{n}具，压力指针在红区",
        "室内消火栓箱内水带缺失，箱门被遮挡",
        "火灾自动报警系统故障，控制器显示{n}个故障点",
        "喷淋末端试水压力不足，阀门关闭",
    ],
    "electrical": [
        "私拉乱接电线，电线未穿管保护",
        "配电箱周边堆放可燃物，箱门缺失",
        "厨房燃气软管老化开裂，长度超过2米",
        "大功率电器同时使用，插座过载发热",
    ],
    "fire_lane": [
        "消防车通道被私家车占用，{n}辆车长期停放",
        "消防车登高操作场地设置地桩，无法使用",
        "小区消防车通道划线缺失，被摊位占用",
    ],
    "open_flame": [
        "店内违规动火作业，未办理动火审批",
        "仓库内存放易燃液体约{n}升",
        "住宅内违规储存液化石油气钢瓶{n}个",
    ],
    "living_in_workplace": [
        "“三合一”场所，生产区与住宿未分隔",
        "仓库阁楼住人{n}名，无独立疏散出口",
    ],
    "separation": [
        "防火门闭门器损坏，无法自行关闭",
        "装修使用易燃材料，吊顶为可燃板材",
        "管道井防火封堵缺失{n}处",
    ],
    "windows": [
        "外窗安装金属防盗网，无逃生窗口",
        "广告牌遮挡外窗，影响灭火救援",
    ],
    "management": [
        "未制定消防安全制度，无防火巡查记录",
        "员工不会使用灭火器，未组织消防培训",
        "消防控制室值班人员未持证上岗",
    ],
    "public_water": [
        "市政消火栓漏水，阀门锈死",
        "市政消火栓被车辆撞坏，出水口缺失",
    ],
    "other": [
        "其他火灾隐患：{n}楼走廊堆放纸箱",
        "屋顶平台搭建彩钢板房",
    ],
}
PUBLIC_CHANNELS = (["place_code", "web", "12345", "96119", "yukuaiban", "open311"], [40, 20, 25, 5, 5, 5])
PLACE_SOURCES = (
    ["inspection", "patrol", "self_check", "public", "iot", "department"],
    [35, 30, 10, 15, 5, 5],
)
OPEN_STATES = (
    ["reported", "confirmed", "ordered", "rectifying", "rectified", "reinspected"],
    [12, 15, 25, 28, 12, 8],
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
NOTES = {
    "confirmed": ["现场核实属实", "已到现场核实", ""],
    "ordered": ["已下达责令限期改正通知书", "要求限期整改", ""],
    "started": ["业主已开始整改", ""],
    "rectified": ["已整改完毕，附整改照片", "隐患已消除", "已清理完毕"],
    "reinspected_pass": ["复查合格", "现场复查已整改到位"],
    "reinspected_fail": ["复查未整改到位，重新限期", "仍有部分未整改"],
    "closed": ["结案", ""],
    "rejected": ["经核实不属于火灾隐患", "不属于本辖区管理，已告知来源"],
    "whistle": ["需行业部门协同处置", "街镇吹哨，请行业部门报到"],
    "checked_in": ["已报到，安排人员处置"],
    "comment": ["已联系网格员核实", "已电话联系报告人", "待现场查看"],
}


def _person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN + " ").strip()


def _phone(rng):
    return f"139{rng.randrange(10**8):08d}"


class Seeder:
    """Writes HazardCase and HazardEvent rows with COPY, consistent with hazards.actions/escalation:
    version = 1 + events that saved the case; step_due per hazards.deadlines; level grid → street
    for major and overdue cases, department when whistled; tracking codes unique, 10 characters of
    CODE_ALPHABET."""

    def __init__(self, url, cases, batch, seed=5):
        from django.conf import settings
        from django.db.models import JSONField
        from django.utils import timezone

        from firegrid.hazards.models import HazardCase, HazardEvent
        from firegrid.places.models import CODE_ALPHABET

        self.url = url
        self.total = cases
        self.batch = batch
        self.rng = random.Random(seed)
        self.alphabet = CODE_ALPHABET
        self.days = settings.HAZARD_DEADLINE_DAYS
        self.now = timezone.now().replace(microsecond=0)
        self.tz = timezone.get_current_timezone()
        self.case_cols, self.case_base = self._columns(HazardCase, JSONField)
        self.event_cols, self.event_base = self._columns(HazardEvent, JSONField)
        self.codes = set()

    @staticmethod
    def _columns(model, json_field):
        cols, base = [], {}
        for f in model._meta.concrete_fields:
            cols.append(f.column)
            value = f.get_default()
            base[f.column] = json.dumps(value) if isinstance(f, json_field) else value
        return cols, base

    def load(self, conn):
        """Places, grids, categories, departments and staff names to draw from."""
        cur = conn.cursor()
        cur.execute(
            "SELECT id, region_id, sector, authority, lat, lng, address, name, responsible_person,"
            " responsible_phone FROM places_place WHERE status <> 'closed' ORDER BY id"
        )
        self.places = cur.fetchall()
        if not self.places:
            cur.execute(
                "SELECT id, region_id, sector, authority, lat, lng, address, name, responsible_person,"
                " responsible_phone FROM places_place ORDER BY id"
            )
            self.places = cur.fetchall()
        cur.execute(
            "SELECT id, min_lat, max_lat, min_lng, max_lng, name FROM org_region WHERE level = 'grid'"
            " AND min_lat IS NOT NULL ORDER BY id"
        )
        self.grids = cur.fetchall()
        cur.execute("SELECT code, id, public FROM hazards_hazardcategory WHERE is_active")
        cats = {code: (pk, public) for code, pk, public in cur.fetchall()}
        missing = set(CATEGORY_WEIGHTS) - set(cats)
        if missing:
            sys.exit(f"hazard categories missing: {sorted(missing)}")
        self.cat_codes = list(CATEGORY_WEIGHTS)
        self.cat_weights = [CATEGORY_WEIGHTS[c] for c in self.cat_codes]
        self.cat_ids = {c: cats[c][0] for c in self.cat_codes}
        self.public_codes = [c for c in self.cat_codes if cats[c][1]]
        self.public_weights = [CATEGORY_WEIGHTS[c] for c in self.public_codes]
        cur.execute("SELECT id, name, sectors FROM org_orgunit WHERE kind = 'department' AND is_active")
        self.departments = {}
        for pk, name, sectors in cur.fetchall():
            for sector in sectors or []:
                self.departments.setdefault(sector, []).append((pk, name))
        cur.execute(
            "SELECT id, full_name FROM org_user WHERE is_active AND full_name <> '' ORDER BY id LIMIT 20000"
        )
        self.staff = cur.fetchall() or [(None, "System")]
        cur.execute("SELECT id, path FROM org_region")
        self.street_of = {}
        for pk, path in cur.fetchall():
            parts = [p for p in path.split("/") if p]
            self.street_of[pk] = parts[1] if len(parts) > 1 else parts[0]  # as HazardCase.street_code
        cur.execute("SELECT street_code, year, last FROM hazards_noticesequence")
        self.notices = {(street, year): last for street, year, last in cur.fetchall()}
        cur.execute(f"SELECT tracking_code FROM {CASE_TABLE}")
        self.codes = {row[0] for row in cur.fetchall()}

    def tracking_code(self):
        while True:
            code = "".join(self.rng.choices(self.alphabet, k=10))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def notice_number(self, region_id, year):
        """As NoticeSequence.next_number: per street/town and year, counted on."""
        key = (self.street_of[region_id], year)
        self.notices[key] = self.notices.get(key, 0) + 1
        return f"{key[0]}-{year}-{self.notices[key]:04d}"

    def end_of_day(self, day):
        return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=self.tz)

    def case(self, pk, created):  # noqa: C901, PLR0912, PLR0915 - one story per case, told in order
        rng = self.rng
        now = self.now
        row = dict(self.case_base)
        events = []
        staff = rng.choice(self.staff)

        # where and what
        if rng.random() < 0.9:
            place = rng.choice(self.places)
            pid, region, sector, authority, lat, lng, address, name, person, phone = place
            source = rng.choices(*PLACE_SOURCES)[0]
            codes, weights = (
                (self.public_codes, self.public_weights)
                if source == "public"
                else (
                    self.cat_codes,
                    self.cat_weights,
                )
            )
        else:
            pid, name, person, phone, sector, authority = None, "", "", "", "", ""
            grid = rng.choice(self.grids)
            region = grid[0]
            lat = round(rng.uniform(grid[1], grid[2]), 6)
            lng = round(rng.uniform(grid[3], grid[4]), 6)
            address = f"{grid[5]}附近{rng.randrange(1, 300)}号"
            source = "public"
            codes, weights = self.public_codes, self.public_weights
        category = rng.choices(codes, weights)[0]
        description = rng.choice(DESCRIPTIONS[category]).format(n=rng.randrange(2, 12))
        if source in ("inspection", "patrol", "self_check", "department"):
            channel = "staff"
        elif source == "iot":
            channel = "system"
        else:
            channel = rng.choices(*PUBLIC_CHANNELS)[0]
        row.update(
            id=pk,
            tracking_code=self.tracking_code(),
            place_id=pid,
            region_id=region,
            sector=sector or "",
            authority=authority or "",
            lat=lat,
            lng=lng,
            address=(address or "")[:300],
            description=description,
            category_id=self.cat_ids[category],
            source=source,
            channel=channel,
            is_public=source in ("public", "inspection", "patrol"),
            created_at=created,
        )
        if channel == "12345":
            row["external_ref"] = f"12345-{created:%Y%m%d}-{rng.randrange(10**5):05d}"
        if source == "public" and rng.random() < 0.7:
            row.update(reporter_name=_person(rng), reporter_phone=_phone(rng))
        elif source == "public":
            row["anonymous"] = True
        finding = source in ("inspection", "patrol", "self_check")

        # where the case ends up
        r = rng.random()
        if r < 0.70:
            status = "closed"
        elif r < 0.75:
            status = "rejected"
        else:
            status = rng.choices(*OPEN_STATES)[0]
        if finding and status == "reported":
            status = "confirmed"  # findings open confirmed
        major = status not in ("reported", "rejected") and rng.random() < 0.03
        whistled = (
            status not in ("reported", "confirmed", "rejected")
            and sector in self.departments
            and rng.random() < 0.03
        )
        failed_once = status in ("closed", "rectifying") and not whistled and rng.random() < 0.08
        is_open = status not in ("closed", "rejected")

        def label(kind):
            if kind == "reported" and source == "public" and channel not in ("12345", "96119", "yukuaiban"):
                return None, "Member of the public"
            if kind in ("reported",) and source == "iot":
                return None, "System"
            return staff

        # the chain of steps, at a normal pace from `created`
        chain = [("reported", "", "reported")]
        if finding:
            chain.append(("confirmed", "reported", "confirmed"))
        path = {
            "reported": [],
            "confirmed": ["confirmed"],
            "rejected": ["rejected"] if rng.random() < 0.6 else ["confirmed", "rejected"],
            "ordered": ["confirmed", "ordered"],
            "rectifying": ["confirmed", "ordered", "started"],
            "rectified": ["confirmed", "ordered", "started", "rectified"],
            "reinspected": ["confirmed", "ordered", "started", "rectified", "reinspected_pass"],
            "closed": ["confirmed", "ordered", "started", "rectified", "reinspected_pass", "closed"],
        }[status]
        if failed_once:
            if status == "closed":
                path = ["confirmed", "ordered", "rectified", "reinspected_fail", "rectified"]
                path += ["reinspected_pass", "closed"]
            else:
                path = ["confirmed", "ordered", "rectified", "reinspected_fail"]
        to = {
            "confirmed": "confirmed",
            "rejected": "rejected",
            "ordered": "ordered",
            "started": "rectifying",
            "rectified": "rectified",
            "reinspected_pass": "reinspected",
            "reinspected_fail": "rectifying",
            "closed": "closed",
        }
        current = chain[-1][2]
        for kind in path:
            if finding and kind == "confirmed":
                continue
            chain.append((kind, current, to[kind]))
            current = to[kind]
            if kind == "ordered" and whistled:
                chain.append(("whistle", current, current))
                if rng.random() < 0.75 or not is_open:
                    chain.append(("checked_in", current, current))
        if (
            len(chain) > 8
        ):  # at most 8 events: a whistled case skips "started" (rectified may follow an order)
            chain = [c for c in chain if c[0] != "started"]
            chain = [(k, "ordered" if k == "rectified" and f == "rectifying" else f, t) for k, f, t in chain]
        if status == "reported" or (rng.random() < 0.08 and len(chain) < 8):
            chain.insert(rng.randrange(1, len(chain) + 1), ("comment", None, None))

        # times: findings are reported and confirmed at once; other steps hours to days apart
        gaps = {
            "confirmed": (0.05, 2.5),
            "rejected": (0.05, 2.5),
            "ordered": (0.1, 2),
            "started": (0.5, 5),
            "rectified": (2, 14),
            "reinspected_pass": (0.5, 4.5),
            "reinspected_fail": (0.5, 4.5),
            "closed": (0.02, 2),
            "whistle": (0.1, 2),
            "checked_in": (0.2, 2.9),
            "comment": (0.01, 1.5),
        }
        at = created
        times = [created]
        for i, (kind, _f, _t) in enumerate(chain[1:], 1):
            if finding and i == 1:
                times.append(created)
                continue
            low, high = gaps[kind]
            at = at + datetime.timedelta(days=rng.uniform(low, high))
            times.append(at)
        if times[-1] > now - HOUR:  # a young case has not got that far yet
            keep = max(1, sum(1 for t in times if t <= now - HOUR))
            chain, times = chain[:keep], times[:keep]
            if chain[-1][0] == "comment":
                chain, times = chain[:-1], times[:-1]
            status = next(to for _k, _f, to in reversed(chain) if to is not None)
            is_open = status not in ("closed", "rejected")
            major = major and status not in ("reported", "rejected")
            if len(chain) == 1:
                chain.append(("comment", None, None))
                times.append(created + (now - HOUR - created) * rng.random())
        overdue = False
        step_due = None
        duration = 0
        if is_open:
            # the last step of an open case is recent; about a quarter of open cases are overdue
            overdue = rng.random() < 0.25
            duration = {
                "reported": self.days["confirm"],
                "confirmed": self.days["confirm"],
                "ordered": self.days["major" if major else "general"],
                "rectifying": self.days["major" if major else "general"],
                "rectified": self.days["reinspect"],
                "reinspected": self.days["reinspect"],
            }[status]
            if overdue:
                step_due = now - datetime.timedelta(days=rng.uniform(0.1, 40))
            else:
                step_due = now + datetime.timedelta(days=rng.uniform(0.05, duration))
            last = step_due - datetime.timedelta(days=duration)
            if len(times) > 1 and times[-2] < last < now - HOUR:
                times[-1] = last
        if times[-1] > now - HOUR:  # a young case: squeeze its steps into its age
            span = max((now - HOUR - created).total_seconds(), 60)
            used = max((times[-1] - created).total_seconds(), 1)
            times = [created + (t - created) * (span / used * 0.95) for t in times]
        if is_open:
            if step_due <= times[-1]:  # too young to be overdue
                step_due = times[-1] + datetime.timedelta(days=duration)
            if status in ("ordered", "rectifying"):
                step_due = self.end_of_day(step_due.astimezone(self.tz).date())
            if step_due <= times[-1]:
                step_due = times[-1] + HOUR
            overdue = step_due < now

        # the case row as the steps left it
        version = 1
        level = "grid"
        deadline = ordered_year = None
        for (kind, _from, _to), t in zip(chain, times, strict=True):
            if kind in ("reported", "comment"):
                continue
            version += 1
            if kind == "confirmed":
                row["confirmed_at"] = t
            elif kind in ("ordered", "reinspected_fail"):
                ordered_year = ordered_year or t.astimezone(self.tz).year
                deadline = (t + DAY * self.days["major" if major else "general"]).astimezone(self.tz).date()
            elif kind == "whistle":
                department = rng.choice(self.departments[sector])
                level = "department"
                row.update(
                    department_id=department[0],
                    whistled_at=t,
                    checkin_due=t + DAY * self.days["checkin"],
                    _department_name=department[1],
                )
            elif kind == "checked_in":
                row["checked_in_at"] = t
            elif kind in ("closed", "rejected"):
                row["closed_at"] = t
        if major:
            row["severity"] = "major"
            if level == "grid":
                level = "street"
        if row.get("confirmed_at") is None and finding:
            row["confirmed_at"] = created
        if deadline is not None:
            if status in ("ordered", "rectifying") and step_due is not None:
                deadline = step_due.astimezone(self.tz).date()
            row.update(
                deadline=deadline,
                responsible_party=(person or name or "")[:120],
                responsible_phone=(phone or "")[:40],
                notice_number=self.notice_number(region, ordered_year),
            )
        if status == "closed":
            row["close_reason"] = "fixed"
        elif status == "rejected":
            row["close_reason"] = "not_hazard" if rng.random() < 0.7 else "not_responsible"
        row["step_due"] = step_due
        extra = []
        if overdue:
            marked = step_due + datetime.timedelta(hours=rng.uniform(0.1, 1))
            if marked < now and len(chain) < 8:
                row["overdue_at"] = marked
                version += 1
                extra.append(
                    (
                        "overdue",
                        marked,
                        {"step": status, "due": step_due.isoformat()},
                        False,
                        (None, "System"),
                    )
                )
                if level == "grid" and len(chain) < 7:
                    level = "street"
                    version += 1
                    extra.append(
                        (
                            "escalated",
                            marked,
                            {"from_level": "grid", "to_level": "street"},
                            True,
                            (None, "System"),
                        )
                    )
        if rng.random() < 0.01 and is_open:
            row["supervised_at"] = times[-1]
            row["supervision_due"] = times[-1] + DAY * self.days["supervise"]
            if row["supervision_due"] < now - HOUR:  # the sweep has seen it
                row["supervision_overdue_at"] = row["supervision_due"] + HOUR
        if is_open and row["department_id"] and not row["checked_in_at"] and row["checkin_due"] < now - HOUR:
            row["checkin_overdue_at"] = row["checkin_due"] + HOUR
        row["status"] = status
        row["level"] = level
        row["version"] = version
        row["updated_at"] = max([times[-1]] + [e[1] for e in extra])
        department_name = row.pop("_department_name", "")

        # the events
        state = "reported"
        for (kind, from_status, to_status), t in zip(chain, times, strict=True):
            actor_id, actor_name = label(kind)
            data = {}
            public = True
            note = rng.choice(NOTES[kind]) if kind in NOTES else ""
            if kind == "reported":
                data = {"channel": channel, "source": source}
            elif kind == "confirmed":
                data = {"severity": "major" if major else "general"}
            elif kind in ("ordered", "reinspected_fail"):
                data = {"deadline": str(deadline or ""), "notice_number": row["notice_number"]}
            elif kind in ("closed", "rejected"):
                data = {"close_reason": row["close_reason"]}
            elif kind == "whistle":
                data = {
                    "department": row["department_id"],
                    "department_name": department_name,
                    "checkin_due": row["checkin_due"].isoformat(),
                    "from_level": "grid",
                }
            elif kind == "checked_in":
                data = {"department": row["department_id"], "late": False}
            elif kind == "comment":
                public = False
            if kind.startswith("reinspected"):
                data = {"passed": kind == "reinspected_pass", **data}
            from_status = state if from_status is None else from_status
            to_status = state if to_status is None else to_status
            state = to_status
            events.append((kind, from_status, to_status, actor_id, actor_name, t, note, data, public))
        for kind, t, data, public, (actor_id, actor_name) in extra:
            events.append((kind, state, state, actor_id, actor_name, t, "", data, public))
        return row, events

    def _write(self, conn, cur, case_id, event_id, stamps, started):
        written_cases = written_events = 0
        next_report = 100_000
        case_cols = ", ".join(self.case_cols)
        event_cols = ", ".join(self.event_cols)
        for chunk_start in range(0, self.total, self.batch):
            cases, events = [], []
            for stamp in stamps[chunk_start : chunk_start + self.batch]:
                case_id += 1
                created = datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC)
                row, steps = self.case(case_id, created)
                cases.append(tuple(row[c] for c in self.case_cols))
                for kind, from_status, to_status, actor_id, actor_name, at, note, data, public in steps:
                    event_id += 1
                    ev = dict(self.event_base)
                    ev.update(
                        id=event_id,
                        case_id=case_id,
                        kind=kind,
                        from_status=from_status,
                        to_status=to_status,
                        actor_id=actor_id,
                        actor_label=actor_name or "",
                        at=at,
                        note=note,
                        data=json.dumps(data, ensure_ascii=False),
                        is_public=public,
                    )
                    events.append(tuple(ev[c] for c in self.event_cols))
            with cur.copy(f"COPY {CASE_TABLE} ({case_cols}) FROM STDIN") as copy:
                for values in cases:
                    copy.write_row(values)
            with cur.copy(f"COPY {EVENT_TABLE} ({event_cols}) FROM STDIN") as copy:
                for values in events:
                    copy.write_row(values)
            conn.commit()
            written_cases += len(cases)
            written_events += len(events)
            if written_cases >= next_report or written_cases == self.total:
                elapsed = time.perf_counter() - started
                log(
                    f"  {written_cases:,} cases, {written_events:,} events in {elapsed:.0f} s "
                    f"({written_cases / elapsed:,.0f} cases/s, "
                    f"{(written_cases + written_events) / elapsed:,.0f} rows/s)"
                )
                next_report += 100_000
        return written_cases, written_events

    def run(self):  # noqa: PLR0915
        import psycopg

        started = time.perf_counter()
        with psycopg.connect(self.url) as conn:
            self.load(conn)
            log(
                f"  drawing from {len(self.places):,} places, {len(self.grids):,} grids, "
                f"{sum(len(v) for v in self.departments.values())} department-sector pairs"
            )
            cur = conn.cursor()
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {CASE_TABLE}")
            case_id = cur.fetchone()[0]
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {EVENT_TABLE}")
            event_id = cur.fetchone()[0]
            span = (self.now - datetime.timedelta(days=3 * 365)).timestamp(), self.now.timestamp() - 7200
            # creation times, oldest first (ids follow time), a little denser in recent months
            stamps = sorted(
                span[0] + (span[1] - span[0]) * (self.rng.random() ** 0.85) for _ in range(self.total)
            )
            # GIN (trigram) indexes cost more kept up row by row than built once afterwards
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [CASE_TABLE, "% USING gin %"],
            )
            gin = cur.fetchall()
            for name, _definition in gin:
                cur.execute(f'DROP INDEX "{name}"')
            conn.commit()
            try:
                written_cases, written_events = self._write(conn, cur, case_id, event_id, stamps, started)
            finally:
                if gin:
                    build = time.perf_counter()
                    conn.rollback()  # nothing pending after the last chunk; after a failure, the failure
                    cur.execute("SET maintenance_work_mem = '512MB'")
                    for _name, definition in gin:
                        cur.execute(definition)
                    conn.commit()
                    log(f"  {len(gin)} GIN indexes built again in {time.perf_counter() - build:.0f} s")
            cur.executemany(
                "INSERT INTO hazards_noticesequence (street_code, year, last) VALUES (%s, %s, %s) "
                "ON CONFLICT (street_code, year) DO UPDATE SET last = GREATEST(hazards_noticesequence.last, "
                "EXCLUDED.last)",
                [(street, year, last) for (street, year), last in self.notices.items()],
            )
            for table in (CASE_TABLE, EVENT_TABLE):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            conn.commit()
        return written_cases, written_events, time.perf_counter() - started


# ---- measuring -------------------------------------------------------------------------------


def log(message):
    bp.log(message)


def django_setup(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    sys.path.insert(0, str(bp.REPO))
    import django

    django.setup()


def sql(query, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def case_count():
    try:
        return sql(f"SELECT count(*) FROM {CASE_TABLE}")[0][0]
    except Exception:  # noqa: BLE001 - no table yet: not seeded
        return 0


def persona_scopes():
    """The region path each persona's list is scoped to (None: the whole district)."""
    from firegrid.org.models import User

    scopes = {}
    for username in PERSONAS:
        user = User.objects.get(username=username)
        if user.is_superuser:
            scopes[username] = None
            continue
        paths = {a.region.path for a in user.role_assignments.select_related("region") if a.region_id}
        scopes[username] = min(paths, key=len)
    return scopes


def target_case(path):
    """The newest case with 8 timeline events inside the region path (None: anywhere)."""
    where, params = ("", []) if path is None else ("AND r.path LIKE %s", [path + "%"])
    rows = sql(
        f"SELECT c.id FROM {CASE_TABLE} c JOIN org_region r ON r.id = c.region_id "
        f"WHERE (SELECT count(*) FROM {EVENT_TABLE} e WHERE e.case_id = c.id) = 8 {where} "
        "ORDER BY c.id DESC LIMIT 1",
        params,
    )
    if not rows:
        sys.exit(f"no case with 8 events under {path}")
    return rows[0][0]


def data_summary(scopes):
    from firegrid.hazards.models import HazardCase

    summary = {}
    for name, query, params in (
        ("cases", f"SELECT count(*) FROM {CASE_TABLE}", []),
        ("events", f"SELECT count(*) FROM {EVENT_TABLE}", []),
        ("closed", f"SELECT count(*) FROM {CASE_TABLE} WHERE status = 'closed'", []),
        ("rejected", f"SELECT count(*) FROM {CASE_TABLE} WHERE status = 'rejected'", []),
        ("without place", f"SELECT count(*) FROM {CASE_TABLE} WHERE place_id IS NULL", []),
        ("major", f"SELECT count(*) FROM {CASE_TABLE} WHERE severity = 'major'", []),
        ("whistled", f"SELECT count(*) FROM {CASE_TABLE} WHERE department_id IS NOT NULL", []),
        (
            f"search {SEARCH}",
            f"SELECT count(*) FROM {CASE_TABLE} WHERE description LIKE %s",
            [f"%{SEARCH}%"],
        ),
        (
            "8-event cases",
            f"SELECT count(*) FROM (SELECT case_id FROM {EVENT_TABLE} GROUP BY case_id"
            " HAVING count(*) = 8) x",
            [],
        ),
    ):
        summary[name] = sql(query, params)[0][0]
    summary["open"] = HazardCase.objects.open().count()  # as the API's open=1 and overdue=1 mean them
    summary["overdue"] = HazardCase.objects.overdue().count()
    for persona, path in scopes.items():
        if path is not None:
            summary[f"{persona} scope"] = sql(
                f"SELECT count(*) FROM {CASE_TABLE} c JOIN org_region r ON r.id = c.region_id "
                "WHERE r.path LIKE %s",
                [path + "%"],
            )[0][0]
    size = sql(
        "SELECT pg_total_relation_size(%s), pg_total_relation_size(%s), pg_relation_size(%s),"
        " pg_relation_size(%s)",
        [CASE_TABLE, EVENT_TABLE, CASE_TABLE, EVENT_TABLE],
    )[0]
    summary["size"] = size
    return summary


def timed(url, token, repeat, budget_s=20):
    """Median and p95 ms of one client's requests in a row (at least 5, then within budget_s)."""
    samples = []
    start_all = time.perf_counter()
    for i in range(repeat):
        start = time.perf_counter()
        bp.http(url, token=token, timeout=120)
        samples.append((time.perf_counter() - start) * 1000)
        if i >= 4 and time.perf_counter() - start_all > budget_s:
            break
    samples.sort()
    return statistics.median(samples), samples[max(0, round(len(samples) * 0.95) - 1)], len(samples)


def describe(url, token):
    status, body = bp.http(url, token=token, timeout=120)
    if status != 200:
        sys.exit(f"{url} answered {status}")
    data = json.loads(body)
    if isinstance(data, dict) and "results" in data:
        return len(data["results"]), len(body), data.get("count")
    return (1 if isinstance(data, dict) else len(data)), len(body), None


def endpoints(targets):
    """(label, path per persona) of the measured endpoints."""
    search = urllib.parse.quote(SEARCH)
    common = [
        ("list", "/api/v1/hazards/?limit=50"),
        ("open=1", "/api/v1/hazards/?limit=50&open=1"),
        ("overdue=1", "/api/v1/hazards/?limit=50&overdue=1"),
        ("category=e_bike", "/api/v1/hazards/?limit=50&category=e_bike"),
        (f"search={SEARCH}", f"/api/v1/hazards/?limit=50&search={search}"),
    ]
    out = [(label, dict.fromkeys(PERSONAS, path)) for label, path in common]
    out.append(("detail", {p: f"/api/v1/hazards/{targets[p]}/" for p in PERSONAS}))
    out.append(("timeline (8 events)", {p: f"/api/v1/hazards/{targets[p]}/timeline/" for p in PERSONAS}))
    return out


def explain(measured, tokens, threshold_ms):
    """Each endpoint in process once (after a warm-up request): queries, their total and slowest
    time, and EXPLAIN ANALYZE of queries slower than threshold_ms."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    found = []
    plans = []
    for label, paths in measured:
        for persona in PERSONAS:
            headers = {"HTTP_AUTHORIZATION": f"Token {tokens[persona]}", "HTTP_ACCEPT_LANGUAGE": "en"}
            client.get(paths[persona], **headers)
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(paths[persona], **headers)
                total = (time.perf_counter() - start) * 1000
            queries = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
            slowest = max(queries, default=(0, ""))
            found.append(
                (
                    label,
                    persona,
                    response.status_code,
                    total,
                    len(queries),
                    sum(q[0] for q in queries),
                    slowest[0],
                )
            )
            for ms, query in queries:
                if ms >= threshold_ms:
                    with connection.cursor() as cur:
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
                        plan = "\n".join(r[0] for r in cur.fetchall())
                    plans.append((label, persona, ms, query, plan))
    return found, plans


def main():  # noqa: PLR0915
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=25, help="seed_demo scale (25 ≈ 1e5 places)")
    parser.add_argument("--cases", type=int, default=1_000_000, help="hazard cases to write")
    parser.add_argument("--batch", type=int, default=20_000, help="cases per COPY and commit")
    parser.add_argument("--db", default="firegrid_bench_hz", help="scratch database, dropped and recreated")
    parser.add_argument("--reuse", action="store_true", help="keep the scratch database if it is seeded")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load before each")
    parser.add_argument("--repeat", type=int, default=20, help="one-client requests (fewer if slow)")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE of the server")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--only", help="measure only endpoints whose label contains this")
    parser.add_argument("--no-load", action="store_true", help="skip wrk (one-client figures only)")
    parser.add_argument(
        "--explain-ms", type=float, default=200, help="EXPLAIN ANALYZE queries slower than this"
    )
    parser.add_argument(
        "--wait-idle", type=int, default=60, help="wait up to N s before each run for other work to stop"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    if args.duration > 120 or args.connections > 1000:
        sys.exit("keep --duration ≤ 120 s and --connections ≤ 1000")

    scratch_url, admin_url = bp.database_urls(args)
    env = bp.django_env(scratch_url, args.conn_max_age)
    psycopg_url = scratch_url.replace("postgres://", "postgresql://", 1)
    seed_s = cases_s = None
    places = 0
    if args.reuse:
        try:
            out = bp.run(
                [
                    PYTHON,
                    "manage.py",
                    "shell",
                    "-c",
                    "from firegrid.places.models import Place; print(Place.objects.count())",
                ],
                env,
                capture_output=True,
                text=True,
            ).stdout
            places = int(out.strip().splitlines()[-1])
        except (subprocess.CalledProcessError, ValueError, IndexError):
            places = 0
    if places:
        bp.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)  # the code may have moved on
    else:
        log(f"Recreating database {args.db}, migrating, seed_demo --scale {args.scale} …")
        bp.recreate_database(admin_url, args.db)
        bp.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        start = time.perf_counter()
        bp.run([PYTHON, "manage.py", "seed_demo", f"--scale={args.scale}"], env, stdout=subprocess.DEVNULL)
        seed_s = time.perf_counter() - start
        log(f"  seed_demo --scale {args.scale}: {seed_s:.0f} s")

    django_setup(env)
    from django.db import connection

    have = case_count()
    if have < args.cases * 0.99:
        if have > 10_000:  # seed_demo writes a few hundred through the services; more is a broken run
            sys.exit(f"{have:,} cases in {args.db}, fewer than asked: run without --reuse to start afresh")
        log(f"Writing {args.cases:,} hazard cases with COPY …")
        written, events, copy_s = Seeder(psycopg_url, args.cases, args.batch).run()
        start = time.perf_counter()
        connection.close()
        import psycopg

        with psycopg.connect(psycopg_url, autocommit=True) as conn:
            conn.execute(f"VACUUM ANALYZE {CASE_TABLE}")
            conn.execute(f"VACUUM ANALYZE {EVENT_TABLE}")
        analyze_s = time.perf_counter() - start
        cases_s = (written, events, copy_s, analyze_s)
        log(f"  COPY {copy_s:.0f} s, VACUUM ANALYZE {analyze_s:.0f} s")
        # COPY bypasses the case counts the transitions keep (hazards.tally): count them again
        from firegrid.hazards import tally

        start = time.perf_counter()
        rows = tally.rebuild()
        log(f"  case tally rebuilt ({sum(rows):,} rows): {time.perf_counter() - start:.0f} s")

    scopes = persona_scopes()
    targets = {p: target_case(path) for p, path in scopes.items()}
    summary = data_summary(scopes)
    versions = sql(
        "SELECT version(), (SELECT count(*) FROM places_place), "
        "(SELECT count(*) FROM org_region WHERE level = 'grid')"
    )[0]
    pg_version, place_count, grid_count = versions
    connection.close()
    log(f"Data: {json.dumps({k: v for k, v in summary.items() if k != 'size'}, ensure_ascii=False)}")

    measured = endpoints(targets)
    if args.only:
        measured = [e for e in measured if args.only in e[0]]
    gunicorn_version = subprocess.run(  # noqa: S603
        [str(Path(PYTHON).with_name("gunicorn")), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()

    server = bp.start_server(args, env)
    base = f"http://127.0.0.1:{args.port}"
    rows = []
    tokens = {}
    try:
        for username in PERSONAS:
            _status, body = bp.http(
                f"{base}/api/v1/auth/token/", {"username": username, "password": "firegrid-demo-2026"}
            )
            tokens[username] = json.loads(body)["token"]

        def measure(label, persona, path):
            url = base + path
            token = tokens.get(persona)
            count, size, total = describe(url, token)
            figures = None
            if args.no_load:
                background = bp.wait_idle(args.wait_idle)
                single = timed(url, token, args.repeat)
                log(f"  {persona or '-'} {label}: 1 client {single[0]:.0f} ms (other CPU {background:.0%})")
            else:
                single = timed(url, token, args.repeat)
                if args.warmup:
                    bp.wrk(url, token, args.warmup, args.connections, args.wrk_threads)
                background = bp.wait_idle(args.wait_idle)
                log(f"  {persona or '-'} {label} (other CPU {background:.0%}; 1 client {single[0]:.0f} ms) …")
                figures = bp.wrk(url, token, args.duration, args.connections, args.wrk_threads)
            rows.append((label, persona or "(no auth)", count, size, total, single, figures, background))

        log(f"Load: wrk -c {args.connections} -d {args.duration}s per endpoint")
        measure("bare JSON /api/v1/ping", None, "/api/v1/ping")
        for label, paths in measured:
            for persona in PERSONAS:
                measure(label, persona, paths[persona])
        measure("bare JSON /api/v1/ping (again)", None, "/api/v1/ping")
    finally:
        bp.stop_server(server)

    log("SQL of each endpoint, in process …")
    found, plans = explain(measured, tokens, args.explain_ms)
    connection.close()

    # ---- report ----
    size = summary["size"]
    print(f"# firegrid hazard case API benchmark — {time.strftime('%Y-%m-%d')}")
    seeded = (f"seed_demo --scale {args.scale} {seed_s:.0f} s; " if seed_s else "places reused; ") + (
        f"{cases_s[0]:,} cases + {cases_s[1]:,} events written with COPY in {cases_s[2]:.0f} s "
        f"({(cases_s[0] + cases_s[1]) / cases_s[2]:,.0f} rows/s), VACUUM ANALYZE {cases_s[3]:.0f} s"
        if cases_s
        else "cases reused"
    )
    print(
        f"{summary['cases']:,} cases, {summary['events']:,} events over {place_count:,} places in "
        f"{grid_count:,} grids ({seeded}). "
        f"Open {summary['open']:,}, overdue {summary['overdue']:,}, closed {summary['closed']:,}, rejected "
        f"{summary['rejected']:,}, without a place {summary['without place']:,}, major {summary['major']:,}, "
        f"whistled {summary['whistled']:,}; '{SEARCH}' in {summary[f'search {SEARCH}']:,} descriptions; "
        f"{summary['8-event cases']:,} cases with 8 events. Scope: "
        + ", ".join(f"{p} {summary[f'{p} scope']:,}" for p in PERSONAS if f"{p} scope" in summary)
        + f" cases. Size: {CASE_TABLE} {size[0] / 2**20:,.0f} MB ({size[2] / 2**20:,.0f} MB heap), "
        f"{EVENT_TABLE} {size[1] / 2**20:,.0f} MB ({size[3] / 2**20:,.0f} MB heap)."
    )
    print(
        f"{pg_version.split(' on ')[0]}; {gunicorn_version}, {args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f", DB_CONN_MAX_AGE={args.conn_max_age}; wrk -t{args.wrk_threads} -c{args.connections} "
        f"-d{args.duration}s after {args.warmup} s warm-up; {os.cpu_count()} CPUs shared by all"
    )
    print(
        "\n| endpoint | persona | rows | count | KB | 1 client median ms | req/s | p50 ms | p95 ms | p99 ms "
        "| errors | other CPU |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, persona, count, nbytes, total, single, f, background in rows:
        load = (
            f"{f['rps']:.0f} | {f['p50_us'] / 1000:.0f} | {f['p95_us'] / 1000:.0f} "
            f"| {f['p99_us'] / 1000:.0f} | {f['errors']}"
            if f
            else "- | - | - | - | -"
        )
        print(
            f"| {label} | {persona} | {count if persona != '(no auth)' else '-'} "
            f"| {total if total is not None else '-'} | {nbytes / 1024:.1f} | {single[0]:.1f} | {load} "
            f"| {background:.0%} |"
        )
    print("\nSQL per request (in process, one request after a warm-up):\n")
    print("| endpoint | persona | status | request ms | queries | SQL ms | slowest query ms |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, persona, status, total, n, sql_ms, slowest in found:
        print(f"| {label} | {persona} | {status} | {total:.1f} | {n} | {sql_ms:.1f} | {slowest:.1f} |")
    loaded = [r for r in rows if r[1] != "(no auth)" and r[6]]
    if loaded:
        worst = max(loaded, key=lambda r: r[6]["p95_us"])
        print(f"\nWorst p95: {worst[6]['p95_us'] / 1000:.0f} ms ({worst[0]}, {worst[1]}).")
    for label, persona, ms, query, plan in plans:
        print(
            f"\n## slow query: {label} as {persona}, {ms:.0f} ms\n\n```sql\n{query}\n```\n\n```\n{plan}\n```"
        )


if __name__ == "__main__":
    main()
