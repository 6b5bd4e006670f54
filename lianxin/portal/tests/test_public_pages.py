import pytest
from django.urls import reverse

from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Status
from lianxin.cases.workflow import case_transition
from lianxin.portal.masking import mask_name, mask_phone
from lianxin.portal.tests.conftest import LAT, LNG

pytestmark = pytest.mark.django_db


def test_masking_keeps_the_family_name_and_the_ends_of_a_phone():
    assert (mask_name("张三"), mask_name("欧阳娜娜"), mask_name("")) == ("张*", "欧***", "")
    assert (mask_phone("13812341234"), mask_phone("0572-8012345"), mask_phone("")) == ("138****1234", "057****2345", "")


def test_a_deputys_page_shows_the_public_profile_and_record_but_no_contacts(client, world):
    world.deputy.refresh_from_db()
    response = client.get(f"/d/{world.deputy.public_code}")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "沈建国 代表",
        "德清县第17届人大代表（县级）",
        "医疗卫生",
        "武康代表小组",
        "居仁一网格",
        "居仁社区代表工作站",
    ):
        assert text in html
    assert "收到意见建议" in html
    for secret in ("13800001111", "330521197001011234"):
        assert secret not in html


def test_a_rotated_or_unknown_code_is_not_found(client, world):
    assert client.get("/d/nosuchcode").status_code == 404
    assert client.get("/p/nosuchcode").status_code == 404


def test_a_places_page_shows_its_address_roster_and_map_link(client, world):
    html = client.get(f"/p/{world.place.public_code}").content.decode()
    assert "武康街道居仁路8号" in html and "每周二 9:00-11:30" in html
    assert "沈建国" in html and "geo:" in html


def test_published_results_are_listed_redacted_and_unpublished_ones_are_not(client, world, personas):
    from lianxin.cases.services import case_register

    case = case_register(
        actor=None,
        draft=CaseDraft(
            channel="online",
            title="居仁路路灯不亮",
            body="王秀英反映路灯不亮，电话13957211234",
            deputy=world.deputy,
            person_name="王秀英",
            person_phone="13957211234",
        ),
    ).case
    hidden = case_register(
        actor=None, draft=CaseDraft(channel="online", title="尚未公开的件", body="内容", deputy=world.deputy)
    ).case
    staff = personas.county_staff
    for action, params in [
        ("accept", {"category": "transport"}),
        ("answer", {"reply": "已修复路灯"}),
        ("close", {"note": "电话回访"}),
        ("publish", {}),
    ]:
        case = case_transition(case=case, action=action, actor=staff, params=params, note=params.get("note", ""))
    assert case.status == Status.PUBLISHED
    listing = client.get("/results/").content.decode()
    assert "居仁路路灯不亮" in listing and hidden.title not in listing
    detail = client.get(f"/results/{case.pk}").content.decode()
    assert "已修复路灯" in detail and "王秀英" not in detail and "13957211234" not in detail
    assert client.get(f"/results/{hidden.pk}").status_code == 404
    assert "居仁路路灯不亮" in client.get(f"/d/{world.deputy.public_code}").content.decode()


def test_finding_a_deputy_step_by_step_ends_at_the_grids_deputies_workers_and_places(client, world, regions):
    html = client.get("/find/", {"town": regions.wukang.code}).content.decode()
    assert "居仁社区居委会" in html
    html = client.get("/find/", {"town": regions.wukang.code, "village": regions.jueren.code}).content.decode()
    assert "居仁一网格" in html
    html = client.get("/find/", {"grid": world.grid.code}).content.decode()
    assert "沈建国" in html and "陆小芳" in html and "13900002222" not in html
    assert "居仁社区代表工作站" in html and "步行约" in html and "下次接待" in html


def test_finding_by_location_locates_the_grid(client, world):
    html = client.get("/find/", {"lat": LAT + 0.005, "lng": LNG + 0.005}).content.decode()
    assert "居仁一网格" in html and "沈建国" in html


def test_a_location_outside_every_grid_still_lists_the_nearest_places(client, world):
    html = client.get("/find/", {"lat": LAT + 0.02, "lng": LNG + 0.02}).content.decode()
    assert "不在已划定的网格内" in html and "居仁社区代表工作站" in html


def test_the_home_page_links_to_find_track_and_results(client, world):
    html = client.get(reverse("portal:home")).content.decode()
    for url in ("/find/", "/track/", "/results/"):
        assert url in html


def test_a_case_reaches_the_public_only_through_its_receipt_code(client, world):
    from lianxin.cases.services import case_register

    case = case_register(
        actor=p.CITIZEN,
        draft=CaseDraft(channel="online", title="标题", body="内容", deputy=world.deputy, person_name="李四"),
    ).case
    page = client.get(f"/track/{case.receipt_code}")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    assert client.get("/track/AAAAAAAAAAAA").status_code == 404
    response = client.get("/track/", {"code": case.receipt_code.lower()})
    assert response.status_code == 302 and response["Location"].endswith(case.receipt_code)


def test_the_public_pages_cost_the_same_few_queries_however_many_shifts_and_results(
    client, world, django_assert_max_num_queries
):
    import datetime

    from django.utils import timezone

    from lianxin.deputies.models import DutyShift

    for day in range(2, 12):
        DutyShift.objects.create(
            place=world.place,
            deputy=world.deputy,
            date=timezone.localdate() + datetime.timedelta(days=day),
            start_time=datetime.time(9),
            end_time=datetime.time(11),
        )
    with django_assert_max_num_queries(12):
        assert client.get(f"/d/{world.deputy.public_code}").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/p/{world.place.public_code}").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/results/").status_code == 200


def test_the_platform_serves_its_own_static_files_without_debug_or_collectstatic(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/portal/portal.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content).startswith(b"/* Mobile first")
    response.close()


def _published_with_default_text(world, personas, *, title: str, body: str):
    from lianxin.cases.services import case_register

    case = case_register(
        actor=None,
        draft=CaseDraft(
            channel="online",
            title=title,
            body=body,
            deputy=world.deputy,
            person_name="王秀英",
            person_phone="13957211234",
            address="武康街道永安街160号3单元501室",
            lat=LAT + 0.0012345,
            lng=LNG + 0.0054321,
        ),
    ).case
    staff = personas.county_staff
    for action, params in [
        ("accept", {"category": "transport"}),
        ("answer", {"reply": "已修复路灯，已电话联系王女士（手机１３９ １２３４ ５６７８）"}),
        ("close", {"note": "电话回访"}),
        ("publish", {}),
    ]:
        case = case_transition(case=case, action=action, actor=staff, params=params, note=params.get("note", ""))
    return case


LEAKY_BODY = (
    "我住永安街160号3单元501室，楼下路灯坏了一个月。我的电话１３９１２３４５６７８，"
    "也可打+86 138 0000 1111或0572-8012345；身份证330521 19700512 2311；微信号：wxid_k2m9x0；"
    "邮箱 wang@example.com；我家车牌浙E12345。"
)
SECRETS = [
    "160号",
    "501室",
    "１３９１２３４５６７８",
    "138 0000 1111",
    "8012345",
    "2311",
    "wxid_k2m9x0",
    "wang@example.com",
    "E12345",
    "１３９ １２３４",
    "王秀英",
]


def test_a_result_published_with_the_default_text_shows_no_personal_data_on_any_public_page(client, world, personas):
    case = _published_with_default_text(world, personas, title="永安街160号路灯坏了 电话13912345678", body=LEAKY_BODY)
    assert case.status == Status.PUBLISHED
    pages = {
        "detail": client.get(f"/results/{case.pk}").content.decode(),
        "list": client.get("/results/").content.decode(),
        "home": client.get("/home/").content.decode(),
        "deputy": client.get(f"/d/{world.deputy.public_code}").content.decode(),
    }
    assert "永安街" in pages["detail"] and "已修复路灯" in pages["detail"]
    assert all("路灯坏了" in pages[name] for name in ("list", "home", "deputy"))
    for name, html in pages.items():
        for secret in SECRETS:
            assert secret not in html, (name, secret)


def test_a_result_without_a_published_title_is_listed_without_the_persons_own_title(client, world, personas):
    case = _published_with_default_text(world, personas, title="居仁路路灯不亮", body="路灯不亮")
    from lianxin.cases.models import Case

    Case.objects.filter(pk=case.pk).update(public_title="")  # e.g. cleared in the back office
    for url in ("/results/", f"/d/{world.deputy.public_code}", f"/results/{case.pk}"):
        html = client.get(url).content.decode()
        assert "居仁路路灯不亮" not in html
    assert "办理结果" in client.get("/results/").content.decode()
