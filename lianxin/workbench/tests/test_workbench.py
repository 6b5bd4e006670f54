import re

import pytest
from django.utils import timezone

from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Case, ReceptionSession, Status
from lianxin.cases.services import case_register

pytestmark = pytest.mark.django_db


def register(world, **fields):
    values = {
        "actor": None,
        "channel": "online",
        "title": "居仁路路灯不亮",
        "body": "三盏路灯不亮",
        "deputy": world.deputy,
        "person_name": "王秀英",
        "person_phone": "13957211234",
    }
    values.update(fields)
    actor = values.pop("actor")
    return case_register(actor=actor, draft=CaseDraft(**values)).case


def test_the_workbench_asks_for_a_login_and_is_for_deputies_and_place_staff_only(client, world, personas):
    response = client.get("/w/")
    assert response.status_code == 302 and response["Location"].startswith("/w/login/")
    client.force_login(personas.unit_handler)
    assert client.get("/w/").status_code == 403
    client.force_login(personas.no_role)
    assert client.get("/w/").status_code == 403
    client.force_login(personas.place_staff)
    assert "家站室工作台" in client.get("/w/").content.decode()


def test_a_deputy_logs_in_with_a_password(client, world):
    response = client.post("/w/login/", {"username": "deputy", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    html = client.get("/w/").content.decode()
    assert "沈建国代表的工作台" in html and "居仁社区代表工作站" in html  # on the roster


def test_my_cases_are_split_into_answer_hand_over_follow_with_overdue_first(client, world, personas):
    fresh = register(world, title="新的一件")
    late = register(world, title="超期的一件")
    Case.objects.filter(pk=late.pk).update(accept_due=timezone.now() - timezone.timedelta(days=2))
    followed = register(world, title="交办的一件")
    Case.objects.filter(pk=followed.pk).update(status=Status.TRANSFERRED, unit=world.unit)
    register(world, title="别人的件", deputy=None, region=world.grid.region)
    client.force_login(personas.deputy)
    html = client.get("/w/").content.decode()
    answer = html[html.index("待答复") : html.index("待交办")]
    assert answer.index("超期的一件") < answer.index(fresh.title) and "已超期" in answer
    assert "交办的一件" in html[html.index("跟踪中") :]
    assert "别人的件" not in html


def test_the_deputy_sees_the_contact_and_accepts_then_answers_on_the_spot(client, world, personas):
    case = register(world)
    client.force_login(personas.deputy)
    page = client.get(f"/w/cases/{case.pk}").content.decode()
    assert "13957211234" in page and "受理" in page
    client.post(f"/w/cases/{case.pk}/act", {"action": "accept", "version": 0, "category": world.category.pk})
    client.post(f"/w/cases/{case.pk}/act", {"action": "answer", "version": 1, "reply": "已请供电所今晚修复"})
    case.refresh_from_db()
    assert (case.status, case.reply) == (Status.FED_BACK, "已请供电所今晚修复")
    assert [e.action for e in case.events.all()] == ["register", "accept", "answer"]
    page = client.get(f"/w/cases/{case.pk}").content.decode()
    assert "群众 登记" in page and "受理" in page and "当场答复" in page


def test_a_stale_page_loses_to_the_first_action(client, world, personas):
    case = register(world)
    client.force_login(personas.deputy)
    client.post(f"/w/cases/{case.pk}/act", {"action": "accept", "version": 0, "category": world.category.pk})
    response = client.post(
        f"/w/cases/{case.pk}/act", {"action": "accept", "version": 0, "category": world.category.pk}, follow=True
    )
    assert "刚刚已被他人处理" in response.content.decode() or "不能" in response.content.decode()
    assert case.events.filter(action="accept").count() == 1


def test_another_deputys_case_does_not_exist_for_me(client, world, personas, make_user):
    from lianxin.deputies.models import Deputy

    other_user = make_user("other_deputy")
    Deputy.objects.create(name="王二", gender="male", user=other_user)
    case = register(world)
    client.force_login(other_user)
    assert client.get(f"/w/cases/{case.pk}").status_code == 404


def test_a_reception_at_a_station_registers_two_cases_and_closes_with_a_count(client, world, personas):
    client.force_login(personas.deputy)
    response = client.post("/w/reception/new", {"kind": "station", "place": world.place.pk, "location": ""})
    session = ReceptionSession.objects.get()
    assert response["Location"] == f"/w/reception/{session.pk}"
    for n, text in enumerate(["村口道路坑洼，雨天积水", "希望增设老年食堂"]):
        page = client.get(f"/w/reception/{session.pk}").content.decode()
        token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
        data = {
            "text": text,
            "category": "",
            "person_name": f"群众{n}",
            "person_phone": "",
            "people_count": 1,
            "form_token": token,
        }
        client.post(f"/w/reception/{session.pk}", data)
        client.post(f"/w/reception/{session.pk}", data)  # a double tap
    cases = Case.objects.filter(session=session)
    assert (
        cases.count() == 2 and {c.channel for c in cases} == {"station"} and {c.place for c in cases} == {world.place}
    )
    too_few = client.post(f"/w/reception/{session.pk}", {"close": "1", "people_received": 1})
    assert too_few.status_code == 400 and "不能少于" in too_few.content.decode()
    client.post(f"/w/reception/{session.pk}", {"close": "1", "people_received": 5, "note": "天气好，人多"})
    session.refresh_from_db()
    assert session.ended_at is not None and session.people_received == 5


def test_a_mobile_reception_needs_a_region(client, world, personas):
    client.force_login(personas.deputy)
    response = client.post("/w/reception/new", {"kind": "mobile", "location": "村口"})
    assert response.status_code == 400 and ReceptionSession.objects.count() == 0
    response = client.post("/w/reception/new", {"kind": "mobile", "region": world.grid.region.pk, "location": "村口"})
    assert response.status_code == 302 and ReceptionSession.objects.get().kind == "mobile"


def test_a_deputy_keeps_a_diary_that_only_they_write_in(client, world, personas):
    import datetime

    from lianxin.core.errors import PermissionDenied
    from lianxin.core.models import AuditEvent
    from lianxin.workbench.models import DiaryEntry
    from lianxin.workbench.services import diary_add

    client.force_login(personas.deputy)
    today = timezone.localdate()
    response = client.post("/w/diary", {"date": today.isoformat(), "text": "走访居仁社区，老人反映缺少休息座椅"})
    assert response.status_code == 302
    assert "缺少休息座椅" in client.get("/w/diary").content.decode()
    future = client.post("/w/diary", {"date": (today + datetime.timedelta(days=1)).isoformat(), "text": "x"})
    assert future.status_code == 400
    assert DiaryEntry.objects.filter(deputy=world.deputy).count() == 1
    assert AuditEvent.objects.filter(action="diary.add").count() == 1
    with pytest.raises(PermissionDenied):
        diary_add(actor=personas.township_staff, deputy=world.deputy, text="代写")


def test_the_workbench_lists_my_paired_grid_workers_and_households(client, world, personas):
    from lianxin.deputies.models import GridWorker, GridWorkerPairing, Household

    GridWorkerPairing.objects.create(deputy=world.deputy, grid_worker=GridWorker.objects.get(name="陆小芳"))
    household = Household.objects.create(grid=world.grid, head_name="钱大有", address="居仁路12号", phone="13700003333")
    household.deputies.add(world.deputy)
    client.force_login(personas.deputy)
    html = client.get("/w/").content.decode()
    assert "陆小芳" in html and "13900002222" in html and "钱大有户" in html and "我的联系户（1）" in html


def test_place_staff_register_walk_ins_for_the_deputy_on_duty_and_see_the_month(client, world, personas):
    client.force_login(personas.place_staff)
    page = client.get("/w/reception/new").content.decode()
    assert "沈建国" in page and "居仁社区代表工作站" in page
    response = client.post(
        "/w/reception/new", {"kind": "station", "place": world.place.pk, "deputy": world.deputy.pk, "location": ""}
    )
    session = ReceptionSession.objects.get()
    assert response["Location"] == f"/w/reception/{session.pk}" and session.created_by == personas.place_staff
    page = client.get(f"/w/reception/{session.pk}").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    client.post(
        f"/w/reception/{session.pk}",
        {
            "text": "楼道灯坏了",
            "category": "",
            "person_name": "",
            "person_phone": "",
            "people_count": 2,
            "form_token": token,
        },
    )
    client.post(f"/w/reception/{session.pk}", {"close": "1", "people_received": 4})
    case = Case.objects.get()
    assert (case.session, case.deputy, case.place, case.created_by) == (
        session,
        world.deputy,
        world.place,
        personas.place_staff,
    )
    month = client.get(f"/w/places/{world.place.pk}/month").content.decode()
    for figure in ("1 场", "4 人次", "1 件"):
        assert figure in month


def test_a_reception_by_staff_needs_the_deputy_and_other_regions_places_do_not_exist(client, world, personas):
    client.force_login(personas.place_staff)
    response = client.post("/w/reception/new", {"kind": "station", "place": world.place.pk, "location": ""})
    assert response.status_code == 400 and ReceptionSession.objects.count() == 0
    client.force_login(personas.outsider)
    assert client.get(f"/w/places/{world.place.pk}/month").status_code == 404


def test_place_staff_edit_the_duty_roster_that_the_public_page_shows(client, world, personas):
    import datetime

    from lianxin.core.models import AuditEvent
    from lianxin.deputies.models import DutyShift

    client.force_login(personas.place_staff)
    day = timezone.localdate() + datetime.timedelta(days=3)
    url = f"/w/places/{world.place.pk}/roster"
    shift = {
        "deputy": world.deputy.pk,
        "date": day.isoformat(),
        "start_time": "14:00",
        "end_time": "16:30",
        "note": "下午场",
    }
    assert client.post(url, shift).status_code == 302
    assert "14:00–16:30" in client.get(f"/p/{world.place.public_code}").content.decode()
    backwards = client.post(url, {**shift, "start_time": "17:00", "end_time": "16:00"})
    assert backwards.status_code == 400 and "应晚于开始时间" in backwards.content.decode()
    added = DutyShift.objects.get(note="下午场")
    assert client.post(url, {"remove": added.pk}).status_code == 302
    assert not DutyShift.objects.filter(note="下午场").exists()
    assert AuditEvent.objects.filter(action__in=["dutyshift.create", "dutyshift.delete"]).count() == 2
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
