"""The grid worker's phone pages (网格员, issue 15): their grid's cases, reporting a problem, following a case up."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from lianxin.accounts.roles import Role
from lianxin.accounts.services import role_grant
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Case, CaseEvent, Channel, GridFollowUp, Status
from lianxin.cases.services import case_register
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import GridWorker, GridWorkerPairing
from lianxin.portal.tests.conftest import LAT, LNG, photo_bytes
from lianxin.regions.services import grid_save
from lianxin.testing import square

pytestmark = pytest.mark.django_db

INSIDE = {"lat": f"{LAT + 0.005:.6f}", "lng": f"{LNG + 0.005:.6f}"}
OUTSIDE = {"lat": f"{LAT + 0.05:.6f}", "lng": f"{LNG + 0.05:.6f}"}  # in 德清, but five grids away


@pytest.fixture
def grid(world, regions, personas):
    """陆小芳, the grid worker of 居仁一网格, with her account and her deputy; 城东一网格 is somebody else's."""
    worker = GridWorker.objects.get(name="陆小芳")
    worker.user = personas.grid_worker
    worker.save()
    GridWorkerPairing.objects.create(deputy=world.deputy, grid_worker=worker)
    other = grid_save(
        actor=None, region=regions.chengdong, code="330521101001G01", name="城东一网格", polygon=square(LNG + 0.1, LAT)
    )
    return SimpleNamespace(worker=worker, other=other, user=personas.grid_worker)


def register(where, title="居仁路路灯不亮", **fields):
    values = {"actor": None, "channel": "online", "title": title, "body": f"{title}，请尽快处理", "grid": where}
    values.update(fields)
    actor = values.pop("actor")
    return case_register(actor=actor, draft=CaseDraft(**values)).case


def upload(name="site.jpg", data=None):
    return SimpleUploadedFile(name, data or photo_bytes(), content_type="image/jpeg")


def report(client, **fields):
    values = {"text": "居仁路12号门口井盖松动\n晚上有老人险些摔倒", "form_token": "token-1", **fields}
    return client.post("/w/grid/report", values)


def test_a_grid_worker_who_logs_in_at_the_workbench_lands_on_their_grid_home(client, grid):
    response = client.post("/w/login/", {"username": "grid_worker", "password": "pw-for-tests-only"})
    assert response.status_code == 302 and response["Location"] == "/w/"
    response = client.get("/w/")
    assert response.status_code == 302 and response["Location"] == "/w/grid/"
    html = client.get("/w/grid/").content.decode()
    assert "陆小芳的网格" in html and "居仁一网格" in html and "居仁社区居委会" in html
    assert "开始接待" not in html  # the deputy's menu is not theirs


def test_the_grid_pages_are_for_linked_active_grid_workers_only(client, grid, personas):
    assert client.get("/w/grid/")["Location"].startswith("/w/login/")
    for user in (personas.deputy, personas.no_role, personas.county_staff):
        client.force_login(user)
        assert client.get("/w/grid/").status_code == 403
    GridWorker.objects.filter(pk=grid.worker.pk).update(is_active=False)
    client.force_login(grid.user)
    assert client.get("/w/grid/").status_code == 403
    refused = client.get("/w/")  # no longer redirected: not a grid worker now
    assert refused.status_code == 403 and "此账号没有关联代表或网格员" in refused.content.decode()


def test_the_home_groups_the_grids_cases_and_shows_no_other_grids(client, world, grid):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40)):
        old = register(world.grid, title="上上月办结的一件")
    running = register(world.grid, title="正在办的一件")
    replied = register(world.grid, title="已答复的一件")
    closed = register(world.grid, title="本月办结的一件")
    # Test set-up: the statuses a workflow would have reached, written directly.
    Case.objects.filter(pk=replied.pk).update(status=Status.REPLIED)
    Case.objects.filter(pk__in=[closed.pk, old.pk]).update(status=Status.CLOSED)
    register(grid.other, title="别的网格的一件")
    client.force_login(grid.user)
    html = client.get("/w/grid/").content.decode()
    sections = {name: html[html.index(f'id="{name}"') :] for name in ("open", "feedback", "closed")}
    assert running.title in sections["open"][: sections["open"].index('id="feedback"')]
    assert replied.title in sections["feedback"][: sections["feedback"].index('id="closed"')]
    assert closed.title in sections["closed"] and old.title not in html
    assert "别的网格的一件" not in html
    assert "办理中（1）" in html and "待反馈、待评价（1）" in html and "本月办结（1）" in html


def test_a_case_of_another_grid_is_a_404_and_one_of_their_grid_opens(client, world, grid):
    mine = register(world.grid, title="本网格的一件", person_name="王秀英", person_phone="13957211234")
    theirs = register(grid.other, title="别的网格的一件")
    client.force_login(grid.user)
    assert client.get(f"/w/grid/cases/{theirs.pk}").status_code == 404
    assert client.post(f"/w/grid/cases/{theirs.pk}", {"text": "看过了"}).status_code == 404
    html = client.get(f"/w/grid/cases/{mine.pk}").content.decode()
    assert "本网格的一件" in html and "群众 登记" in html
    assert "13957211234" not in html and "仅办理人员可见" in html  # a grid worker has no view_contacts
    assert client.get(f"/w/cases/{mine.pk}")["Location"] == "/w/grid/"  # the deputy's case page is not theirs


def test_the_grid_pages_show_the_cases_the_api_and_back_office_let_the_grid_worker_see(client, world, grid):
    neighbours = register(world.grid, title="邻居在线反映的一件")  # in their grid, reported by somebody else
    register(grid.other, title="别的网格的一件")
    client.force_login(grid.user)
    html = client.get("/w/grid/").content.decode()
    assert list(Case.objects.visible_to(grid.user)) == [neighbours]
    assert "邻居在线反映的一件" in html and "别的网格的一件" not in html


def test_a_grid_worker_reports_a_problem_with_a_photo_and_a_location(client, world, grid, regions):
    client.force_login(grid.user)
    assert "上报到：居仁社区居委会 · 居仁一网格" in client.get("/w/grid/report").content.decode()
    response = report(
        client,
        photos=[upload()],
        category=world.category.pk,
        person_name="王秀英",
        person_phone="139 5721 1234",
        address="居仁路12号",
        **INSIDE,
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/grid/cases/{case.pk}"
    assert (case.channel, case.grid, case.grid_worker, case.region) == (
        Channel.GRID_WORKER,
        world.grid,
        grid.worker,
        regions.jueren,
    )
    assert (case.title, case.lat, case.category, case.created_by) == (
        "居仁路12号门口井盖松动",
        float(INSIDE["lat"]),
        world.category,
        grid.user,
    )
    assert (case.person_name, case.person_phone, case.reply_via) == ("王秀英", "13957211234", "phone")
    [event] = CaseEvent.objects.filter(case=case)
    assert (event.action, event.actor, event.note) == ("register", grid.user, "经网格员上报登记")
    [photo] = case.attachments.all()
    with photo.file.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and max(image.size) == 1600 and not image.getexif()  # photo_clean ran
    page = client.get(response["Location"]).content.decode()
    assert "已上报，查询码" in page and "13957211234" in page  # she wrote the number down herself
    served = client.get(f"/w/grid/cases/{case.pk}/photos/{photo.pk}")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"  # a JPEG (read to the end, the file is closed)
    assert "居仁路12号门口井盖松动" in client.get("/w/grid/").content.decode()


def test_a_location_outside_the_grid_is_refused_and_nothing_is_registered(client, grid):
    client.force_login(grid.user)
    response = report(client, photos=[upload()], **OUTSIDE)
    assert response.status_code == 400
    html = response.content.decode()
    assert "位置: 所在位置不在您负责的网格（居仁一网格）内" in html
    assert Case.objects.count() == 0


def test_a_report_without_a_location_is_placed_in_the_grid(client, world, grid):
    client.force_login(grid.user)
    report(client)
    case = Case.objects.get()
    # No resident's number: online with the receipt code, as on every channel (cases.intake.rules.reply_preference).
    assert (case.grid, case.lat, case.lng, case.reply_via, case.attachments.count()) == (
        world.grid,
        None,
        None,
        "online",
        0,
    )
    assert "无（网格员发现）" in client.get(f"/w/grid/cases/{case.pk}").content.decode()


def test_a_double_submit_registers_one_case_and_a_bad_photo_none(client, grid):
    client.force_login(grid.user)
    report(client, photos=[upload()])
    second = report(client, photos=[upload()])
    assert Case.objects.count() == 1 and second.status_code == 302
    assert Case.objects.get().attachments.count() == 1
    response = report(client, form_token="token-2", photos=[upload("x.jpg", b"not an image")])
    assert response.status_code == 400 and "照片1: 不是有效的图片文件" in response.content.decode()
    too_many = report(client, form_token="token-3", photos=[upload(f"{n}.jpg") for n in range(7)])
    assert too_many.status_code == 400 and "最多上传6张照片" in too_many.content.decode()
    assert Case.objects.count() == 1


def test_paired_deputies_are_listed_and_their_phone_only_for_who_may_see_contacts(client, world, grid, regions):
    client.force_login(grid.user)
    html = client.get("/w/grid/").content.decode()
    deputies = html[html.index('id="deputies"') :]
    assert "沈建国" in deputies and f"/d/{world.deputy.public_code}" in deputies
    assert "13800001111" not in html and "tel:" not in html
    role_grant(actor=None, user=grid.user, role=Role.PLACE_STAFF, region=regions.jueren)  # now sees contacts
    client.force_login(grid.user)
    html = client.get("/w/grid/").content.decode()
    assert 'href="tel:13800001111"' in html


def test_a_follow_up_note_is_kept_on_the_case_and_audited_without_changing_it(client, world, grid, personas):
    case = register(world.grid, deputy=world.deputy)
    client.force_login(grid.user)
    response = client.post(f"/w/grid/cases/{case.pk}", {"text": "已上门查看，路灯确实不亮"})
    assert response.status_code == 302
    [note] = GridFollowUp.objects.all()
    assert (note.case, note.grid_worker, note.text) == (case, grid.worker, "已上门查看，路灯确实不亮")
    audit = AuditEvent.objects.get(action="grid_follow_up.add")
    assert (audit.actor, audit.object_id, audit.region_path) == (grid.user, str(note.pk), world.grid.region.path)
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == (Status.REGISTERED, 0, 1)
    html = client.get(f"/w/grid/cases/{case.pk}").content.decode()
    assert "已记录跟进情况" in html and "网格员陆小芳：已上门查看，路灯确实不亮" in html
    empty = client.post(f"/w/grid/cases/{case.pk}", {"text": "  "})
    assert empty.status_code == 400 and GridFollowUp.objects.count() == 1
    client.force_login(personas.deputy)  # the case's deputy reads it on their own case page
    assert "网格员陆小芳：已上门查看，路灯确实不亮" in client.get(f"/w/cases/{case.pk}").content.decode()


def test_a_grid_worker_sees_no_workflow_step_unless_the_workflow_gives_their_account_one(client, world, grid, regions):
    case = register(world.grid)
    client.force_login(grid.user)
    assert "grid_case_act" not in client.get(f"/w/grid/cases/{case.pk}").content.decode()
    assert f"/w/grid/cases/{case.pk}/act" not in client.get(f"/w/grid/cases/{case.pk}").content.decode()
    refused = client.post(f"/w/grid/cases/{case.pk}/act", {"action": "accept", "version": 0}, follow=True)
    assert "您不能对该意见建议执行“受理”" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    role_grant(actor=None, user=grid.user, role=Role.PLACE_STAFF, region=regions.jueren)  # also the station's staff
    client.force_login(grid.user)
    assert f"/w/grid/cases/{case.pk}/act" in client.get(f"/w/grid/cases/{case.pk}").content.decode()
    client.post(f"/w/grid/cases/{case.pk}/act", {"action": "accept", "version": 0, "category": world.category.pk})
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and [e.action for e in case.events.all()] == ["register", "accept"]


def test_the_photo_of_another_grids_case_is_a_404(client, world, grid):
    from lianxin.cases.models import Attachment

    theirs = register(grid.other, title="别的网格的一件")
    data = photo_bytes()
    photo = Attachment(case=theirs, content_type="image/jpeg", size=len(data))
    photo.file.save("x.jpg", ContentFile(data), save=True)
    client.force_login(grid.user)
    assert client.get(f"/w/grid/cases/{theirs.pk}/photos/{photo.pk}").status_code == 404


def test_a_grid_worker_sees_only_the_public_steps_of_a_cases_history(client, world, grid):
    case = register(world.grid)
    CaseEvent.objects.create(case=case, action="common", note="内部：并入普遍问题的说明", is_public=False)
    client.force_login(grid.user)
    html = client.get(f"/w/grid/cases/{case.pk}").content.decode()
    assert "经线上问诊登记" in html and "内部：并入普遍问题的说明" not in html


def test_the_home_reads_the_same_number_of_queries_for_one_case_or_many(
    client, world, grid, django_assert_max_num_queries
):
    client.force_login(grid.user)
    register(world.grid, title="第一件")
    with django_assert_max_num_queries(15) as one:  # 13 today: session, user, worker, cases, deputies, roles
        client.get("/w/grid/")
    for n in range(8):
        case = register(world.grid, title=f"第{n + 2}件", category=world.category)
        GridFollowUp.objects.create(case=case, grid_worker=grid.worker, text="看过")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "第9件" in client.get("/w/grid/").content.decode()
