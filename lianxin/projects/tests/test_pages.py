import datetime
import io

import openpyxl
import pypdfium2 as pdfium
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.projects.models import Proposal, ProposalStatus, SiteStatus, VoteStatus
from lianxin.projects.services import proposal_shortlist, site_close, site_report_file
from lianxin.projects.tests.conftest import VOTE_DAY, jpeg
from lianxin.projects.voting import vote_close, vote_create, vote_open

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture
def states(world):
    """居仁路 closed (blue), 城东桥 in progress (yellow), plus a third site not started (red)."""
    from lianxin.projects.services import site_create

    month = datetime.date.today().replace(day=1)
    site_report_file(
        actor=world.users[0], site=world.site_a, month=month, progress=100, done="完工通车", is_final=True,
        photos=[jpeg()],
    )  # fmt: skip
    site_close(actor=world.staff, site=world.site_a)
    site_report_file(actor=world.users[1], site=world.site_b, month=month, progress=30, done="桥墩", problems="雨季")
    red = site_create(
        actor=world.staff, project=world.project, region=world.site_b.region, name="城东村道", lat=30.52, lng=120.0,
        planned_start=datetime.date(2026, 3, 1), planned_end=datetime.date(2026, 12, 31),
    )  # fmt: skip
    return world.site_a, world.site_b, red


def test_the_year_page_shows_every_site_on_the_map_in_its_colour_and_filters_by_status(client, states):
    response = client.get("/projects/2026/")
    body = response.content.decode()
    assert response.status_code == 200
    for colour in ("blue", "yellow", "red"):
        assert f'data-colour="{colour}"' in body
    assert "居仁路" in body and "城东桥" in body and "城东村道" in body
    only_red = client.get("/projects/2026/?status=red").content.decode()
    assert 'data-colour="red"' in only_red and 'data-colour="blue"' not in only_red and "居仁路" not in only_red


def test_the_year_page_filters_by_town_and_keeps_a_fixed_number_of_queries(
    client, states, regions, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        body = client.get(f"/projects/2026/?town={regions.qianyuan.code}").content.decode()
    assert "城东桥" in body and "居仁路" not in body


def test_a_year_without_projects_is_not_found_and_the_index_opens_the_latest_year(client):
    assert client.get("/projects/1999/").status_code == 404
    assert client.get("/projects/")["Location"] == "/projects/2026/"


def test_a_sites_page_shows_its_reports_photos_and_the_projects_roll_up(client, states):
    closed, yellow, _ = states
    body = client.get(f"/projects/2026/sites/{closed.pk}").content.decode()
    assert "完工通车" in body and "已验收" in body and "/projects/photos/" in body and "项目整体进度" in body
    photo = closed.reports.get().photos.get()
    response = client.get(f"/projects/photos/{photo.pk}")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert "雨季" in client.get(f"/projects/2026/sites/{yellow.pk}").content.decode()
    assert client.get(f"/projects/2025/sites/{closed.pk}").status_code == 404


def test_a_resident_proposes_with_the_captcha_and_the_honeypot_refuses_robots(client, regions):
    from lianxin.publicweb.abuse import captcha_new

    page = client.get("/projects/propose/")
    assert page.status_code == 200 and "我要点单" in page.content.decode()
    captcha = captcha_new()
    answer = str(eval(captcha.question.replace("加", "+").replace("减", "-").replace("等于几？", "")))
    form = {
        "region": regions.jueren.pk, "title": "增设公交站", "description": "居仁社区到县城没有公交", "captcha": answer,
        "captcha_token": captcha.token, "proposer_name": "李四", "proposer_phone": "13900000000",
    }  # fmt: skip
    response = client.post("/projects/propose/", form)
    assert response.status_code == 200 and "感谢您的建议" in response.content.decode()
    proposal = Proposal.objects.get(title="增设公交站")
    assert proposal.source == "resident" and proposal.status == ProposalStatus.SUBMITTED
    robot = client.post("/projects/propose/", {**form, "website": "http://spam", "captcha_token": captcha_new().token})
    assert robot.status_code == 400


def test_the_lead_deputy_files_a_report_with_a_photo_from_the_workbench(client, world):
    client.force_login(world.users[0])
    home = client.get("/w/projects/").content.decode()
    assert "居仁路" in home and "填报" in home
    photo = SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(
        f"/w/projects/sites/{world.site_a.pk}/report", {"progress": "20", "done": "完成路基", "photos": [photo]}
    )
    assert response.status_code == 302
    world.site_a.refresh_from_db()
    assert world.site_a.status == SiteStatus.IN_PROGRESS and world.site_a.reports.get().photos.count() == 1


def test_another_deputy_cannot_open_the_report_form_of_a_site_they_do_not_lead(client, world):
    client.force_login(world.users[1])
    assert client.get(f"/w/projects/sites/{world.site_a.pk}/report").status_code == 404


def test_a_deputy_votes_on_the_workbench_gets_a_receipt_and_finds_the_ballot_on_the_public_page(client, world, regions):
    vote = vote_create(
        actor=world.staff, level="county", region=regions.deqing, session="第五次会议", year=2026, held_on=VOTE_DAY
    )
    proposal_shortlist(actor=world.staff, proposal=world.proposals[0], vote=vote)
    vote_open(actor=world.staff, vote=vote)
    client.force_login(world.users[2])
    assert "参加票决" in client.get("/w/projects/").content.decode()
    incomplete = client.post(f"/w/projects/votes/{vote.pk}", {})
    assert incomplete.status_code == 400 and "请对这个项目表态" in incomplete.content.decode()
    response = client.post(f"/w/projects/votes/{vote.pk}", {"c1": "for"})
    body = response.content.decode()
    assert "投票成功" in body
    receipt = body.split('class="receipt-code">')[1].split("<")[0]
    assert client.get(f"/projects/votes/{vote.pk}/").status_code == 404  # not counted yet
    vote.refresh_from_db()
    vote_close(actor=world.staff, vote=vote)
    assert vote.status == VoteStatus.CLOSED
    page = client.get(f"/projects/votes/{vote.pk}/", {"receipt": receipt}).content.decode()
    assert "找到您的选票，已计入：1号赞成" in page and "与公布结果一致" in page
    csv = client.get(f"/projects/votes/{vote.pk}/ballots.csv").content.decode()
    assert csv.count("\n") == 2 and ",electronic," in csv and str(world.deputies[2].pk) not in csv.split("\n")[1][:0]


def test_staff_download_the_monthly_report_as_xlsx_and_pdf_and_outsiders_get_404(client, states, personas):
    month = datetime.date.today()
    client.force_login(personas.county_staff)
    xlsx = client.get(f"/projects/report/{month:%Y}-{month.month}.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["项目序号", "项目", "点位"] and any("雨季" in str(v) for row in values for v in row)
    pdf = client.get(f"/projects/report/{month:%Y}-{month.month}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    document = pdfium.PdfDocument(pdf.content)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    assert "民生实事项目进度通报" in text and "城东桥" in text and "雨季" in text  # Chinese text, not boxes
    client.force_login(personas.outsider)
    assert client.get(f"/projects/report/{month:%Y}-{month.month}.xlsx").status_code == 404


def test_a_deputy_proposes_from_the_workbench_and_a_non_deputy_is_refused(client, world, regions, personas):
    client.force_login(world.users[3])
    form = {"region": regions.wukang.pk, "title": "背街小巷亮化", "description": "夜间照明不足"}
    assert client.post("/w/projects/propose", form).status_code == 302
    proposal = Proposal.objects.get(title="背街小巷亮化")
    assert proposal.source == "deputy" and proposal.deputy == world.deputies[3]
    client.force_login(personas.grid_worker)
    assert client.post("/w/projects/propose", form).status_code == 403


def test_the_report_command_writes_the_months_xlsx_and_pdf(states, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    month = datetime.date.today()
    for suffix in ("xlsx", "pdf"):
        out = StringIO()
        call_command("projects_report", f"{month:%Y-%m}", "--out", str(tmp_path / f"r.{suffix}"), stdout=out)
        assert "3个点位" in out.getvalue() and (tmp_path / f"r.{suffix}").stat().st_size > 1000


def test_the_map_draws_online_tiles_only_when_a_tile_url_is_configured(client, states, settings):
    assert "<image" not in client.get("/projects/2026/").content.decode()
    settings.PROJECTS_TILE_URL = "https://t{s}.example.invalid/tiles/{z}/{x}/{y}.png"
    body = client.get("/projects/2026/").content.decode()
    assert '<g class="tiles"' in body and 'href="https://t' in body and body.count("<image") < 40
