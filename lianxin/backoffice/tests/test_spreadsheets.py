import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lianxin.core.models import AuditEvent
from lianxin.venues.imports import PLACE_COLUMNS
from lianxin.venues.models import Place, PlaceKind

HEADERS = [column.header for column in PLACE_COLUMNS]


def sheet(rows: list[dict]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h, "") for h in HEADERS])
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("家站室.xlsx", out.getvalue())


STATION = {"名称": "居仁社区代表工作站", "类型": "代表工作站", "所在区划代码": "330521001001", "地址": "居仁路1号"}


def test_a_clerk_uploads_a_good_sheet_and_is_sent_back_to_the_list(client, personas):
    client.force_login(personas.township_staff)

    response = client.post(reverse("admin:venues_place_import"), {"file": sheet([STATION])})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:venues_place_changelist")
    place = Place.objects.get()
    assert (place.name, place.kind, place.region.name) == ("居仁社区代表工作站", PlaceKind.STATION, "居仁社区居委会")
    assert AuditEvent.objects.filter(object_type="venues.place", actor=personas.township_staff).exists()


def test_a_bad_sheet_shows_every_error_by_row_and_writes_nothing(client, personas):
    client.force_login(personas.township_staff)
    rows = [
        STATION,
        {**STATION, "名称": "城东村代表工作站", "所在区划代码": "330521101001"},  # 乾元镇: outside 武康
        {**STATION, "名称": "坏类型", "类型": "代表客厅"},
    ]

    response = client.post(reverse("admin:venues_place_import"), {"file": sheet(rows)})

    assert response.status_code == 200
    body = response.content.decode()
    assert "文件未导入，共 2 处错误" in body
    assert "第3行 所在区划代码" in body
    assert "第4行 类型" in body
    assert Place.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="venues.place").exists()


def test_roles_that_cannot_manage_the_registry_cannot_open_the_import_page(client, personas):
    client.force_login(personas.place_staff)
    assert client.get(reverse("admin:venues_place_import")).status_code == 403


def test_the_export_action_downloads_the_selected_rows_as_xlsx(client, personas, regions):
    inside = Place.objects.create(kind=PlaceKind.STATION, name="居仁站", region=regions.jueren)
    outside = Place.objects.create(kind=PlaceKind.STATION, name="城东站", region=regions.chengdong)
    client.force_login(personas.township_staff)

    response = client.post(
        reverse("admin:venues_place_changelist"),
        {"action": "export_xlsx", "_selected_action": [inside.pk, outside.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E5%AE%B6%E7%AB%99%E5%AE%A4-" in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][: len(HEADERS)] == tuple(HEADERS)
    assert [row[0] for row in rows[1:]] == ["居仁站"]  # 城东站 lies outside 武康街道
