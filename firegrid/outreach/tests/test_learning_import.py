"""Online learning records: xlsx or CSV, all-or-nothing, problems by row and column."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from firegrid.outreach.models import LearningRecord

HEADER = "学习平台,记录编号,姓名,平台账号,对象类别,区域编码,课程,学时,完成日期,成绩"
TODAY = datetime.date.today()


def csv_file(*rows):
    text = "\n".join([HEADER, *rows]) + "\n"
    return SimpleUploadedFile("records.csv", text.encode("utf-8-sig"), content_type="text/csv")


def test_csv_import_all_or_nothing(world, client, api_client):
    w = world
    good = f"云平台,A1,张三,grid_worker_a,网格员,T5010101,家庭防火,2,{TODAY},90"
    bad_rows = [
        f"云平台,A2,李四,,房东,T5010101,家庭防火,2,{TODAY},90",  # unknown group
        f"云平台,A3,王五,,网格员,T5020101,家庭防火,x,{TODAY},",  # other street, bad hours
        "云平台,A1,重复,,网格员,T5010101,家庭防火,1,2026-13-01,",  # duplicate id, bad date
    ]
    client.force_login(w.street_officer)
    response = client.post("/outreach/learning/import/", {"file": csv_file(good, *bad_rows)})
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["result"].errors}
    assert {(3, "对象类别"), (4, "区域编码"), (4, "学时"), (5, "记录编号"), (5, "完成日期")} <= errors
    assert LearningRecord.objects.count() == 0
    response = client.post("/outreach/learning/import/", {"file": csv_file(good)})
    assert response.status_code == 200
    record = LearningRecord.objects.get()
    assert record.user == w.grid_worker_a and record.group == "grid_worker" and record.region == w.grid_a
    # the same export again: skipped, not doubled
    api_client.force_authenticate(w.street_officer)
    response = api_client.post(
        "/api/v1/outreach/learning/import/", {"file": csv_file(good)}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["skipped_existing"] == 1
    assert LearningRecord.objects.count() == 1


def test_xlsx_import_and_missing_columns(world, api_client):
    w = world
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["platform", "external_id", "name", "group", "region_code", "course", "hours", "completed_on"]
    )
    sheet.append(
        ["云平台", "X1", "赵六", "enforcement_staff", "T501", "执法程序", 8, datetime.datetime(2026, 1, 5)]
    )
    out = io.BytesIO()
    workbook.save(out)
    api_client.force_authenticate(w.street_officer)
    upload = SimpleUploadedFile("r.xlsx", out.getvalue())
    response = api_client.post(
        "/api/v1/outreach/learning/import/", {"file": upload, "dry_run": "true"}, format="multipart"
    )
    assert (
        response.status_code == 200
        and response.json()["created"] == 1
        and LearningRecord.objects.count() == 0
    )
    upload = SimpleUploadedFile("r.csv", "姓名,课程\n张三,x\n".encode())
    response = api_client.post("/api/v1/outreach/learning/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400 and "学习平台" in str(response.json()["file"])
    api_client.force_authenticate(w.grid_worker_a)  # no writing role
    response = api_client.post("/api/v1/outreach/learning/import/", {"file": upload}, format="multipart")
    assert response.status_code == 403
