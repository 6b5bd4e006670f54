import datetime
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image, ImageChops

from lianxin.cases.services import reception_start
from lianxin.core.errors import DomainError
from lianxin.duties import services
from lianxin.duties.models import ActivityKind, ScoreItem, ScoreSource
from lianxin.duties.record import duty_record_collect, duty_record_pdf, public_record
from lianxin.portal.tests.test_qr_and_posters import page_text
from lianxin.publicweb import fonts

try:
    fonts.font_path()
    FONT_MISSING = ""
except DomainError as error:
    FONT_MISSING = error.message

pytestmark = pytest.mark.django_db
needs_font = pytest.mark.skipif(bool(FONT_MISSING), reason=f"no CJK font: {FONT_MISSING} (make test installs it)")

SCALE = 2


def title_band(pdf: bytes) -> Image.Image:
    """The strip at the top of the first page where the record's title (with the deputy's name) is printed."""
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=SCALE).to_pil().convert("L")
    finally:
        document.close()
    return image.crop((0, int(30 * SCALE), image.width, int(70 * SCALE)))


def ink(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


@pytest.fixture
def year_of(duty, personas, regions):
    """This year of 沈建国 (duty.first): a visit signed in by QR, a hearing he was absent from, a meeting where
    he asked for leave, a training of 3.5 hours, a reception, a meeting point of his turned into a case, a kept
    pledge, a 述职 evaluated by two voters, and the county's score items with a confirmed self-assessment."""
    staff, me = personas.county_staff, personas.deputy
    past = datetime.timedelta(minutes=-30)
    visit = duty.activity(starts_in=past, title="走访居仁社区困难家庭")
    services.attendance_sign_in(actor=me, code=visit.signin_code)
    hearing = duty.activity(kind="hearing", starts_in=past, title="物业管理条例听证会")
    services.attendance_sign_in(actor=duty.second_user, code=hearing.signin_code)
    services.activity_mark_held(actor=staff, activity=hearing)
    later = duty.activity(kind="consultation", starts_in=datetime.timedelta(days=2), title="养老服务专题协商会")
    services.leave_request(actor=me, activity=later, reason="外出学习")
    services.leave_decide(actor=staff, attendance=later.attendances.get(deputy=duty.first), approve=True)
    training = duty.activity(kind="training", starts_in=past, title="新任代表履职培训班", hours=4)
    training.hours = Decimal("3.5")
    training.save(update_fields=["hours"])
    services.attendance_sign_in(actor=me, code=training.signin_code)
    reception_start(actor=staff, deputy=duty.first, kind="mobile", region=regions.jueren)
    meeting = duty.activity(kind="grid_day", starts_in=past, title="居仁网格议事日")
    point = services.meeting_point_add(
        actor=staff, activity=meeting, text="小区路灯不亮，夜间出行不便", raised_by=duty.first
    )
    services.meeting_point_to_case(actor=staff, point=point)
    year = timezone.localdate().year
    pledge = services.pledge_make(actor=me, year=year, text="每月进站接待选民一次")
    services.pledge_assess(actor=staff, pledge=pledge, result="全年进站接待12次", kept=True)
    report = duty.activity(kind="report", starts_in=past, title="向居仁社区选民述职", invited=[duty.first])
    services.attendance_sign_in(actor=me, code=report.signin_code)
    for rating in ("satisfied", "basic"):
        services.voter_evaluation_submit(code=report.signin_code, deputy_id=duty.first.pk, rating=rating)
    common = {"region": regions.deqing, "level": "county", "year": year}
    ScoreItem.objects.create(
        **common, position=1, name="参加闭会期间活动", source=ScoreSource.ACTIVITIES, points_each=2, max_points=20
    )
    own = ScoreItem.objects.create(**common, position=2, name="兑现承诺", source=ScoreSource.SELF, max_points=10)
    entry = services.score_claim(actor=me, item=own, points=8, evidence="承诺全部兑现")
    services.score_confirm(actor=staff, entry=entry, points=8)
    return year


def test_the_record_collects_the_deputys_year(duty, year_of):
    record = duty_record_collect(deputy=duty.first, year=year_of)
    kinds = {a.activity.kind: a.status for a in record.attendances}
    assert kinds["visit"] == "present" and kinds["hearing"] == "absent" and kinds["consultation"] == "on_leave"
    assert [a.activity.title for a in record.trainings] == ["新任代表履职培训班"]
    assert record.training_hours == Decimal("3.5")
    assert len(record.receptions) == 1 and len(record.cases) == 1 and record.cases[0].body.startswith("小区路灯")
    assert record.evaluations == {"satisfied": 1, "basic": 1}
    [block] = record.scores
    # Four activities (the visit, the training, the 述职 and the reception, counted from the cases app) at 2
    # points each, plus the confirmed 8.
    assert block.line is not None and block.line.total == Decimal("8") + Decimal("8")


@needs_font
def test_the_record_pdf_prints_chinese_glyphs_and_every_part(duty, year_of):
    pdf = duty_record_pdf(duty.first, year_of)
    assert pdf.startswith(b"%PDF")
    text = page_text(pdf)
    for expected in (
        f"沈建国代表{year_of}年度履职档案",
        "一、基本情况",
        "德清县第十七届",
        "走访居仁社区困难家庭",
        "物业管理条例听证会",
        "缺席",
        "已准假",
        "流动巡诊",
        "小区路灯不亮",
        "新任代表履职培训班",
        "共参加培训学时：3.5学时",
        "每月进站接待选民一次",
        "已兑现",
        "共2名选民评议：满意1票，基本满意1票，不满意0票",
        "合计16分，排名第1",
        "参加闭会期间活动",
    ):
        assert expected in text, expected
    # Glyphs, not boxes: both names leave ink, and different names leave different ink (a missing font draws the
    # same empty box for every character, so the two strips would be equal).
    other = title_band(duty_record_pdf(duty.second, year_of))
    mine = title_band(pdf)
    assert ink(mine) > 500 and ink(other) > 500
    assert ImageChops.difference(mine, other).getbbox() is not None


@needs_font
def test_the_command_writes_the_pdf_and_refuses_an_unknown_deputy(duty, year_of, tmp_path):
    out = tmp_path / "record.pdf"
    call_command("duty_record", "--deputy", str(duty.first.pk), "--year", str(year_of), "--out", str(out))
    assert "走访居仁社区困难家庭" in page_text(out.read_bytes())
    with pytest.raises(CommandError, match="没有编号为 999999 的代表"):
        call_command("duty_record", "--deputy", "999999", "--year", str(year_of), "--out", str(out))
    with pytest.raises(CommandError, match=r"\.pdf"):
        call_command("duty_record", "--deputy", str(duty.first.pk), "--year", str(year_of), "--out", "x.docx")


@needs_font
def test_only_staff_managing_duties_over_the_deputy_may_download_the_record(client, duty, personas, year_of):
    url = f"/duties/record/{duty.first.pk}/{year_of}.pdf"
    assert client.get(url).status_code == 302  # to the login page
    for user in (personas.outsider, personas.deputy, personas.unit_handler, personas.grid_worker):
        client.force_login(user)
        assert client.get(url).status_code == 404, user.username
    for user in (personas.county_staff, personas.township_staff):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", user.username
        assert "attachment" in response["Content-Disposition"]
    # The township's staff do not manage the county deputy of 城东 (钱立新's district lies outside 武康).
    client.force_login(personas.township_staff)
    assert client.get(f"/duties/record/{duty.second.pk}/{year_of}.pdf").status_code == 404


def test_the_public_form_counts_past_years_only_without_absences_or_scores(duty, personas, regions, year_of):
    this_year = public_record(deputy=duty.first)
    assert this_year == []  # the year is still open
    next_march = datetime.date(year_of + 1, 3, 1)
    services.record_publish(
        actor=personas.county_staff, region=regions.deqing, level="county", year=year_of, today=next_march
    )  # only a year its congress published is shown (test_publication.py)
    [shown] = public_record(deputy=duty.first, today=next_march)
    assert shown.year == year_of and shown.receptions == 1 and shown.suggestions == 0
    counted = dict(shown.activities)
    assert counted == {"走访群众": 1, "履职培训": 1, "向选民述职": 1}  # present only: no hearing, no leave
    assert shown.activity_total == 3
    assert ActivityKind.HEARING.label not in counted
