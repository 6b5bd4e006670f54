"""The office case page (issue 15): a case handled from registration to close, one form per action showing only its
fields, refusals beside their form, the timeline in Chinese, the citizen's photos in scope only, the duplicate
panel above a measured similarity, the hotspot list, and the admin's case page reduced to a link here."""

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Attachment, Case, CaseEvent, Category, ResponsibleUnit, Status
from lianxin.cases.services import case_register, grid_follow_up_add
from lianxin.cases.workflow import Action, case_transition
from lianxin.deputies.models import Deputy, GridWorker, Mandate, MandateLevel
from lianxin.office import case_page
from lianxin.regions.models import Grid
from lianxin.routing.selectors import Duplicate

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, regions):
    """A county with one category, a unit that handles it (personas.unit_handler is its handler) and a deputy."""
    roads = Category.objects.get(code="transport")
    unit = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    unit.categories.add(roads)
    unit.serves.add(regions.deqing)
    unit.handlers.add(personas.unit_handler)
    deputy = Deputy.objects.create(name="沈建国", gender="male", user=personas.deputy)
    Mandate.objects.create(
        deputy=deputy,
        level=MandateLevel.COUNTY,
        congress_region=regions.deqing,
        term=17,
        district_region=regions.jueren,
    )

    def register(**fields) -> Case:
        values = {
            "actor": None,
            "channel": "online",
            "title": "居仁路路灯不亮",
            "body": "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。",
            "region": regions.jueren,
            "deputy": deputy,
            "person_name": "王秀英",
            "person_phone": "13957211234",
            "reply_via": "sms",
        }
        values.update(fields)
        actor = values.pop("actor")
        return case_register(actor=actor, draft=CaseDraft(**values)).case

    return SimpleNamespace(category=roads, unit=unit, deputy=deputy, register=register)


def page_url(case: Case) -> str:
    return reverse("office:case", args=[case.pk])


def act(client, case: Case, action: str, **fields):
    case.refresh_from_db()
    return client.post(reverse("office:case_act", args=[case.pk, action]), {"version": case.version, **fields})


class _Forms(HTMLParser):
    """The field names of each form on a page, by the action its URL ends with."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, set[str]] = {}
        self._current: set[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (match := re.search(r"/office/cases/\d+/(\w+)/$", attrs.get("action") or "")):
            self._current = self.forms.setdefault(match.group(1), set())
        elif tag in ("input", "select", "textarea") and self._current is not None and attrs.get("name"):
            self._current.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def action_forms(html: str) -> dict[str, set[str]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def section(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}".*?</(?:section|ol|details)>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return match.group(0)


def test_a_case_is_handled_from_registration_to_close_on_the_case_page(client, personas, world):
    case = world.register()
    client.force_login(personas.township_staff)

    response = act(client, case, Action.ACCEPT, category=world.category.pk, scope="individual", urgency="normal")
    assert (response.status_code, response["Location"]) == (302, page_url(case))
    page = client.get(page_url(case)).content.decode()
    assert "已受理" in page and "transfer" in action_forms(page)
    assert f'<option value="{world.unit.pk}" selected>' in page  # 交办 proposes the unit that handles 交通运输 here
    assert act(client, case, Action.TRANSFER, unit=world.unit.pk, reply_days="").status_code == 302

    client.force_login(personas.unit_handler)
    page = client.get(page_url(case)).content.decode()
    assert set(action_forms(page)) == {"reply"}  # the unit answers; nothing else is theirs to do
    assert act(client, case, Action.REPLY, reply="已更换路灯，恢复照明。").status_code == 302

    client.force_login(personas.township_staff)
    assert act(client, case, Action.FEED_BACK, note="已电话告知").status_code == 302
    response = act(client, case, Action.CLOSE, note="多次联系未评价")
    assert response.status_code == 302
    final = client.get(response["Location"]).content.decode()
    assert "已销号" in final and set(action_forms(final)) == {"publish"}  # what is left: 公开

    case.refresh_from_db()
    assert (case.status, case.unit, case.reply) == (Status.CLOSED, world.unit, "已更换路灯，恢复照明。")
    events = list(case.events.values_list("action", "actor_label", "note"))
    assert events == [
        ("register", "群众", "经线上问诊登记"),
        ("accept", "township_staff", ""),
        ("transfer", "township_staff", ""),
        ("reply", "县交通运输局", ""),
        ("feed_back", "township_staff", "已电话告知"),
        ("close", "township_staff", "多次联系未评价"),
    ]


def test_each_action_form_shows_only_its_own_fields(client, personas, world):
    case = world.register()
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    client.force_login(personas.township_staff)

    forms = action_forms(client.get(page_url(case)).content.decode())

    common = {"csrfmiddlewaretoken", "version", "note"}
    assert forms == {
        "answer": common | {"reply"},
        "coordinate": common,
        "transfer": common | {"unit", "reply_days"},
        "convert": common | {"suggestion_ref"},
        "merge": common | {"master"},
        "decline": common | {"reason"},
    }


def test_a_registered_case_offers_accept_with_its_classification_and_decline(client, personas, world):
    case = world.register()
    client.force_login(personas.township_staff)

    forms = action_forms(client.get(page_url(case)).content.decode())

    assert forms["accept"] == {"csrfmiddlewaretoken", "version", "note", "category", "scope", "urgency"}
    assert set(forms) == {"accept", "decline"}


def test_a_refused_action_shows_its_chinese_message_beside_its_form_and_changes_nothing(client, personas, world):
    case = world.register()
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    client.force_login(personas.township_staff)

    response = act(client, case, Action.ANSWER, reply="  ")

    assert response.status_code == 400
    page = response.content.decode()
    assert "答复内容: 不能为空" in section(page, "action-answer")
    assert "答复内容: 不能为空" not in section(page, "action-decline")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.events.count() == 2


def test_an_action_that_lost_a_race_says_so_and_changes_nothing(client, personas, world):
    case = world.register()
    stale = case.version
    case_transition(case=case, action=Action.ACCEPT, actor=personas.county_staff, params={"category": "transport"})
    client.force_login(personas.township_staff)

    response = client.post(
        reverse("office:case_act", args=[case.pk, Action.DECLINE]), {"version": stale, "reason": "重复"}
    )

    assert response.status_code == 409
    assert "该意见建议刚刚已被他人处理（当前状态：已受理）" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_an_action_the_user_may_not_take_is_refused_in_chinese(client, personas, world):
    case = world.register()
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    client.force_login(personas.place_staff)  # handles cases in 居仁社区 but may not transfer (supervise_cases)

    assert "transfer" not in action_forms(client.get(page_url(case)).content.decode())
    response = act(client, case, Action.TRANSFER, unit=world.unit.pk)

    assert response.status_code == 403
    assert "您不能对该意见建议执行“交办”" in section(response.content.decode(), "page-error")
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_a_case_outside_the_users_scope_is_not_found(client, personas, world):
    case = world.register()  # 居仁社区, 武康街道; the outsider is township staff of 乾元镇
    client.force_login(personas.outsider)

    assert client.get(page_url(case)).status_code == 404
    assert act(client, case, Action.DECLINE, reason="不在本镇").status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
    assert client.get(reverse("office:case_act", args=[case.pk, "nothing"])).status_code == 405
    client.force_login(personas.township_staff)
    assert client.post(reverse("office:case_act", args=[case.pk, "follow_master"]), {"version": 0}).status_code == 404


def test_people_without_the_office_are_sent_away(client, personas, world):
    case = world.register()
    assert client.get(page_url(case)).status_code == 302  # to the staff login
    client.force_login(personas.deputy)  # the case came to them, but the office is not theirs (the workbench is)
    assert client.get(page_url(case)).status_code == 403


def test_the_timeline_speaks_chinese(client, personas, world):
    case = world.register()
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    case_transition(case=case, action=Action.TRANSFER, actor=personas.township_staff, params={"unit": world.unit.pk})
    client.force_login(personas.township_staff)

    timeline = section(client.get(page_url(case)).content.decode(), "timeline")

    labels = re.findall(r'class="event-label">([^<]*)<', timeline)
    assert labels == ["登记", "受理", "交办"]
    assert "已登记 → 已受理" in timeline and "已受理 → 已交办" in timeline
    for code in ("register", "accept", "transfer", "registered", "accepted", "transferred"):
        assert not re.search(rf"\b{code}\b", re.sub(r"<[^>]*>", " ", timeline)), code


def test_the_grid_workers_follow_up_notes_show_in_their_own_panel(client, personas, world, regions):
    grid = Grid.objects.create(region=regions.jueren, code="JR-01", name="居仁一网格")
    worker = GridWorker.objects.create(name="陆小芳", grid=grid, phone="13900000000", user=personas.grid_worker)
    case = world.register(grid=grid)
    grid_follow_up_add(actor=personas.grid_worker, grid_worker=worker, case=case, text="已上门查看，路灯确实不亮")
    client.force_login(personas.township_staff)

    panel = section(client.get(page_url(case)).content.decode(), "follow-ups")

    assert "网格员跟进（1）" in panel and "陆小芳" in panel and "已上门查看，路灯确实不亮" in panel
    assert 'id="follow-ups"' not in client.get(page_url(world.register(title="没有跟进的一件"))).content.decode()


def test_events_outside_the_transitions_table_have_chinese_labels_too():
    assert [case_page.event_label(c) for c in ("register", "common", "remind", "overdue", "deadline")] == [
        "登记",
        "改为普遍问题",
        "时限提醒",
        "超期",
        "时限调整",
    ]
    assert case_page.event_label("follow_master") == "随主件反馈"
    assert case_page.event_label("something_new") == "办理记录"


def test_the_page_shows_the_facts_and_the_deadline_in_working_days(client, personas, world):
    import datetime

    import time_machine
    from django.utils import timezone

    case = world.register()
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    case_transition(case=case, action=Action.TRANSFER, actor=personas.township_staff, params={"unit": world.unit.pk})
    client.force_login(personas.township_staff)

    page = client.get(page_url(case)).content.decode()
    for fact in (case.receipt_code, "线上问诊", "居仁社区居委会", "沈建国", "交通运输", "县交通运输局"):
        assert fact in page, fact
    assert re.search(r"答复时限 \d{4}-\d\d-\d\d · <strong>还剩 1[45] 个工作日</strong>", page)

    with time_machine.travel(case.reply_due + datetime.timedelta(days=7)):
        client.force_login(personas.township_staff)  # a week later: the idle timeout ended the first session
        late = client.get(page_url(case)).content.decode()
        assert re.search(r"<strong>已超期 \d 个工作日</strong>", late)
        assert timezone.now() > case.reply_due


def test_contacts_show_to_staff_who_may_see_them_and_are_masked_otherwise(client, personas, world, monkeypatch):
    case = world.register()
    client.force_login(personas.township_staff)
    assert "13957211234" in section(client.get(page_url(case)).content.decode(), "h-facts")

    monkeypatch.setattr(case_page, "case_contact_visible", lambda **kwargs: False)
    page = client.get(page_url(case)).content.decode()
    assert "13957211234" not in page and "王秀英" not in page
    assert "139****1234" in page and "王**" in page


def test_the_routing_proposal_is_shown_and_chosen_in_the_accept_form(client, personas, world):
    from lianxin.routing.models import Proposal, ProposalStatus

    case = world.register()
    Proposal.objects.create(
        case=case, category=world.category, confidence=0.82, unit=world.unit, status=ProposalStatus.AUTO
    )
    client.force_login(personas.township_staff)

    page = client.get(page_url(case)).content.decode()

    proposal = section(page, "case-proposal")
    assert "交通运输（置信度 82%）" in proposal and "县交通运输局" in proposal
    accept = section(page, "action-accept")
    assert f'<option value="{world.category.pk}" selected>交通运输</option>' in accept
    assert "分办建议：交通运输（置信度 82%）" in accept
    client.force_login(personas.unit_handler)  # may not read routing: no proposal, and no error either
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    case_transition(case=case, action=Action.TRANSFER, actor=personas.township_staff, params={"unit": world.unit.pk})
    response = client.get(page_url(case))
    assert response.status_code == 200 and 'id="case-proposal"' not in response.content.decode()


# --- photos -------------------------------------------------------------------------------------------------------


@pytest.fixture
def photo(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = world.register()
    out = io.BytesIO()
    Image.new("RGB", (1200, 600), (30, 120, 200)).save(out, "JPEG")
    attachment = Attachment(case=case, content_type="image/jpeg", size=len(out.getvalue()))
    attachment.file.save(f"{case.receipt_code}-1.jpg", ContentFile(out.getvalue()), save=False)
    attachment.save()
    return attachment


def photo_url(attachment: Attachment) -> str:
    return reverse("office:case_attachment", args=[attachment.case_id, attachment.pk])


def test_the_citizens_photos_show_as_thumbnails_that_open_full_size(client, personas, photo):
    client.force_login(personas.township_staff)

    page = client.get(reverse("office:case", args=[photo.case_id])).content.decode()
    assert f'href="{photo_url(photo)}"' in page and f'src="{photo_url(photo)}?thumb=1"' in page
    assert "群众上传的照片和附件（1）" in page and "/media/" not in page

    full = client.get(photo_url(photo))
    thumb = client.get(photo_url(photo) + "?thumb=1")  # before closing `full`: closing ends the request
    assert (full.status_code, full["Content-Type"], full["Cache-Control"]) == (
        200,
        "image/jpeg",
        "private, max-age=3600",
    )
    served = b"".join(full.streaming_content)
    full.close()
    with photo.file.open("rb") as stored:
        assert served == stored.read()
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 240


def test_photos_are_served_only_within_the_scope(client, personas, photo, world):
    client.force_login(personas.outsider)
    assert client.get(photo_url(photo)).status_code == 404
    assert client.get(photo_url(photo) + "?thumb=1").status_code == 404

    other = world.register(title="另一件", body="另一件事")
    client.force_login(personas.township_staff)
    assert client.get(reverse("office:case_attachment", args=[other.pk, photo.pk])).status_code == 404


# --- duplicates and hotspots --------------------------------------------------------------------------------------


def test_the_duplicate_panel_hides_a_5_percent_candidate_and_shows_a_60_percent_one(
    client, personas, world, monkeypatch
):
    case = world.register()
    noise = world.register(title="小区垃圾三天没人清运", body="小区垃圾堆在门口。")
    same = world.register(title="居仁路东段路灯坏了", body="路灯晚上不亮。")
    monkeypatch.setattr(
        case_page, "duplicates_of_visible_to", lambda **kwargs: [Duplicate(same, 0.6), Duplicate(noise, 0.05)]
    )
    client.force_login(personas.township_staff)

    panel = section(client.get(page_url(case)).content.decode(), "case-duplicates")

    assert same.receipt_code in panel and "60%" in panel
    assert noise.receipt_code not in panel and "5%" not in panel


def test_a_real_repeat_is_shown_and_merged_from_the_panel_while_an_unrelated_case_is_not(client, personas, world):
    master = world.register()
    again = world.register(title="居仁路路灯仍然不亮", body="居仁路东段的路灯一个月了还没亮，晚上走路不安全。")
    unrelated = world.register(title="垃圾清运", body="小区垃圾三天没人清运。")
    client.force_login(personas.township_staff)

    panel = section(client.get(page_url(again)).content.decode(), "case-duplicates")
    assert master.receipt_code in panel and unrelated.receipt_code not in panel
    assert "合并到此件" not in panel  # registered: merging waits for acceptance

    for case in (master, again):
        case_transition(
            case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"}
        )
    panel = section(client.get(page_url(again)).content.decode(), "case-duplicates")
    assert "合并到此件" in panel
    assert act(client, again, Action.MERGE, master=master.receipt_code).status_code == 302

    again.refresh_from_db()
    assert (again.status, again.master_id) == (Status.MERGED, master.pk)
    assert CaseEvent.objects.filter(case=master, action="common").exists()
    assert 'id="case-duplicates"' not in client.get(page_url(again)).content.decode()  # it follows its master now


def test_merging_into_an_unknown_receipt_code_is_refused_beside_the_merge_form(client, personas, world):
    case = world.register()
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    client.force_login(personas.township_staff)

    response = act(client, case, Action.MERGE, master="NOPE1234")

    assert response.status_code == 400
    assert "查询码不存在或不在您的管辖范围内" in section(response.content.decode(), "action-merge")


def test_the_threshold_separates_the_hand_labelled_pairs_of_real_letters(shared_data):
    """The figure behind DUPLICATE_MIN_SCORE: 210 hand-labelled pairs of hot_issues.csv scored by the duplicate
    index over all 4,326 letters (measured 0.89 precision, 0.93 recall at 0.17)."""
    from lianxin.routing.duplicates import DuplicateIndex

    with (shared_data / "govmsg" / "hot_issues.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pairs_file = Path(__file__).parents[2] / "routing" / "tests" / "data" / "hotspot_pairs.csv"
    with pairs_file.open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    position = {r["留言编号"]: i for i, r in enumerate(rows)}
    index = DuplicateIndex()
    index.add(list(range(len(rows))), [r["留言主题"] for r in rows], [r["留言详情"] for r in rows])

    shown, same_shown = 0, 0
    for pair in pairs:
        a, b = position[pair["message_a"]], position[pair["message_b"]]
        scores = {m.key: m.score for m in index.search(rows[a]["留言主题"], rows[a]["留言详情"], k=len(rows))}
        if scores.get(b, 0.0) >= case_page.DUPLICATE_MIN_SCORE:
            shown += 1
            same_shown += pair["same_problem"] == "1"
    same = sum(p["same_problem"] == "1" for p in pairs)
    assert same_shown / shown >= 0.85
    assert same_shown / same >= 0.9


def test_hotspot_candidates_are_listed_for_staff_of_their_scope(client, personas, world):
    cases = [
        world.register(
            title="居仁社区三号楼门口停车难", body="居仁社区三号楼门口车辆乱停，消防通道被堵，停车非常困难。"
        ),
        world.register(title="反映居仁社区三号楼停车难", body="居仁社区三号楼门口每天晚上车辆乱停乱放，消防通道堵死。"),
        world.register(title="居仁社区三号楼门口停车难问题", body="居仁社区三号楼门口停车难，车辆乱停，消防通道被占。"),
    ]
    client.force_login(personas.township_staff)

    page = client.get(reverse("office:hotspots")).content.decode()
    assert "普遍问题线索" in page and 'aria-current="page"' in page
    for case in cases:
        assert f'href="{page_url(case)}"' in page
    assert reverse("office:hotspots") in client.get(reverse("office:home")).content.decode()  # in the menu

    client.force_login(personas.outsider)
    assert cases[0].receipt_code not in client.get(reverse("office:hotspots")).content.decode()
    client.force_login(personas.unit_handler)  # handles no cases of a region
    assert client.get(reverse("office:hotspots")).status_code == 403
    assert reverse("office:hotspots") not in client.get(reverse("office:home")).content.decode()


# --- the admin's case page --------------------------------------------------------------------------------------


def test_the_admin_case_page_is_read_only_and_links_here(client, personas, world):
    case = world.register()
    client.force_login(personas.township_staff)
    admin_url = reverse("admin:cases_case_change", args=[case.pk])

    page = client.get(admin_url).content.decode()
    assert f'href="{page_url(case)}"' in page
    assert 'name="action"' not in page and "可能重复的件" not in page

    response = client.post(admin_url, {"action": "accept", "version": case.version, "category": world.category.pk})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
