"""The office's 廉情监测 pages: what integrity staff do on them (and the rows each form leaves), and the 404 every
other user gets — a county clerk who holds every other staff permission, integrity staff of another county, the
reporting deputy — with the attempt audited; every successful read of a clue (page, file, export) audited."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.core.models import AuditEvent
from lianxin.integrity import services
from lianxin.integrity.models import Clue, ClueStatus, MonitoringPoint
from lianxin.integrity.tests.conftest import MARKER

pytestmark = pytest.mark.django_db

BASE = "/office/integrity/"


def reads(clue) -> int:
    return AuditEvent.objects.filter(action="integrity.clue_read", object_id=str(clue.pk)).count()


def denials(user, clue) -> int:
    return AuditEvent.objects.filter(action="integrity.clue_denied", actor=user, object_id=str(clue.pk)).count()


def clue_urls(clue) -> list[tuple[str, str]]:
    return [
        ("get", f"{BASE}clues/{clue.pk}/"),
        ("post", f"{BASE}clues/{clue.pk}/share/"),
        ("post", f"{BASE}clues/{clue.pk}/attach/"),
        ("get", f"{BASE}clues/{clue.pk}/files/1/"),
    ]


def test_integrity_staff_read_a_clue_and_the_read_is_audited(client, world):
    client.force_login(world.integrity)
    response = client.get(f"{BASE}clues/{world.clue.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert MARKER in html and world.clue.number in html and "沈代表（代表）" in html
    assert reads(world.clue) == 1
    row = AuditEvent.objects.get(action="integrity.clue_read")
    assert row.actor == world.integrity and row.region_path == "" and MARKER not in row.object_repr + row.note


def test_the_list_shows_numbers_and_statuses_but_no_subject_or_text_and_reads_nothing(client, world):
    client.force_login(world.integrity)
    html = client.get(BASE).content.decode()
    assert world.clue.number in html and "已登记" in html
    assert MARKER not in html
    assert reads(world.clue) == 0
    assert "廉情监测" in html  # the menu entry


@pytest.mark.parametrize(
    "who", ["county_staff", "city_staff", "township_staff", "place_staff", "unit_handler", "no_role"]
)
def test_staff_without_the_permission_get_404_on_every_integrity_page_and_their_clue_attempts_are_audited(
    client, world, who
):
    user = getattr(world.personas, who)
    client.force_login(user)
    for url in (
        BASE,
        f"{BASE}clues/new/",
        f"{BASE}clues/export.xlsx",
        f"{BASE}points/",
        f"{BASE}points/{world.point.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    for method, url in clue_urls(world.clue):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert MARKER not in response.content.decode()
    assert denials(user, world.clue) == len(clue_urls(world.clue))
    assert reads(world.clue) == 0
    assert Clue.objects.get(pk=world.clue.pk).status == ClueStatus.REGISTERED
    assert "廉情监测" not in client.get("/office/").content.decode() or who == "no_role"


def test_integrity_staff_of_another_county_get_404_and_the_attempt_is_audited(client, world):
    client.force_login(world.anji_integrity)
    assert client.get(BASE).status_code == 200  # their own (empty) list
    assert world.clue.number not in client.get(BASE).content.decode()
    assert client.get(f"{BASE}clues/{world.clue.pk}/").status_code == 404
    assert client.get(f"{BASE}points/{world.point.pk}/").status_code == 404
    assert denials(world.anji_integrity, world.clue) == 1
    export = client.get(f"{BASE}clues/export.xlsx")
    assert world.clue.number not in str(list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values))


def test_the_reporting_deputy_sees_the_status_of_their_own_clue_only(client, world):
    other = services.clue_report(actor=world.monitor, point=world.point, subject="另一单位", text="另一线索")
    client.force_login(world.deputy_user)
    assert client.get(f"{BASE}clues/{world.clue.pk}/").status_code == 404
    assert denials(world.deputy_user, world.clue) == 1
    html = client.get(f"{BASE}mine/").content.decode()
    assert world.clue.number in html and "已登记" in html
    assert other.number not in html and MARKER not in html


def test_a_nonexistent_clue_answers_like_a_forbidden_one_and_is_audited_too(client, world):
    client.force_login(world.personas.county_staff)
    assert client.get(f"{BASE}clues/999999/").status_code == 404
    assert AuditEvent.objects.filter(action="integrity.clue_denied", object_id="999999").count() == 1


def test_integrity_staff_walk_a_clue_to_the_commission_through_the_page(client, world):
    client.force_login(world.integrity)
    url = f"{BASE}clues/{world.clue.pk}/"
    assert client.post(f"{url}share/", {"register_ref": "HT-1"}).status_code == 302
    response = client.post(f"{url}transfer/", {"receipt_number": ""})
    assert response.status_code == 400
    assert "移送纪委须填写纪委出具的回执号" in response.content.decode()
    response = client.post(f"{url}feedback/", {"feedback": "已立案"})
    assert response.status_code == 400 and "线索尚未移送纪委" in response.content.decode()
    client.post(f"{url}check/", {"check_date": "2026-01-05", "result": "属实", "participants": "县纪委"})
    client.post(f"{url}transfer/", {"receipt_number": "DQJW-9", "transferred_on": "2026-01-06"})
    client.post(f"{url}feedback/", {"feedback": "已立案审查", "feedback_on": "2026-01-10"})
    clue = Clue.objects.get(pk=world.clue.pk)
    assert (clue.status, clue.receipt_number, clue.feedback) == (ClueStatus.TRANSFERRED, "DQJW-9", "已立案审查")
    html = client.get(url).content.decode()
    assert "DQJW-9" in html and "已立案审查" in html and "问题移送" in html
    assert reads(clue) >= 7  # each page and each action read the clue


def test_integrity_staff_enter_a_clue_with_an_attachment_and_download_it_audited(client, world):
    client.force_login(world.integrity)
    response = client.post(
        f"{BASE}clues/new/",
        {
            "point": world.point.pk,
            "deputy": world.deputy.pk,
            "subject": "某镇站所",
            "text": "电话反映的线索",
            "attachments": [SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff fake jpeg")],
        },
    )
    clue = Clue.objects.exclude(pk=world.clue.pk).get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}clues/{clue.pk}/"
    assert clue.reporter == world.integrity and clue.reporter_deputy == world.deputy
    attachment = clue.attachments.get()
    assert attachment.name == "照片.jpg" and "media" not in attachment.file.path
    before = reads(clue)
    download = client.get(f"{BASE}clues/{clue.pk}/files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"\xff\xd8\xff fake jpeg"
    assert reads(clue) == before + 2  # the clue and its file
    client.force_login(world.personas.county_staff)
    assert client.get(f"{BASE}clues/{clue.pk}/files/{attachment.pk}/").status_code == 404


def test_an_empty_clue_is_refused_beside_its_field(client, world):
    client.force_login(world.integrity)
    response = client.post(f"{BASE}clues/new/", {"point": world.point.pk, "subject": "某局", "text": " "})
    assert response.status_code == 200
    assert "线索内容: 不能为空" in response.content.decode()
    assert Clue.objects.count() == 1


def test_the_export_is_the_clues_of_the_scope_each_read_audited(client, world):
    client.force_login(world.integrity)
    response = client.get(f"{BASE}clues/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("编号", "监测点", "区划")
    assert rows[1][0] == world.clue.number and MARKER in rows[1][6]
    assert AuditEvent.objects.filter(action="integrity.clue_read", note="导出线索台账").count() == 1


def test_integrity_staff_set_up_a_point_and_its_members(client, world):
    client.force_login(world.integrity)
    response = client.post(f"{BASE}points/", {"region": world.regions.qianyuan.code, "name": "乾元镇廉情监测点"})
    point = MonitoringPoint.objects.get(name="乾元镇廉情监测点")
    assert response.status_code == 302
    client.post(f"{BASE}points/{point.pk}/members/", {"staff": "monitor", "deputies": [world.deputy.pk]})
    assert list(point.staff.values_list("username", flat=True)) == ["monitor"]
    assert list(point.deputies.all()) == [world.deputy]
    response = client.post(f"{BASE}points/{point.pk}/members/", {"staff": "nobody"}, follow=True)
    assert "没有账号“nobody”" in response.content.decode()
    assert AuditEvent.objects.filter(action="integrity.point_members", object_id=str(point.pk)).count() == 1
    html = client.get(f"{BASE}points/").content.decode()
    assert "共 2 个监测点，分布在 2 个乡镇（街道）" in html


def test_the_django_admin_has_no_page_for_integrity_records_and_its_audit_log_and_outbox_show_none(client, world):
    client.force_login(world.personas.county_staff)
    assert client.get("/admin/integrity/clue/").status_code == 404
    assert client.get(f"/admin/integrity/clue/{world.clue.pk}/change/").status_code == 404
    for url in ("/admin/core/auditevent/", "/admin/notifications/notification/"):
        listing = client.get(url)
        assert listing.status_code == 200, url
        assert world.clue.number not in listing.content.decode(), url


def test_the_lists_ask_the_database_the_same_number_of_times_for_one_clue_or_many(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.integrity)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = {url: queries(url) for url in (BASE, f"{BASE}points/")}
    for n in range(5):
        services.clue_report(actor=world.monitor, point=world.point, subject=f"单位{n}", text="内容")
    assert {url: queries(url) for url in before} == before
