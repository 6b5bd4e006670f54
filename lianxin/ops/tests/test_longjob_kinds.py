"""The other commands as long jobs (lianxin/ops/longjob_kinds/, one module per app): each kind runs through the worker's runner on a
small fixture and makes its rows and its file; a rejected import keeps its row-numbered errors and writes nothing;
a user without the service's permission neither sees the kind nor can start it."""

import csv
import datetime
import io

import openpyxl
import pypdfium2 as pdfium
import pytest
from django.core.management import call_command

from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.core.tabular import write_xlsx
from lianxin.deputies.assignment import assign_grids
from lianxin.deputies.models import AssignmentBasis, GridAssignment
from lianxin.deputies.tests.test_assignment import county, make_deputy  # noqa: F401  (fixture)
from lianxin.elections import services as election_services
from lianxin.elections.imports import REGISTER_COLUMNS
from lianxin.elections.models import District, Finding, Voter
from lianxin.elections.tests.test_services import CHENGDONG, HEADERS, JUREN, LI, WANG, ZHANG, row
from lianxin.ops import longjobs
from lianxin.ops.longjobs import job_file_open, job_start, kinds_for, longjobs_run
from lianxin.ops.models import JobStatus, LongJob
from lianxin.projects.tests.conftest import world  # noqa: F401  (fixture)
from lianxin.projects.tests.test_pages import states  # noqa: F401  (fixture)
from lianxin.publicweb import fonts
from lianxin.routing.models import RouterVersion
from lianxin.routing.tests.conftest import history, tiny_messages  # noqa: F401  (fixtures)
from lianxin.testing import xlsx_bytes


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path, monkeypatch):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(longjobs, "REPORT_EVERY", 0.05)


def run(actor, kind, params=None, upload=None) -> LongJob:
    """Start a job as `actor`, let the worker's runner take it, and return it finished."""
    job = job_start(actor=actor, kind=kind, params=params or {}, upload=upload)
    assert longjobs_run() == 1
    job.refresh_from_db()
    return job


def result_sheets(job: LongJob) -> dict[str, list[tuple]]:
    with job_file_open(job) as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def kind_names(user) -> set[str]:
    return {kind.name for kind in kinds_for(user)}


# --- the voter roll ----------------------------------------------------------------------------------------------


@pytest.fixture
def election(regions, personas):
    return election_services.election_create(
        actor=personas.county_staff,
        name="德清县第十八届人大代表选举",
        region=regions.deqing,
        election_day=datetime.date(2026, 12, 15),
    )


def roll(rows) -> tuple[str, bytes]:
    return ("居仁社区选民名册.xlsx", xlsx_bytes(HEADERS, rows))


def test_a_voter_roll_is_imported_by_the_worker_into_the_district_of_its_region_code(election, personas):
    job = run(
        personas.township_staff,
        "voters_import",
        {"election": str(election.pk), "district": JUREN},
        roll([row(1, "张伟", ZHANG, birth="1985-03-12"), row(2, "李娜", LI, "女")]),
    )

    assert job.status == JobStatus.DONE, job.message
    assert job.message == "导入完成：新增 2 名选民，更新 0 名，未变 0 名"
    assert job.region.code == JUREN and (job.done, job.total) == (2, 2)  # "正在写入选民 0/2", then full
    district = District.objects.get(election=election)
    assert sorted(Voter.objects.filter(district=district).values_list("name", flat=True)) == ["张伟", "李娜"]
    event = AuditEvent.objects.get(action="election.voters_import")
    assert event.actor_id == personas.township_staff.pk and event.changes["created"] == 2


def test_a_voter_roll_with_errors_shows_them_by_row_and_writes_nothing_not_even_the_district(election, personas):
    job = run(
        personas.county_staff,
        "voters_import",
        {"election": str(election.pk), "district": JUREN},
        roll([row(1, "张伟", ZHANG), row(2, "张伟", ZHANG), row(3, "", WANG)]),
    )

    assert job.status == JobStatus.FAILED and job.message.startswith("文件未导入")
    assert {(e["row"], e["column"]) for e in job.errors} == {(3, "身份证号"), (4, "姓名")}
    assert "与第2行身份证号相同" in next(e["message"] for e in job.errors if e["row"] == 3)
    assert not Voter.objects.exists() and not District.objects.exists()


def test_the_roll_check_writes_its_findings_file(election, personas):
    election_services.voters_import(
        actor=None,
        election=election,
        district_code=JUREN,
        file=xlsx_bytes(HEADERS, [row(1, "张伟", ZHANG), row(2, "王Qiang", WANG)]),
        filename="roll.xlsx",
    )
    election_services.voters_import(
        actor=None,
        election=election,
        district_code=CHENGDONG,
        file=xlsx_bytes(HEADERS, [row(1, "张玮", ZHANG, district=CHENGDONG)]),
        filename="roll.xlsx",
    )

    job = run(personas.county_staff, "voters_check", {"election": str(election.pk), "as_of": "2026-11-01"})

    assert job.status == JobStatus.DONE, job.message
    assert job.message.startswith("核查 3 名选民：错登 1 项，重登 1 项，漏登 0 项（未提供户籍人口名单，未核查漏登）")
    assert {(f.kind, f.code) for f in Finding.objects.all()} == {("error", "name"), ("duplicate", "same_id")}
    rows = next(iter(result_sheets(job).values()))
    assert len(rows) == 1 + 2 and job.result_name == "选民名册核查-德清县第十八届人大代表选举.xlsx"
    assert any("王Qiang" in str(cell) for line in rows for cell in line)


def test_the_roll_check_with_a_population_register_finds_who_is_missing(election, personas):
    election_services.voters_import(
        actor=None, election=election, district_code=JUREN, file=xlsx_bytes(HEADERS, [row(1, "张伟", ZHANG)]),
        filename="roll.xlsx",
    )  # fmt: skip
    register = write_xlsx(
        REGISTER_COLUMNS,
        [
            {"id_number": ZHANG, "name": "张伟", "sex": "male", "birth_date": datetime.date(1985, 3, 12)},
            {"id_number": WANG, "name": "王强", "sex": "male", "birth_date": datetime.date(1972, 1, 1)},
        ],
    )

    job = run(
        personas.county_staff,
        "voters_check_register",
        {"election": str(election.pk), "as_of": "2026-11-01"},
        ("户籍人口.xlsx", register),
    )

    assert job.status == JobStatus.DONE, job.message
    assert "漏登 1 项" in job.message and "未核查漏登" not in job.message
    assert Finding.objects.get(code="unregistered").person_id_number == WANG
    rows = next(iter(result_sheets(job).values()))
    assert any("王强" in str(cell) for line in rows for cell in line)


def test_only_who_runs_elections_sees_the_roll_kinds_and_only_for_their_own_elections(election, personas):
    roll_kinds = {"voters_import", "voters_check", "voters_check_register"}
    assert roll_kinds <= kind_names(personas.township_staff)
    for user in (personas.place_staff, personas.unit_handler, personas.deputy):
        assert not roll_kinds & kind_names(user)
        with pytest.raises(PermissionDenied):
            job_start(actor=user, kind="voters_check", params={"election": str(election.pk)})
    # 乾元镇's staff run elections, but 武康街道's district is not theirs.
    with pytest.raises(DomainError) as refused:
        job_start(
            actor=personas.outsider,
            kind="voters_import",
            params={"election": str(election.pk), "district": JUREN},
            upload=roll([row(1, "张伟", ZHANG)]),
        )
    assert refused.value.field == "district"
    assert not LongJob.objects.exists()


def test_the_office_list_shows_a_kind_only_to_who_may_start_it(client, personas, election):
    client.force_login(personas.county_staff)
    page = client.get("/office/jobs/").content.decode()
    for label in ("导入选民名册", "核查选民名册", "代表进网格", "训练分办模型", "民生实事项目月度进度通报"):
        assert label in page, label
    client.force_login(personas.place_staff)
    page = client.get("/office/jobs/").content.decode()
    for label in ("导入选民名册", "核查选民名册", "代表进网格", "训练分办模型", "民生实事项目月度进度通报"):
        assert label not in page, label
    assert client.get("/office/jobs/new/voters_import/").status_code == 404


# --- grid assignment -----------------------------------------------------------------------------------------------


def test_grid_assignment_embeds_the_townships_deputies_and_writes_the_coverage_report(county, personas):  # noqa: F811
    regions, *_ = county
    mine = make_deputy("姚丽华", congress=regions.deqing, district=regions.jueren)
    theirs = make_deputy("沈建国", congress=regions.deqing, district=regions.chengdong)

    job = run(personas.township_staff, "grids_assign")  # no region: the township they manage

    assert job.status == JobStatus.DONE, job.message
    assert job.params == {"region": regions.wukang.code, "fill_empty": True} and job.region == regions.wukang
    assert sorted(GridAssignment.objects.values_list("deputy__name", "grid__code", "basis")) == [
        ("姚丽华", "G-JR-1", AssignmentBasis.DISTRICT),
        ("姚丽华", "G-JR-2", AssignmentBasis.COVERAGE),
    ]
    assert not GridAssignment.objects.filter(deputy=theirs).exists()  # 乾元镇 is not 武康街道's
    assert job.message.startswith("已编入 2 名：按选区/原选举单位 1 名，补足空白网格 1 名")
    assert AuditEvent.objects.filter(action="grid_assignment.create", actor=personas.township_staff).count() == 2
    sheets = result_sheets(job)
    assert job.result_name == "网格覆盖报告-武康街道.xlsx"
    figures = dict(sheets["覆盖情况"][1:])
    assert (figures["网格数"], figures["有代表的网格"], figures["网格覆盖率"]) == (2, 2, "100.0%")
    assert sheets["本次编入"][1:] == [
        ("姚丽华", "居仁社区居委会居仁一网格", "按选区/原选举单位"),
        ("姚丽华", "居仁社区居委会居仁二网格", "补足空白网格"),
    ]
    assert mine.grid_assignments.count() == 2


def test_assigning_grids_reports_its_progress_deputy_by_deputy(county):  # noqa: F811
    regions, *_ = county
    for name in ("姚丽华", "钱志强", "陆小红"):
        make_deputy(name, congress=regions.deqing, district=regions.jueren)
    seen: list[tuple[int, int, str]] = []

    assign_grids(
        actor=None, fill_empty=False, progress=lambda done, total, message: seen.append((done, total, message))
    )

    assert seen == [(n, 3, "正在为代表选择网格") for n in range(3)]


def test_the_coverage_report_alone_assigns_nothing(county, personas):  # noqa: F811
    regions, *_ = county
    make_deputy("姚丽华", congress=regions.deqing, district=regions.jueren)

    job = run(personas.county_staff, "grids_coverage", {"region": regions.deqing.code})

    assert job.status == JobStatus.DONE and not GridAssignment.objects.exists()
    figures = dict(result_sheets(job)["覆盖情况"][1:])
    assert (figures["网格数"], figures["无代表的网格"], figures["未进网格的代表"]) == (3, 3, 1)


def test_grid_assignment_needs_manage_registry_over_the_region(county, personas):  # noqa: F811
    regions, *_ = county
    for user in (personas.place_staff, personas.deputy, personas.unit_handler):
        assert "grids_assign" not in kind_names(user)
        with pytest.raises(PermissionDenied):
            job_start(actor=user, kind="grids_assign")
    with pytest.raises(DomainError) as refused:
        job_start(actor=personas.outsider, kind="grids_assign", params={"region": regions.wukang.code})
    assert refused.value.field == "region"
    assert not LongJob.objects.exists()


# --- the router ------------------------------------------------------------------------------------------------------


def evaluation_csv(rows: list[dict[str, str]], label=lambda row: row["一级标签"]) -> tuple[str, bytes]:
    """The source's own columns: its first-level labels are the platform's category names."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["留言主题", "留言详情", "一级标签"])
    for message in rows:
        writer.writerow([message["留言主题"], message["留言详情"][:2000], label(message)])
    return ("评估留言.csv", out.getvalue().encode("utf-8"))


def test_the_router_is_trained_then_evaluated_from_the_office(history, personas):  # noqa: F811
    job = run(personas.county_staff, "router_train")

    assert job.status == JobStatus.DONE, job.message
    version = RouterVersion.objects.get(is_active=True)
    assert version.trained_by == personas.county_staff and version.samples == 60 and len(version.blob) > 0
    assert job.message.startswith(f"分办模型 v{version.number} 已训练并启用：60 件样本，3 个类别")
    figures = dict(result_sheets(job)["训练结果"][1:])
    assert figures["样本数"] == 60 and figures["类别"] == "、".join(version.classes)

    job = run(personas.county_staff, "router_evaluate", upload=evaluation_csv(history.fresh))

    assert job.status == JobStatus.DONE, job.message
    sheets = result_sheets(job)
    overall = dict(sheets["总体"][1:])
    assert overall["模型版本"] == f"v{version.number}" and overall["评估件数"] == 15
    assert 0.5 <= overall["准确率"] <= 1  # three distinct topics, 20 letters each to learn from
    assert f"准确率 {overall['准确率']:.1%}" in job.message
    assert {line[0] for line in sheets["各类别"][1:]} == {"交通运输", "环境保护", "教育文体"}


def test_an_evaluation_file_with_unknown_categories_is_rejected_row_by_row(history, personas):  # noqa: F811
    run(personas.county_staff, "router_train")

    job = run(personas.county_staff, "router_evaluate", upload=evaluation_csv(history.fresh[:3], lambda row: "不存在"))

    assert job.status == JobStatus.FAILED and not job.result_path
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "类别"), (3, "类别"), (4, "类别")]
    assert "平台没有“不存在”这个类别" in job.errors[0]["message"]


def test_only_county_case_handlers_train_the_router(history, personas):  # noqa: F811
    assert {"router_train", "router_evaluate"} <= kind_names(personas.city_staff)
    for user in (personas.township_staff, personas.place_staff, personas.unit_handler):
        assert not {"router_train", "router_evaluate"} & kind_names(user)
        with pytest.raises(PermissionDenied):
            job_start(actor=user, kind="router_train")
    assert not RouterVersion.objects.exists()


# --- the projects' monthly report -------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_the_projects_monthly_report_is_made_as_pdf_and_as_xlsx(states, personas):  # noqa: F811
    try:
        fonts.font_path()
    except DomainError as error:
        pytest.skip(f"no CJK font: {error.message}")
    month = datetime.date.today().replace(day=1)

    job = run(personas.county_staff, "projects_report", {"month": f"{month:%Y-%m}"})

    assert job.status == JobStatus.DONE, job.message
    assert job.result_name == f"民生实事项目进度通报-{month:%Y-%m}.pdf" and "3个点位" in job.message
    with job_file_open(job) as handle:
        text = pdf_text(handle.read())
    assert "民生实事项目进度通报" in text and "城东村道" in text

    job = run(personas.county_staff, "projects_report", {"month": f"{month:%Y-%m}", "format": "xlsx"})

    sites = [line[2] for line in next(iter(result_sheets(job).values()))[1:]]
    assert sorted(sites) == sorted(["居仁路", "城东桥", "城东村道"])


def test_the_projects_report_needs_projects_the_user_manages(states, personas):  # noqa: F811
    month = f"{datetime.date.today():%Y-%m}"
    assert "projects_report" not in kind_names(personas.place_staff)
    with pytest.raises(PermissionDenied):
        job_start(actor=personas.place_staff, kind="projects_report", params={"month": month})
    # 武康街道's staff manage projects, but 德清县's project is not theirs.
    with pytest.raises(DomainError) as refused:
        job_start(actor=personas.township_staff, kind="projects_report", params={"month": month})
    assert refused.value.field == "month"
    with pytest.raises(DomainError) as wrong:
        job_start(actor=personas.county_staff, kind="projects_report", params={"month": "2026年11月"})
    assert wrong.value.message == "月份: 格式应为 2026-11"


# --- a township's posters (registered by lianxin.portal.jobs) ------------------------------------------------------


def test_a_townships_posters_are_one_pdf_page_per_deputy_and_place(county, personas):  # noqa: F811
    from lianxin.venues.models import Place, PlaceKind

    try:
        fonts.font_path()
    except DomainError as error:
        pytest.skip(f"no CJK font: {error.message}")
    regions, *_ = county
    make_deputy("姚丽华", congress=regions.deqing, district=regions.jueren)
    make_deputy("沈建国", congress=regions.deqing, district=regions.chengdong)  # 乾元镇's
    Place.objects.create(kind=PlaceKind.STATION, name="居仁社区代表工作站", region=regions.jueren)

    job = run(personas.township_staff, "region_posters")  # no region: the township they see

    assert job.status == JobStatus.DONE, job.message
    assert job.params == {"region": regions.wukang.code} and job.result_name == "二维码海报-武康街道.pdf"
    with job_file_open(job) as handle:
        document = pdfium.PdfDocument(handle.read())
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    assert len(pages) == 2 and "姚丽华" in pages[0] and "居仁社区代表工作站" in pages[1]
    assert "沈建国" not in "".join(pages)


def test_posters_only_of_a_region_the_user_sees(county, personas):  # noqa: F811
    regions, *_ = county
    assert "region_posters" in kind_names(personas.deputy) and "region_posters" not in kind_names(personas.no_role)
    with pytest.raises(PermissionDenied):
        job_start(actor=personas.no_role, kind="region_posters", params={"region": regions.wukang.code})
    with pytest.raises(DomainError) as refused:
        job_start(actor=personas.outsider, kind="region_posters", params={"region": regions.wukang.code})
    assert refused.value.field == "region" and not LongJob.objects.exists()


# --- the same services from a terminal ------------------------------------------------------------------------------


def test_the_voter_and_grid_commands_show_their_progress_on_the_terminal(election, county, tmp_path):  # noqa: F811
    regions, *_ = county
    make_deputy("姚丽华", congress=regions.deqing, district=regions.jueren)
    sheet = tmp_path / "名册.xlsx"
    sheet.write_bytes(xlsx_bytes(HEADERS, [row(1, "张伟", ZHANG), row(2, "李娜", LI, "女")]))
    err, out = io.StringIO(), io.StringIO()

    call_command("import_voters", str(sheet), election=election.pk, district=JUREN, stderr=err, stdout=out)

    assert err.getvalue().splitlines() == ["正在写入选民 0/2"] and "新增 2 名选民" in out.getvalue()
    err, out = io.StringIO(), io.StringIO()

    call_command("assign_grids", "--json", stderr=err, stdout=out)

    assert err.getvalue().splitlines() == ["正在为代表选择网格 0/1"] and '"grids_total": 3' in out.getvalue()
