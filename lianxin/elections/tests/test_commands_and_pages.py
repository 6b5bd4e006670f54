"""The commands (import_voters, check_voters, export_voters) and the staff pages for findings."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lianxin.core.idcard import id_number_check_character
from lianxin.core.models import AuditEvent
from lianxin.elections import services
from lianxin.elections.models import District, Finding, Resolution, Voter, VoterStatus

JUREN = "330521001001"


def make_id(birth: str, sequence: str) -> str:
    first17 = "330521" + birth + sequence
    return first17 + id_number_check_character(first17)


ZHANG, LI, WANG = make_id("19850312", "131"), make_id("19900704", "242"), make_id("19720101", "351")


@pytest.fixture
def election(regions):
    return services.election_create(
        actor=None, name="德清县人大代表选举", region=regions.deqing, election_day=datetime.date(2026, 12, 15)
    )


def write_csv(path, header, rows):
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_then_check_from_the_command_line_writes_the_findings_sheet(election, tmp_path):
    roll = write_csv(
        tmp_path / "居仁.csv",
        ["姓名", "性别", "身份证号", "出生日期", "民族", "户籍地址", "现住址", "选区"],
        [
            ["张伟", "男", ZHANG, "1985-03-12", "汉族", "武康街道", "居仁社区1号", JUREN],
            ["张玮", "男", ZHANG, "", "汉族", "武康街道", "居仁社区9号", JUREN],
        ],
    )
    with pytest.raises(CommandError, match="与第2行身份证号相同"):
        call_command("import_voters", str(roll), "--election", str(election.pk), "--district", JUREN)
    write_csv(
        roll,
        ["姓名", "性别", "身份证号", "出生日期", "选区"],
        [["张伟", "男", ZHANG, "1985-03-12", JUREN], ["李 娜", "女", LI, "1990-07-05", JUREN]],
    )
    out = io.StringIO()
    call_command("import_voters", str(roll), "--election", str(election.pk), "--district", JUREN, stdout=out)
    assert "新增 2 名选民" in out.getvalue()

    register = write_csv(
        tmp_path / "户籍.csv",
        ["身份证号", "姓名", "性别", "出生日期"],
        [[ZHANG, "张伟", "男", ""], [LI, "李娜", "女", ""], [WANG, "王强", "男", ""]],
    )
    findings = tmp_path / "findings.xlsx"
    out = io.StringIO()
    call_command(
        "check_voters",
        "--election",
        str(election.pk),
        "--register",
        str(register),
        "--as-of",
        "2026-11-01",
        "--output",
        str(findings),
        stdout=out,
    )
    text = out.getvalue()
    assert "核查 2 名选民" in text and "姓名格式错误：1" in text and "出生日期与身份证号不符：1" in text
    assert "符合条件未登记：1" in text
    sheet = openpyxl.load_workbook(findings).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert {r[2] for r in rows} == {"姓名格式错误", "出生日期与身份证号不符", "符合条件未登记"}
    assert any(r[5] == WANG and r[4] == "王强" for r in rows)


def test_export_voters_writes_the_roll_or_the_published_list(election, tmp_path):
    services.voters_import(
        actor=None,
        election=election,
        district_code=JUREN,
        file=f"姓名,身份证号\n张伟,{ZHANG}\n".encode(),
        filename="roll.csv",
    )
    published = tmp_path / "公告.xlsx"
    call_command("export_voters", str(published), "--election", str(election.pk), "--published", stdout=io.StringIO())
    sheet = openpyxl.load_workbook(published).active
    assert [c.value for c in sheet[2]] == ["居仁社区居委会", "张伟", ZHANG[:4] + "*" * 10 + ZHANG[-4:]]


@pytest.fixture
def duplicate(election):
    for code, name, address in ((JUREN, "张伟", "居仁社区1号"), ("330521101001", "张玮", "城东村8号")):
        services.voters_import(
            actor=None,
            election=election,
            district_code=code,
            file=f"姓名,性别,身份证号,现住址\n{name},男,{ZHANG},{address}\n".encode(),
            filename="roll.csv",
        )
    services.voters_check(actor=None, election=election, as_of=datetime.date(2026, 11, 1))
    return Finding.objects.get(kind="duplicate")


def test_the_finding_page_shows_both_registrations_side_by_side(client, personas, duplicate):
    client.force_login(personas.county_staff)
    page = client.get(reverse("admin:elections_finding_change", args=[duplicate.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "张伟" in html and "张玮" in html and "居仁社区1号" in html and "城东村8号" in html


def test_staff_merge_a_duplicate_on_the_page_and_the_decision_is_audited(client, personas, duplicate):
    client.force_login(personas.county_staff)
    url = reverse("admin:elections_finding_change", args=[duplicate.pk])
    response = client.post(url, {"resolution": Resolution.MERGE, "resolution_note": "同一人", "target": "a"})
    assert response.status_code == 302
    assert Finding.objects.get(pk=duplicate.pk).resolution == Resolution.MERGE
    assert Voter.objects.filter(status=VoterStatus.REMOVED).count() == 1
    assert AuditEvent.objects.filter(action="election.finding_resolve", actor=personas.county_staff).exists()
    decided = client.get(url)
    assert decided.status_code == 200 and "county_staff" in decided.content.decode()


def test_a_refused_decision_stays_on_the_page_with_the_reason(client, personas, duplicate):
    client.force_login(personas.county_staff)
    url = reverse("admin:elections_finding_change", args=[duplicate.pk])
    response = client.post(url, {"resolution": Resolution.KEEP, "resolution_note": ""}, follow=True)
    assert "保留须说明核实情况" in response.content.decode()
    assert Finding.objects.get(pk=duplicate.pk).is_open


@pytest.mark.parametrize(
    ("persona", "status"),
    [("county_staff", 200), ("township_staff", 200), ("outsider", 404), ("deputy", 302), ("place_staff", 404)],
)
def test_who_may_open_a_finding(client, personas, duplicate, persona, status):
    # The finding lives in 居仁社区 (武康街道): 乾元镇's staff get a 404 as if it did not exist; a deputy is sent
    # to the login page (no back office); place staff use the back office but see no roll: 404 as well.
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("admin:elections_finding_change", args=[duplicate.pk])).status_code == status


def test_the_district_list_freezes_a_clean_roll(client, personas, election):
    services.voters_import(
        actor=None,
        election=election,
        district_code=JUREN,
        file=f"姓名,身份证号\n张伟,{ZHANG}\n".encode(),
        filename="r.csv",
    )
    district = District.objects.get()
    client.force_login(personas.township_staff)
    client.post(reverse("admin:elections_district_changelist"), {"action": "freeze", "_selected_action": [district.pk]})
    assert District.objects.get().is_frozen


def test_staff_import_a_district_roll_on_its_page_and_see_every_bad_row(client, personas, regions, election):
    from django.core.files.uploadedfile import SimpleUploadedFile

    district = services.district_create(
        actor=None, election=election, code="01", name="居仁选区", region=regions.jueren
    )
    url = reverse("admin:elections_district_import", args=[district.pk])
    client.force_login(personas.township_staff)
    bad = SimpleUploadedFile("roll.csv", f"姓名,身份证号,性别\n张伟,{ZHANG},男\n,{LI},女\n".encode())
    page = client.post(url, {"file": bad})
    assert "第3行 姓名: 不能为空" in page.content.decode() and not Voter.objects.exists()
    good = SimpleUploadedFile("roll.csv", f"姓名,身份证号,性别\n张伟,{ZHANG},男\n李娜,{LI},女\n".encode())
    assert client.post(url, {"file": good}).status_code == 302
    assert Voter.objects.filter(district=district).count() == 2
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404


def test_every_election_page_opens_for_county_staff(client, personas, duplicate, election):
    voter = Voter.objects.first()
    candidate = services.candidate_nominate(actor=None, district=District.objects.first(), name="张伟", id_number=ZHANG)
    client.force_login(personas.county_staff)
    urls = [
        reverse("admin:elections_election_changelist"),
        reverse("admin:elections_election_change", args=[election.pk]),
        reverse("admin:elections_district_changelist"),
        reverse("admin:elections_district_change", args=[District.objects.first().pk]),
        reverse("admin:elections_district_import", args=[District.objects.first().pk]),
        reverse("admin:elections_voter_changelist"),
        reverse("admin:elections_voter_change", args=[voter.pk]),
        reverse("admin:elections_finding_changelist"),
        reverse("admin:elections_candidate_changelist"),
        reverse("admin:elections_candidate_add"),
        reverse("admin:elections_candidate_change", args=[candidate.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_election_list_checks_the_rolls_and_exports_the_findings(client, personas, election):
    for code, name in ((JUREN, "张伟"), ("330521101001", "张玮")):
        services.voters_import(
            actor=None,
            election=election,
            district_code=code,
            file=f"姓名,性别,身份证号\n{name},男,{ZHANG}\n".encode(),
            filename="roll.csv",
        )
    client.force_login(personas.county_staff)
    changelist = reverse("admin:elections_election_changelist")
    client.post(changelist, {"action": "check_rolls", "_selected_action": [election.pk]})
    assert Finding.objects.filter(kind="duplicate", election=election).count() == 1
    export = client.post(changelist, {"action": "export_findings", "_selected_action": [election.pk]})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.cell(row=2, column=2).value == "重登"
